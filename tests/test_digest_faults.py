"""A digest is posted once per subscription and day even when the platform's answer is lost.

The fake platforms make the message and then drop the connection unanswered (once, or three
times in a row), or answer only after the poster gave up waiting; the scheduler retries, and
the post's mark (Discord's enforced nonce, Slack's message metadata looked up in the channel's
history) keeps the retries from making a second message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import DigestScheduler, Library, Store
from bot.digest.store import posts

from .fakes.discord import CHANNEL_ID
from .fakes.harness import discord_session
from .fakes.slack import BOT_TOKEN, FakeSlack

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
FAULTS = [("drop", 1), ("drop", 3), ("late", 1)]


async def no_wait(seconds: float) -> None:
    """The scheduler's backoff, skipped: the test is about what gets posted, not when."""


def subscribe(store: Store, platform: str, channels: list[str]) -> None:
    for channel in channels:
        store.subscribe(platform, channel, "09:00", "UTC", now=NOW)


def posted_once(store: Store, count: int) -> None:
    with store.engine.connect() as db:
        rows = db.execute(sa.select(posts.c.message_id, posts.c.error)).all()
    assert len(rows) == count and all(row.message_id and not row.error for row in rows), rows


@pytest.mark.parametrize(("fault", "times"), FAULTS)
async def test_discord_makes_one_message_per_day_when_answers_are_lost(library: Library, tmp_path: Path,
                                                                       fault: str, times: int) -> None:
    from adapters.discord.digest import discord_poster

    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    channels = [str(CHANNEL_ID + n) for n in range(3)]
    subscribe(store, "discord", channels)
    async with discord_session(library) as (fake, client):
        if fault == "drop":
            fake.drop_messages = times
        else:
            fake.message_delay = 1.0  # longer than the poster waits
        scheduler = DigestScheduler(store, library, {"discord": discord_poster(client, "en", timeout=0.3)},
                                    clock=lambda: NOW, sleep=no_wait)
        assert await scheduler.run_once() == 3
        assert sorted(m["channel_id"] for m in fake.made) == channels  # one message each
    posted_once(store, 3)


@pytest.mark.parametrize(("fault", "times"), FAULTS)
async def test_slack_makes_one_message_per_day_when_answers_are_lost(library: Library, tmp_path: Path,
                                                                     fault: str, times: int) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.digest import slack_poster

    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    channels = ["C01", "C02", "C03"]
    subscribe(store, "slack", channels)
    fake = FakeSlack()
    await fake.start()
    try:
        if fault == "drop":
            fake.drop_posts = times
        else:
            fake.post_latency = 1.0
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
        scheduler = DigestScheduler(store, library, {"slack": slack_poster(client, library, timeout=0.3)},
                                    clock=lambda: NOW, sleep=no_wait)
        assert await scheduler.run_once() == 3
        assert {channel: len(fake.messages.get(channel, [])) for channel in channels} == dict.fromkeys(channels, 1)
        assert all(m["metadata"]["event_type"] == "panel_quotes_digest" for c in channels for m in fake.messages[c])
    finally:
        await fake.stop()
    posted_once(store, 3)


async def test_a_retry_finds_its_message_however_busy_the_channel_got(library: Library, tmp_path: Path) -> None:
    """Found in review: the look-up read the latest 50 messages only."""
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.digest import slack_poster

    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    subscribe(store, "slack", ["C01"])
    fake = FakeSlack()
    await fake.start()
    try:
        fake.drop_posts = 1
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)

        async def busy_channel(seconds: float) -> None:  # people talk while the scheduler backs off
            import time

            for n in range(450):
                fake.messages["C01"].insert(0, {"type": "message", "ts": f"{time.time() + n:.6f}", "text": "hi"})

        scheduler = DigestScheduler(store, library, {"slack": slack_poster(client, library, timeout=0.3)},
                                    clock=lambda: dt.datetime.now(dt.UTC), sleep=busy_channel)
        store.subscribe("slack", "C01", "00:00", "UTC", now=NOW)
        assert await scheduler.run_once() == 1
        digests = [m for m in fake.messages["C01"] if "metadata" in m]
        assert len(digests) == 1
    finally:
        await fake.stop()


async def test_a_bot_stopping_between_tries_records_why(library: Library, tmp_path: Path) -> None:
    """Found in review: a stop during a retry left the claim with no outcome at all."""
    import asyncio

    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    subscribe(store, "slack", ["C01"])
    stop = asyncio.Event()

    async def lost(sub: object, quote: object, delivery: object) -> str:
        stop.set()  # SIGTERM arrives while the answer is being lost
        raise ConnectionResetError("the answer was lost")

    scheduler = DigestScheduler(store, library, {"slack": lost}, clock=lambda: NOW, sleep=no_wait)
    assert await scheduler.run_once(stop) == 0
    with store.engine.connect() as db:
        [row] = db.execute(sa.select(posts.c.error, posts.c.posted_at)).all()
    assert row.error == "the bot stopped before the platform confirmed the post" and row.posted_at is None
