"""Daily digests: local times and DST, one post a day per subscription, errors from the platform."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.digest.schedule import due_date, parse_time, parse_timezone
from bot.digest.scheduler import ChannelGone, DigestScheduler, RateLimited
from bot.digest.store import Store, Subscription
from bot.errors import QuoteBotError
from bot.library import Library
from bot.models import Query, Quote

from .conftest import Ran
from .postgres import running_postgres, server_binaries

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


class Clock:
    """Time that only moves when a test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Platform:
    """A platform that records what it was asked to post, and fails as told."""

    def __init__(self) -> None:
        self.posted: list[tuple[int, str]] = []
        self.failures: list[Exception] = []
        self.slept: list[float] = []

    latency = 0.0

    async def post(self, sub: Subscription, quote: Quote, delivery: object = None) -> str:
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.failures:
            raise self.failures.pop(0)
        self.posted.append((sub.id, quote.ref))
        return f"message-{len(self.posted)}"

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")


def scheduler(store: Store, library: Library, platform: Platform, clock: Clock) -> DigestScheduler:
    return DigestScheduler(store, library, {"console": platform.post}, clock=clock, sleep=platform.sleep)


async def run(s: DigestScheduler) -> int:
    return await s.run_once()


@pytest.mark.parametrize(("text", "expected"), [("09:00", dt.time(9)), ("9:05", dt.time(9, 5)), ("23：59", dt.time(23, 59))])
def test_times(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "nine", ""])
def test_malformed_times_show_the_expected_form(text: str) -> None:
    with pytest.raises(QuoteBotError, match=r"HH:MM on a 24-hour clock, e\.g\. 09:00"):
        parse_time(text)


@pytest.mark.parametrize("name", ["Mars/Base", "Shanghai", "../etc/passwd", ""])
def test_unknown_time_zones_show_the_expected_form(name: str) -> None:
    with pytest.raises(QuoteBotError, match="IANA name such as Asia/Shanghai"):
        parse_timezone(name)


def test_spring_forward_skipped_time_posts_an_hour_later() -> None:
    new_york = ZoneInfo("America/New_York")  # 2026-03-08 02:00 jumps to 03:00
    assert due_date(dt.time(2, 30), new_york, at("2026-03-08T07:29:59")) is None
    assert due_date(dt.time(2, 30), new_york, at("2026-03-08T07:30:00")) == dt.date(2026, 3, 8)  # 03:30 EDT
    assert due_date(dt.time(9), new_york, at("2026-03-08T12:59:00")) is None  # 09:00 EDT is 13:00 UTC
    assert due_date(dt.time(9), new_york, at("2026-03-08T13:00:00")) == dt.date(2026, 3, 8)


async def test_fall_back_repeated_time_counts_once(store: Store, library: Library) -> None:
    new_york = ZoneInfo("America/New_York")  # 2026-11-01 02:00 EDT falls back to 01:00 EST
    assert due_date(dt.time(1, 30), new_york, at("2026-11-01T05:30:00")) == dt.date(2026, 11, 1)
    clock, platform = Clock(at("2026-11-01T05:30:00")), Platform()
    store.subscribe("console", "c", "01:30", "America/New_York", now=clock.now)
    s = scheduler(store, library, platform, clock)
    assert await run(s) == 1
    clock.now = at("2026-11-01T06:30:00")  # 01:30 again, now in EST
    assert await run(s) == 0


def test_east_of_utc_crosses_midnight_into_the_next_local_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert due_date(dt.time(0, 30), shanghai, at("2026-11-28T16:29:00")) is None
    assert due_date(dt.time(0, 30), shanghai, at("2026-11-28T16:30:00")) == dt.date(2026, 11, 29)


async def test_one_post_a_day_that_survives_a_restart(store: Store, library: Library, tmp_path: Path) -> None:
    clock, platform = Clock(at("2026-11-28T00:59:00")), Platform()
    sub = store.subscribe("console", "general", "09:00", "Asia/Shanghai", filters=Query(topic="感受"), now=clock.now)
    s = scheduler(store, library, platform, clock)
    assert await run(s) == 0  # 08:59 in Shanghai
    clock.now = at("2026-11-28T01:00:00")
    assert await run(s) == 1
    quote = library.quote(platform.posted[0][1])
    assert quote.topic is not None and quote.topic.name == "感受"
    assert quote == library.digest(sub.digest_key, dt.date(2026, 11, 28), Query(topic='感受'))
    assert await run(s) == 0
    restarted = scheduler(Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}"), library, platform, clock)
    assert await run(restarted) == 0  # the restart remembers today's post
    clock.now = at("2026-11-29T03:00:00")
    assert await run(restarted) == 1 and len(platform.posted) == 2


