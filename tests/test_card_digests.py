"""Daily digests posted as quote cards (`style:card`): kept with the subscription, posted through the
real discord.py and slack-sdk clients as an attachment or an upload, exactly once a day."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot import Actor, Chat, Library, Notice, Place, Store
from bot.chat.catalogue import sentences
from bot.chat.command import parse_command
from bot.digest.scheduler import DigestScheduler
from bot.errors import QuoteBotError

from .fakes.discord import CHANNEL_ID
from .fakes.harness import discord_session
from .fakes.slack import FakeSlack
from .test_quotecard import cjk_fonts

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")


@pytest.mark.parametrize(("typed", "style"), [("digest subscribe 09:00 UTC style:card", "card"),
                                               ("每日 subscribe 样式:卡片 topic:感受", "card"),
                                               ("digest subscribe style:text", "text"),
                                               ("digest subscribe 08:00", None)])
def test_a_digest_subscription_takes_a_style(typed: str, style: str | None) -> None:
    order = parse_command(typed).digest
    assert order is not None and order.action == "subscribe" and order.style == style


@pytest.mark.parametrize("typed", ["digest subscribe style:gif", "digest status style:card"])
def test_a_bad_style_is_refused(typed: str) -> None:
    with pytest.raises(QuoteBotError):
        parse_command(typed)


def test_the_style_is_kept_and_said(library: Library, store: Store) -> None:
    chat, manager, here = Chat(library, store=store), Actor("alice", manages=True), Place("discord", "42")
    done = chat.ask("digest subscribe 09:00 Asia/Shanghai style:card", manager, here)
    assert isinstance(done, Notice)
    assert sentences(done.messages, "en") == \
        "Subscribed: a quote every day at 09:00 (Asia/Shanghai), as an image card."
    subscription = store.subscription("discord", "42")
    assert subscription is not None and subscription.style == "card"
    chat.ask("digest subscribe 10:00", manager, here)  # subscribing again without a style: text again
    assert store.subscription("discord", "42").style == "text"  # type: ignore[union-attr]


async def test_discord_posts_a_card_digest_as_an_attachment_once(library: Library, store: Store) -> None:
    from adapters.discord.digest import discord_poster

    cjk_fonts()
    store.subscribe("discord", str(CHANNEL_ID), "09:00", "UTC", now=NOW, style="card")
    async with discord_session(library) as (fake, client):
        scheduler = DigestScheduler(store, library, {"discord": discord_poster(client, "en")}, clock=lambda: NOW)
        assert await scheduler.run_once() == 1
        assert await scheduler.run_once() == 0
        [sent] = [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"]
    assert sent.body["content"] == "Quote of the day" and sent.body["nonce"].startswith("pq")
    assert "embeds" not in sent.body or not sent.body["embeds"]
    [png] = sent.files
    assert png.data.startswith(b"\x89PNG") and png.description and " — " in png.description


async def test_slack_uploads_a_card_digest_and_a_retry_finds_it(library: Library, store: Store) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.digest import slack_poster

    cjk_fonts()
    store.subscribe("slack", "C0GENERAL", "09:00", "UTC", now=NOW, style="card")

    async def sleep(seconds: float) -> None:
        pass

    async with asyncio.timeout(30):
        fake = FakeSlack()
        await fake.start()
        try:
            fake.drop_uploads = 1  # the card reaches the channel; the answer is lost
            client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
            scheduler = DigestScheduler(store, library, {"slack": slack_poster(client, library, timeout=0.5)},
                                        clock=lambda: NOW, sleep=sleep)
            assert await scheduler.run_once() == 1
        finally:
            await fake.stop()
    [upload] = fake.files.values()  # one upload: the retry looked, and found it by its file name
    assert upload["channel"] == "C0GENERAL" and upload["initial_comment"] == "Quote of the day"
    assert upload["filename"].endswith("-20261128.png") and upload["data"].startswith(b"\x89PNG")
    assert [c.method for c in fake.calls].count("conversations.history") == 1
    assert not [c for c in fake.calls if c.method == "chat.postMessage"]


async def test_a_card_digest_with_no_font_goes_out_as_text(library: Library, store: Store,
                                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from adapters.discord.digest import discord_poster

    monkeypatch.setenv("QUOTES_CARD_FONT", str(tmp_path / "none.ttf"))
    store.subscribe("discord", str(CHANNEL_ID), "09:00", "UTC", now=NOW, style="card")
    async with discord_session(library) as (fake, client):
        scheduler = DigestScheduler(store, library, {"discord": discord_poster(client, "en")}, clock=lambda: NOW)
        assert await scheduler.run_once() == 1
        [sent] = [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"]
    assert sent.body["embeds"][0]["footer"]["text"].endswith("Quote of the day") and not sent.files
