"""The daily-digest pick: deterministic everywhere, no repeats within a cycle."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.digest.pick import pick, this_round
from bot.library import Library
from bot.models import Query

from .conftest import run_cli

REFS = [f"p/q{i}" for i in range(30)]


@given(start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
       count=st.integers(min_value=1, max_value=60), channel=st.text(max_size=20))
def test_any_run_of_consecutive_days_shows_distinct_quotes_from_any_start(start: dt.date, count: int,
                                                                         channel: str) -> None:
    refs = [f"p/q{i}" for i in range(count)]
    picks = [pick(channel, start + dt.timedelta(days=n), refs) for n in range(count)]
    assert sorted(picks) == sorted(refs)


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, dt.date, list[tuple[int, list[str]]]]:
    """A channel, the day it subscribed, and for each day after, which quotes exist that day (the
    panels change: quotes join and leave)."""
    pool = [f"p/q{i}" for i in range(draw(st.integers(min_value=2, max_value=25)))]
    days = draw(st.integers(min_value=1, max_value=80))
    current = set(draw(st.lists(st.sampled_from(pool), min_size=1, unique=True)))
    timeline = []
    for day in range(days):
        if draw(st.integers(min_value=0, max_value=9)) == 0:  # now and then the data changes
            current ^= set(draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)))
            current = current or {pool[0]}
        timeline.append((day, sorted(current)))
    start = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)))
    return draw(st.text(max_size=10)), start, timeline


@given(histories())
def test_no_channel_sees_a_repeat_before_it_has_seen_every_quote_of_its_filter(
        history: tuple[str, dt.date, list[tuple[int, list[str]]]]) -> None:
    channel, start, timeline = history
    log: list[str] = []
    for day, refs in timeline:
        shown_this_round = this_round(log, refs)
        chosen = pick(channel, start + dt.timedelta(days=day), refs, log)
        assert chosen in refs
        assert chosen not in shown_this_round  # a repeat only once every current quote was shown
        log.append(chosen)


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
