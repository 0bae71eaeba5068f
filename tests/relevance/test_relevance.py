"""Every judged query finds the quote a person asking it wants, first."""

from __future__ import annotations

import pytest

from bot.library import Library

from . import Case, cases, judge, scores


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.query)
def test_the_wanted_quote_comes_first(case: Case, library: Library) -> None:
    judged = judge(library, case)
    assert judged.rank == 1, f"{case.why}: {case.top} is at rank {judged.rank}; first came {judged.ranked[:3]}"


def test_the_totals_are_computed_over_every_case(library: Library) -> None:
    judged = [judge(library, case) for case in cases()]
    assert scores(judged) == (1.0, 1.0)