async def test_after_downtime_today_is_posted_late_and_missed_days_are_skipped(store: Store, library: Library) -> None:
    clock, platform = Clock(at("2026-11-20T12:00:00")), Platform()
    store.subscribe("console", "general", "09:00", "UTC", now=clock.now)
    s = scheduler(store, library, platform, clock)
    assert await run(s) == 1
    clock.now = at("2026-11-25T22:00:00")  # down for five days, back late in the evening
    assert await run(s) == 1
    assert await run(s) == 0
    assert len(platform.posted) == 2


async def test_rate_limit_waits_as_told_then_posts(store: Store, library: Library) -> None:
    clock, platform = Clock(at("2026-11-28T10:00:00")), Platform()
    store.subscribe("console", "general", "09:00", "UTC", now=clock.now)
    platform.failures = [RateLimited(2.5)]
    assert await run(scheduler(store, library, platform, clock)) == 1
    assert platform.slept == [2.5]


async def test_a_gone_channel_disables_the_subscription_with_the_reason(store: Store, library: Library) -> None:
    clock, platform = Clock(at("2026-11-28T10:00:00")), Platform()
    sub = store.subscribe("console", "general", "09:00", "UTC", now=clock.now)
    platform.failures = [ChannelGone("channel_not_found")]
    s = scheduler(store, library, platform, clock)
    assert await run(s) == 0
    status = store.subscription("console", "general")
    assert status is not None and not status.enabled and status.disabled_reason == "channel_not_found"
    clock.now = at("2026-11-29T10:00:00")
    assert await run(s) == 0 and platform.posted == []  # not retried forever
    assert store.last_post(sub.id).error == "channel_not_found"


async def test_other_errors_retry_with_backoff_a_bounded_number_of_times(store: Store, library: Library) -> None:
    clock, platform = Clock(at("2026-11-28T10:00:00")), Platform()
    sub = store.subscribe("console", "general", "09:00", "UTC", now=clock.now)
    platform.failures = [OSError("connection reset")] * 4
    assert await run(scheduler(store, library, platform, clock)) == 0
    assert platform.slept == [2.0, 4.0, 8.0]
    assert store.last_post(sub.id).error == "OSError: connection reset"


async def test_an_unsubscribe_racing_a_post_posts_nothing(store: Store, library: Library) -> None:
    clock = Clock(at("2026-11-28T10:00:00"))
    first = store.subscribe("console", "a", "09:00", "UTC", now=clock.now)
    store.subscribe("console", "b", "09:00", "UTC", now=clock.now)
    posted: list[str] = []

    async def post(sub: Subscription, quote: Quote, delivery: object = None) -> str:
        if sub.id == first.id:
            store.unsubscribe("console", "b")  # while the round is under way
        posted.append(sub.channel)
        return "m"

    s = DigestScheduler(store, library, {"console": post}, clock=clock)
    assert await s.run_once() == 1
    assert posted == ["a"]


def test_subscribing_again_replaces_the_channels_subscription(store: Store) -> None:
    now = at("2026-11-28T10:00:00")
    store.subscribe("console", "general", "09:00", "UTC", now=now)
    again = store.subscribe("console", "general", "18:30", "Europe/Berlin", filters=Query(speaker="陈石"), now=now)
    assert (again.post_time, again.timezone, again.speaker) == (dt.time(18, 30), "Europe/Berlin", "陈石")
    assert len(store.enabled()) == 1
    assert store.unsubscribe("console", "general") and not store.unsubscribe("console", "general")


def _exactly_once(url: str, library: Library, count: int) -> None:
    setup = Store.open(url)
    now = at("2026-11-28T09:00:30")
    for n in range(count):
        setup.subscribe("console", f"channel-{n}", "09:00", "UTC", now=now)
    platforms = [Platform(), Platform()]
    start_together = threading.Barrier(2, timeout=30)

    def one_process(platform: Platform) -> int:
        platform.latency = 0.001  # a platform round trip, so the two rounds overlap
        s = scheduler(Store.open(url), library, platform, Clock(now))
        start_together.wait()
        return asyncio.run(s.run_once())

    with ThreadPoolExecutor(2) as pool:
        made = list(pool.map(one_process, platforms))
    posted = [sub_id for p in platforms for sub_id, _ in p.posted]
    assert sum(made) == count == len(posted) == len(set(posted))
    assert all(made)  # both really ran, and shared the work


