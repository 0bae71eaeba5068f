"""The daily-digest pick: which quote a channel gets on a given day.

Pure and deterministic, so every process and replica agrees without talking to each other:
each channel walks its own shuffled order of all quotes, one a day, and sees every quote once
before any repeats.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence


@functools.lru_cache(maxsize=32)
def _order(channel: str, cycle: int, refs: tuple[str, ...]) -> tuple[str, ...]:
    # sha256, never hash(): the built-in is salted per process.
    def rank(ref: str) -> bytes:
        return hashlib.sha256(f"{channel}\0{cycle}\0{ref}".encode()).digest()

    return tuple(sorted(refs, key=rank))


def pick(channel: str, day: dt.date, refs: Sequence[str]) -> str:
    """The quote ref for `channel` on `day`, out of `refs` (any order; it is sorted first).

    Days are numbered from the proleptic calendar's start; day n is position n mod len(refs)
    in the order of cycle n // len(refs), so a cycle never repeats a quote.

    >>> pick("general", dt.date(2026, 1, 1), ["p/a", "p/b"]) in {"p/a", "p/b"}
    True
    """
    if not refs:
        raise ValueError("no quotes to pick from")
    ordered = tuple(sorted(set(refs)))
    cycle, position = divmod(day.toordinal(), len(ordered))
    return _order(channel, cycle, ordered)[position]
