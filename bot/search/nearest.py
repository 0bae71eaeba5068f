"""The known names nearest to a misspelt one, quickly however many there are."""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Iterable

SHORTLIST = 1000  # candidates difflib compares in full; a large library has tens of thousands


def nearest(wanted: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """difflib's closest matches to `wanted`, best first. Over a long list, the candidates that
    share the most characters with it (and are about as long) are compared, not all of them:
    an unknown quote id in a library of 100,000 answers in milliseconds, not a second."""
    pool = list(dict.fromkeys(candidates))
    if len(pool) > SHORTLIST:
        letters = set(wanted)
        pool = heapq.nlargest(SHORTLIST, pool, key=lambda c: (len(letters.intersection(c)), -abs(len(c) - len(wanted))))
    return difflib.get_close_matches(wanted, pool, n=n, cutoff=cutoff)