@pytest.mark.skipif(server_binaries() is None, reason="NO POSTGRESQL SERVER BINARIES: install Debian's postgresql "
                    "(.ci/run does) to run the exactly-once test against a real server")
def test_two_schedulers_on_one_postgresql_post_each_due_subscription_once(library: Library) -> None:
    with running_postgres() as url:
        _exactly_once(url, library, 1000)


def test_two_schedulers_on_one_sqlite_file_post_each_due_subscription_once(tmp_path: Path, library: Library) -> None:
    _exactly_once(f"sqlite:///{tmp_path / 'shared.sqlite3'}", library, 200)


def test_a_database_that_cannot_be_opened_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QuoteBotError, match="cannot open the database"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(QuoteBotError, match="cannot open the database"):
        Store.open(f"sqlite:///{tmp_path}/no/such/folder/state.sqlite3")


def test_console_digest_commands(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:

    script = ("/digest status\n/digest subscribe 08:30 Asia/Shanghai topic:同质化\n/digest status\n"
              "/digest preview\n/digest subscribe 25:00\n/digest subscribe 09:00 Mars/Base\n"
              "/digest subscribe speaker:nobody\n/digest unsubscribe\n/digest status\n")
    done = cli_main(input=script, env={"QUOTES_STATE_DIR": str(tmp_path), "DIGEST_DEFAULT_TZ": "Europe/Berlin",
                                      "LANG": "C.UTF-8"})
    replies = done.stdout.split("\n\n")
    assert replies[0] == "No daily quote here. Subscribe with: digest subscribe 09:00 Europe/Berlin"
    assert replies[1] == "Subscribed: a quote every day at 08:30 (Asia/Shanghai), topic 同质化."
    assert replies[2] == "A quote every day at 08:30 (Asia/Shanghai), topic 同质化. This round has shown 0 of its 9 quotes."
    assert replies[3].startswith("Tomorrow's quote (") and "Model homogenization and innovation" in replies[3]
    assert replies[4].startswith("25:00 is not a time of day")
    assert replies[5].startswith("Mars/Base is not a time zone")
    assert replies[6].startswith("No speaker is called nobody. Closest: ")
    assert replies[7] == "Unsubscribed."
    assert replies[8].startswith("No daily quote here.")
    assert (tmp_path / "panel-quotes.sqlite3").is_file()
    assert done.returncode == 0 and done.stderr == ""


async def test_status_shows_why_a_digest_was_disabled(store: Store, library: Library) -> None:
    from bot import Actor, Chat, Place
    from bot.chat.catalogue import text
    from bot.chat.replies import Notice

    clock, platform = Clock(at("2026-11-28T10:00:00")), Platform()
    store.subscribe("console", "general", "09:00", "UTC", now=clock.now)
    platform.failures = [ChannelGone("is_archived")]
    await run(scheduler(store, library, platform, clock))
    status = Chat(library, store=store).ask("digest status", Actor("me", manages=True), Place("console", "general"))
    assert isinstance(status, Notice)
    said = " ".join(text(m) for m in status.messages)
    assert "Stopped: is_archived." in said and "(failed: is_archived)" in said


async def test_a_graceful_restart_mid_round_loses_and_doubles_nothing(store: Store, library: Library, tmp_path: Path) -> None:
    now = at("2026-11-28T09:00:30")
    for n in range(300):
        store.subscribe("console", f"channel-{n}", "09:00", "UTC", now=now)
    posted: list[str] = []
    stop = asyncio.Event()

    async def post(sub: Subscription, quote: Quote, delivery: object = None) -> str:
        posted.append(sub.channel)
        if len(posted) == 120:
            stop.set()  # SIGTERM arrives while the round is under way
        return "m"

    first = DigestScheduler(store, library, {"console": post}, clock=Clock(now))
    assert await first.run_once(stop) == 120
    second = DigestScheduler(Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}"), library, {"console": post},
                             clock=Clock(now))
    assert await second.run_once() == 180
    assert len(posted) == len(set(posted)) == 300


@pytest.fixture
def two_panels(tmp_path: Path) -> Library:
    import shutil

    from bot.panels.cache import load_library
    from bot.panels.ingest import Options, ingest, to_yaml

    from .conftest import ROOT, SEED_PANEL

    folder = tmp_path / "panels"
    folder.mkdir()
    shutil.copy(SEED_PANEL, folder)
    srt = (ROOT / "tests" / "transcripts" / "en-panel.srt").read_text(encoding="utf-8")
    (folder / "en-panel.yaml").write_text(to_yaml(ingest(srt, Options(panel_id="en-panel")).document, origin="en-panel.srt"),
                                          encoding="utf-8")
    return load_library(folder)


