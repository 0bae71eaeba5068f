"""Other words for a query word: 数字人 also finds 数智人, LLM also finds 大模型.

A synonyms file holds one group per line, its words apart by commas (`,` or `，`), `#` starting
a comment. The core ships one for the field (`synonyms.txt` here); an organiser adds their own
as `synonyms.txt` beside the panels. A query word finds its synonyms at a lower weight than
itself (`ranking.SYNONYM_WEIGHT`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError, Problem
from .fold import fold
from .tokenizer import HAN

SHIPPED = Path(__file__).with_name("synonyms.txt")
MAX_WORD = 40  # characters in one synonym


def synonyms_of(text: str, path: str) -> dict[str, tuple[str, ...]]:
    """Each folded word of the groups in `text` to the other words of its groups."""
    groups: dict[str, set[str]] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        words = [" ".join(fold(word).split()) for word in re.split(r"[,，]", line)]
        words = list(dict.fromkeys(word for word in words if word))
        if not words:
            continue
        if len(words) < 2:
            problems.append(Problem(path, number, f"a group needs two words or more, apart by commas: {line.strip()!r}"))
        elif too_long := [word for word in words if len(word) > MAX_WORD]:
            problems.append(Problem(path, number, f"{too_long[0][:20]!r}… is over {MAX_WORD} characters"))
        for word in words:
            groups.setdefault(word, set()).update(w for w in words if w != word)
    if problems:
        raise DataError(problems)
    return {word: tuple(sorted(others)) for word, others in groups.items()}


def single_words(synonyms: dict[str, tuple[str, ...]]) -> list[str]:
    """The Chinese synonyms: the segmenter learns them, so each is an index term. Latin words
    are terms already, and taught to jieba they would cut others (openai into open, ai)."""
    return [word for word in synonyms if HAN.search(word) and not re.search(r"[\sa-z0-9]", word)]
