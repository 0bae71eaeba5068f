"""Judged queries on the shipped panel, and the measure of how well search answers them.

    python -m tests.relevance          # precision@1 and MRR over every judged query

`cases.yaml` holds each query with the quote a person asking it wants first; the suite checks
every one (`test_relevance.py`), and this module prints the totals, so a ranking change is
measured, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.chat.command import parse_command
from bot.library import Library

CASES = Path(__file__).with_name("cases.yaml")
DEPTH = 10  # ranks looked at for the reciprocal rank


@dataclass(frozen=True)
class Case:
    query: str  # as typed after /quote, filters included
    top: str  # the id of the quote wanted first
    why: str  # the behaviour the case stands for


@dataclass(frozen=True)
class Judged:
    case: Case
    ranked: tuple[str, ...]  # the ids of the first DEPTH quotes found

    @property
    def rank(self) -> int | None:
        return self.ranked.index(self.case.top) + 1 if self.case.top in self.ranked else None


def cases() -> list[Case]:
    return [Case(**entry) for entry in yaml.safe_load(CASES.read_text(encoding="utf-8"))]


def judge(library: Library, case: Case) -> Judged:
    query = parse_command(case.query).query
    return Judged(case, tuple(hit.quote.id for hit in library.search(query, limit=DEPTH)))


def scores(judged: list[Judged]) -> tuple[float, float]:
    """(precision@1, mean reciprocal rank) over the judged queries."""
    if not judged:
        return 0.0, 0.0
    first = sum(j.rank == 1 for j in judged) / len(judged)
    reciprocal = sum(1 / j.rank for j in judged if j.rank) / len(judged)
    return first, reciprocal
