"""The daily-digest pick: deterministic everywhere, no repeats within a cycle."""

from __future__ import annotations

import datetime as dt
import json

from bot.digest.pick import pick
from bot.library import Library
from bot.models import Query

from .conftest import run_cli

REFS = [f"p/q{i}" for i in range(30)]


def test_a_cycle_shows_every_quote_once() -> None:
    start = dt.date(2026, 1, 1)
    # A cycle starts where the day number is a multiple of the quote count.
    first = start + dt.timedelta(days=-start.toordinal() % len(REFS))
    picks = [pick("general", first + dt.timedelta(days=n), REFS) for n in range(len(REFS))]
    assert sorted(picks) == sorted(REFS)


def test_consecutive_days_never_repeat_within_a_cycle_from_any_start() -> None:
    day = dt.date(2026, 3, 7)
    picks = [pick("general", day + dt.timedelta(days=n), REFS) for n in range(len(REFS))]
    cycle_break = -day.toordinal() % len(REFS)
    assert len(set(picks[:cycle_break])) == cycle_break
    assert len(set(picks[cycle_break:])) == len(REFS) - cycle_break


def test_channels_get_different_orders() -> None:
    day = dt.date(2026, 5, 1)
    orders = {tuple(pick(ch, day + dt.timedelta(days=n), REFS) for n in range(10)) for ch in ("a", "b", "c", "d")}
    assert len(orders) == 4


def test_the_order_of_the_input_does_not_matter() -> None:
    day = dt.date(2026, 5, 1)
    assert pick("x", day, REFS) == pick("x", day, list(reversed(REFS)))


def test_library_digest_is_the_same_in_another_process(library: Library) -> None:
    day = dt.date(2026, 11, 28)
    mine = [library.digest(f"channel-{n}", day).ref for n in range(5)]
    theirs = [json.loads(run_cli("digest", "--channel", f"channel-{n}", "--date", day.isoformat(), "--json",
                                 env={"PYTHONHASHSEED": str(n + 1)}).stdout)["id"] for n in range(5)]
    assert mine == theirs


def test_library_digest_respects_filters_and_skips_questions(library: Library) -> None:
    day = dt.date(2026, 11, 28)
    for n in range(40):
        quote = library.digest("c", day + dt.timedelta(days=n))
        assert not quote.speaker.is_moderator
        assert library.digest('c', day + dt.timedelta(days=n), Query(speaker='林莱尼')).speaker.id == "lin-lai-ni"