async def test_a_digests_panel_filter_is_stored_and_used_and_etc_zones_are_zones(store: Store, two_panels: Library) -> None:
    from bot import Actor, Chat, Place
    from bot.chat.catalogue import text
    from bot.chat.replies import Notice

    clock, platform = Clock(at("2026-11-28T17:00:30")), Platform()  # 09:00 in Etc/GMT+8 (UTC-8)
    chat, here = Chat(two_panels, store=store), Place("console", "general")
    manager = Actor("me", manages=True)
    reply = chat.ask("digest subscribe 09:00 Etc/GMT+8 panel:en-panel", manager, here)
    assert isinstance(reply, Notice)
    assert text(reply.messages[0]) == "Subscribed: a quote every day at 09:00 (Etc/GMT+8), panel en-panel."
    assert store.subscription("console", "general").panel == "en-panel"
    preview = chat.ask("digest preview", manager, here)
    assert preview.card.quote.panel == "en-panel"  # type: ignore[union-attr]
    assert await run(scheduler(store, two_panels, platform, clock)) == 1
    assert [ref.split("/")[0] for _, ref in platform.posted] == ["en-panel"]


def test_a_database_from_before_the_panel_filter_upgrades_keeping_its_subscriptions(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    import bot.digest.migrations

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(bot.digest.migrations.__file__).parent))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(sa.text("INSERT INTO subscriptions (platform, channel, post_time, timezone, topic, enabled, "
                                   "created_at) VALUES ('slack', 'C1', '08:00', 'UTC', '感受', 1, '2026-11-01 00:00:00')"))
    engine.dispose()
    sub = Store.open(url).subscription("slack", "C1")
    assert sub is not None and (sub.topic, sub.panel, sub.post_time) == ("感受", None, dt.time(8))


async def test_the_post_log_keeps_a_channel_free_of_repeats_across_data_changes(store: Store,
                                                                              write_panel: Any) -> None:
    """A channel that subscribed mid-way and whose panels grew still sees every quote once per round."""
    import bot

    from .conftest import MINIMAL_PANEL

    quotes = "".join(f"  - id: x{n}\n    speaker: ada\n    topic: engines\n    text: Engines weave pattern {n}.\n"
                     for n in range(6))
    path = write_panel(MINIMAL_PANEL.format(panel_id="p") + quotes)
    library = bot.load_library(path.parent, use_cache=False)
    clock, platform = Clock(at("2026-03-17T09:00:30")), Platform()
    sub = store.subscribe("console", "general", "09:00", "UTC", now=clock.now)
    shown: list[str] = []
    for day in range(21):
        if day == 4:  # the panel grows mid-round
            more = "".join(f"  - id: y{n}\n    speaker: ada\n    topic: engines\n    text: Looms {n}.\n" for n in range(3))
            path.write_text(MINIMAL_PANEL.format(panel_id="p") + quotes + more, encoding="utf-8")
            library.refresh(bot.load_library(path.parent, use_cache=False))
        clock.now = at("2026-03-17T09:00:30") + dt.timedelta(days=day)
        assert await run(scheduler(store, library, platform, clock)) == 1
        shown.append(platform.posted[-1][1])
    rounds = [shown[:10], shown[10:20]]  # 10 answers after the growth (q2, x0-x5, y0-y2)
    assert all(len(set(r)) == len(r) == 10 for r in rounds)
    assert store.posted_refs(sub.id) == shown


async def test_the_preview_names_the_quote_tomorrow_really_gets(store: Store, library: Library) -> None:
    """Found in review: before today's post the preview read the log without it, and named today's quote."""
    from bot import Actor, Command, DigestOrder, Place
    from bot.chat import digests

    sub = store.subscribe("console", "general", "09:00", "UTC", filters=Query(speaker="林莱尼"),
                          now=at("2026-03-01T08:00:00"))
    platform = Platform()
    for day in range(2):  # two quotes posted: the round has one left, so the pick must skip
        await run(scheduler(store, library, platform, Clock(at("2026-03-01T09:00:30") + dt.timedelta(days=day))))
    morning = at("2026-03-03T08:00:00")  # today's 09:00 post is still to come
    said = digests.answer(Command("digest", digest=DigestOrder("preview")), Actor("me", manages=True),
                          Place("console", "general"), library=library, store=store, now=morning)
    for day in range(2):
        await run(scheduler(store, library, platform, Clock(at("2026-03-03T09:00:30") + dt.timedelta(days=day))))
    assert said.card.quote.ref == store.posted_refs(sub.id)[-1]  # type: ignore[union-attr]
