"""The daily-digest pick: which quote a channel gets on a given day.

Pure and deterministic, so every process and replica agrees without talking to each other.
Each channel has its own order of the quotes (a hash of the channel and the quote, so a quote
keeps its place among the others when quotes are added or removed), and day n is position
n mod len in it: any run of consecutive days shows distinct quotes until all were shown. With
the channel's post log, a quote already shown in this round is passed over for the next one
along, so no channel sees a repeat before it has seen every quote of its filter, from whenever
it subscribed and whatever was added since.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Collection, Sequence


@functools.lru_cache(maxsize=32)
def _order(channel: str, refs: frozenset[str]) -> tuple[str, ...]:
    # sha256, never hash(): the built-in is salted per process.
    def rank(ref: str) -> bytes:
        return hashlib.sha256(f"{channel}\0{ref}".encode()).digest()

    return tuple(sorted(refs, key=rank))


def this_round(log: Sequence[str], refs: Collection[str]) -> set[str]:
    """The quotes of `refs` shown since the channel last saw all of them, from its post log
    (oldest first): a round ends each time every current quote has been shown once."""
    current, seen = set(refs), set()
    for ref in log:
        if ref in current:
            seen.add(ref)
            if len(seen) == len(current):
                seen = set()
    return seen


def pick(channel: str, day: dt.date, refs: Collection[str], log: Sequence[str] = ()) -> str:
    """The quote ref for `channel` on `day`, out of `refs`; `log` is what it was posted before.

    >>> pick("general", dt.date(2026, 1, 1), ["p/a", "p/b"]) in {"p/a", "p/b"}
    True
    """
    if not refs:
        raise ValueError("no quotes to pick from")
    ordered = _order(channel, frozenset(refs))
    shown = this_round(log, ordered) if log else set()
    start = day.toordinal() % len(ordered)
    for step in range(len(ordered)):
        ref = ordered[(start + step) % len(ordered)]
        if ref not in shown:
            return ref
    return ordered[start]  # not reached: a round never holds every quote
