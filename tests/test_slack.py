"""The Slack front end through real slack-bolt, against a fake Slack on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

pytest.importorskip("slack_bolt", reason="slack-bolt is installed with the test extras")

import bot
from bot import Card
from bot.library import Library

from .conftest import MINIMAL_PANEL, recorded_panel
from .fakes.harness import SlackSession, slack_session
from .fakes.slack import CHANNEL, OTHER_USER, FakeSlack


async def command(session: SlackSession, text: str, **kw: Any) -> dict[str, Any]:
    """A signed /quote over HTTP; the app's ack, parsed."""
    status, body = await FakeSlack.post(session.url, session.fake.slash_command(text, **kw))
    assert status == 200, body
    return json.loads(body) if body.startswith("{") else {"text": body}  # bolt acks bare text as text


async def click(session: SlackSession, action: str, value: str, **kw: Any) -> None:
    payload = session.fake.action(action, value, **kw)
    status, _ = await FakeSlack.post(session.url, {"payload": json.dumps(payload)})
    assert status == 200


async def responses(session: SlackSession, count: int) -> list[dict[str, Any]]:
    """The first `count` answers the app sent to response URLs, waiting for them (button work runs lazily)."""
    def found() -> list[dict[str, Any]] | None:
        replies = [c.body for c in session.fake.calls if c.method == "response_url"]
        return replies if len(replies) >= count else None

    return await session.fake._until(found, 10)


def section_text(blocks: list[dict[str, Any]]) -> str:
    return blocks[0]["text"]["text"]


def token_of(reply: dict[str, Any]) -> str:
    return next(b for b in reply["blocks"] if b["type"] == "actions")["elements"][0]["value"]


async def test_signed_slash_command_gets_the_preview_in_the_ack(library: Library) -> None:
    async with slack_session(library) as session:
        reply = await command(session, "算力 speaker：陈石")
        assert "\u200b*算力*\u200b" in section_text(reply["blocks"])
        assert reply["blocks"][1]["text"]["text"].startswith("_In terms of compute, ")  # the gloss, for English
        context = reply["blocks"][2]["elements"]
        assert context[0]["text"] == "*陈石* · Partner, Fengrui Capital"
        assert context[1]["text"] == "New Opportunities for AIGC in China · First China AIGC Industry Summit · 2023-03-29"
        buttons = next(b for b in reply["blocks"] if b["type"] == "actions")["elements"]
        assert [b["text"]["text"] for b in buttons] == ["Send", "Another", "Context", "Card", "Cancel"]
        assert reply.get("response_type", "ephemeral") == "ephemeral"
        assert not [c for c in session.fake.calls if c.method.startswith("chat.")]  # nothing posted yet


@pytest.mark.parametrize("text", ["发言人:陈石 大模型", "话题:同质化", "topic:tong-zhi-hua-he-chuang-xin", "random"])
async def test_the_shared_command_language(library: Library, text: str) -> None:
    async with slack_session(library) as session:
        reply = await command(session, text)
        assert reply["blocks"][0]["type"] == "section"


@pytest.mark.parametrize(("signing", "why"), [
    ({"secret": "not-the-secret"}, "bad signature"),
    ({"timestamp": int(time.time()) - 600}, "ten minutes old"),
])
async def test_requests_that_are_not_from_slack_are_refused(library: Library, signing: dict[str, Any], why: str) -> None:
    async with slack_session(library) as session:
        status, _ = await FakeSlack.post(session.url, session.fake.slash_command("算力"), **signing)
        assert status == 401, why
        await asyncio.sleep(0.1)
        assert session.fake.calls == []  # no handler ran: not even auth.test


async def test_send_posts_to_the_channel_and_removes_the_preview(library: Library) -> None:
    async with slack_session(library) as session:
        reply = await command(session, "奇瑞")
        await click(session, "quote_send", token_of(reply))
        posted = await session.fake.call("chat.postMessage")
        assert posted.body["channel"] == CHANNEL
        blocks = json.loads(posted.body["blocks"]) if isinstance(posted.body["blocks"], str) else posted.body["blocks"]
        assert "*奇瑞*" in section_text(blocks)
        context = next(b for b in blocks if b["type"] == "context")
        assert context["elements"][-1]["text"] == "shared by <@U0ALICE>"
        removed = await session.fake.call("response_url")
        assert removed.body["delete_original"] is True


async def test_another_context_and_cancel(library: Library) -> None:
    async with slack_session(library) as session:
        reply = await command(session, "speaker:林莱尼")
        first = section_text(reply["blocks"])
        await click(session, "quote_another", token_of(reply))
        replaced = await session.fake.call("response_url")
        assert replaced.body["replace_original"] is True and section_text(replaced.body["blocks"]) != first
        mark = len(session.fake.calls)
        await click(session, "quote_context", token_of(reply))  # the shuffled-away preview's buttons are gone
        gone = await session.fake.call("response_url", after=mark)
        assert gone.body["text"] == "These buttons have expired; ask again."
        shown = token_of(replaced.body)
        mark = len(session.fake.calls)
        await click(session, "quote_context", shown)
        context = await session.fake.call("response_url", after=mark)
        assert context.body["response_type"] == "ephemeral" and context.body["replace_original"] is False
        assert "_Question_ *金磊*" in section_text(context.body["blocks"])
        mark = len(session.fake.calls)
        await click(session, "quote_cancel", shown)
        assert (await session.fake.call("response_url", after=mark)).body["delete_original"] is True


async def test_only_the_asker_may_send_and_send_posts_once(library: Library) -> None:
    async with slack_session(library) as session:
        token = token_of(await command(session, "奇瑞"))
        await click(session, "quote_send", token, user=OTHER_USER)  # a correctly signed press by someone else
        refused = await session.fake.call("response_url")
        assert refused.body["text"] == "Only the person who asked can use this button."
        for _ in range(4):
            await click(session, "quote_send", token)
        await click(session, "quote_context", token, user=OTHER_USER)  # the preview is private: so is its context
        texts = [r.get("text") for r in await responses(session, 6)]
        assert texts.count("Already sent.") == 3 and texts.count("Only the person who asked can use this button.") == 2
        assert [c.method for c in session.fake.calls].count("chat.postMessage") == 1


async def test_another_counts_against_the_cooldown(library: Library) -> None:
    async with slack_session(library, cooldown="1/30") as session:
        token = token_of(await command(session, "speaker:林莱尼"))  # the command uses the one allowed
        for _ in range(20):
            await click(session, "quote_another", token)
        replies = await responses(session, 20)
        assert sum(1 for r in replies if str(r.get("text", "")).startswith("Slow down")) == 20
        assert not any(r.get("replace_original") is True for r in replies)


async def test_unknown_buttons_say_they_expired(library: Library) -> None:
    async with slack_session(library) as session:
        await click(session, "quote_another", "no-such-token")
        assert (await session.fake.call("response_url")).body["text"] == "These buttons have expired; ask again."


async def test_channel_mentions_and_ampersands_in_quotes_arrive_escaped(write_panel: Callable[..., Path]) -> None:
    panel = MINIMAL_PANEL.format(panel_id="p").replace(
        "text: The engine weaves algebraic patterns.", 'text: "<!channel> <@U123> the engine & *weaves* patterns"')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)

    async with slack_session(library) as session:
        text = section_text((await command(session, "patterns"))["blocks"])
        assert "<!channel>" not in text and "<@U123>" not in text and " & " not in text
        assert "&lt;!channel&gt;" in text and "&lt;@U123&gt;" in text and "&amp;" in text
        assert "*weaves*" not in text  # the data's own asterisks do not pair up into bold


async def test_a_quote_with_a_start_links_its_time_to_the_moment_in_the_recording(write_panel: Callable[..., Path]) -> None:
    library = bot.load_library(write_panel(recorded_panel()).parent, use_cache=False)

    async with slack_session(library) as session:
        reply = await command(session, "patterns")
        await click(session, "quote_send", token_of(reply))
        posted = await session.fake.call("chat.postMessage")
        blocks = json.loads(posted.body["blocks"]) if isinstance(posted.body["blocks"], str) else posted.body["blocks"]
        for context in (reply["blocks"][1], blocks[1]):
            assert context["elements"][1]["text"] == "Engines · Test panel · 2024-01-02 · <https://youtu.be/abc123?t=754|12:34>"


async def test_without_a_recording_the_time_shows_alone(write_panel: Callable[..., Path]) -> None:
    from adapters.slack.render import where

    library = bot.load_library(write_panel(recorded_panel().replace("  recording: https://youtu.be/abc123\n", "")).parent,
                               use_cache=False)
    assert where(Card(library.quote("q2"), library.panel("p"))) == "Engines · Test panel · 2024-01-02 · 12:34"


def test_a_hostile_recording_url_cannot_break_out_of_the_link(write_panel: Callable[..., Path]) -> None:
    from adapters.slack.render import where

    hostile = "https://example.org/v.mp4?a=1&b=<!channel>|click-me<@U123>"
    library = bot.load_library(write_panel(recorded_panel(recording=json.dumps(hostile))).parent, use_cache=False)
    assert where(Card(library.quote("q2"), library.panel("p"))) == (
        "Engines · Test panel · 2024-01-02 · "
        "<https://example.org/v.mp4?a=1&amp;b=%3C!channel%3E%7Cclick-me%3C@U123%3E#t=754|12:34>")


def test_a_bar_in_the_source_url_cannot_relabel_its_link(write_panel: Callable[..., Path]) -> None:
    from adapters.slack.render import where

    panel = MINIMAL_PANEL.format(panel_id="p").replace(
        '  date: "2024-01-02"', '  date: "2024-01-02"\n  source:\n    url: https://example.org/t|Official&nbsp;site')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    assert where(Card(library.quote("q2"), library.panel("p"))).endswith(" · <https://example.org/t%7COfficial&amp;nbsp;site|source>")


def test_a_link_too_long_for_the_context_leaves_the_time_alone(write_panel: Callable[..., Path]) -> None:
    from adapters.slack.render import where

    long = "https://example.org/v.mp4?" + "&" * 1900
    library = bot.load_library(write_panel(recorded_panel(recording=json.dumps(long))).parent, use_cache=False)
    assert where(Card(library.quote("q2"), library.panel("p"))) == "Engines · Test panel · 2024-01-02 · 12:34"


async def test_error_paths_answer_privately(library: Library) -> None:
    async with slack_session(library) as session:
        unknown = await command(session, '算力 speaker:"chen shy"')
        assert unknown["text"] == "No speaker is called chen shy. Closest: 陈石 (chen shi)."
        missing = await command(session, "算力 speaker:林莱尼")
        assert missing["text"] == "No quote matches '算力' speaker:林莱尼. 陈石, 马千里 speak of it."
        assert (await command(session, "speaker:"))["text"] == "speaker: needs a value, like speaker:name."
        assert "`/quote random` a random quote" in (await command(session, "help"))["text"]
        assert "陈石 (`chen-shi`)" in (await command(session, "speakers"))["text"]


async def test_send_into_a_channel_the_bot_is_not_in(library: Library) -> None:
    async with slack_session(library) as session:
        session.fake.errors["chat.postMessage"] = "not_in_channel"
        reply = await command(session, "奇瑞")
        await click(session, "quote_send", token_of(reply))
        said = await session.fake.call("response_url")
        assert said.body["text"].startswith("I'm not in this channel")


async def test_cooldown(library: Library) -> None:
    async with slack_session(library, cooldown="2/30") as session:
        for _ in range(2):
            assert "blocks" in await command(session, "算力")
        assert (await command(session, "算力"))["text"].startswith("Slow down a little")
        assert "blocks" in await command(session, "算力", user=OTHER_USER)


async def test_socket_mode_acks_the_envelope_with_the_blocks(library: Library) -> None:
    async with slack_session(library, socket_mode=True) as session:
        fake = session.fake
        ack = await fake.envelope("slash_commands", fake.slash_command("柳叶熙"))
        assert "*柳叶熙*" in section_text(ack["payload"]["blocks"])
        assert any(c.method == "apps.connections.open" for c in fake.calls)
        other = await fake.envelope("events_api", {"type": "event_callback", "event": {"type": "app_mention"}})
        assert "payload" not in other  # acknowledged, nothing to say


async def test_python_m_bot_run_serves_slack_over_http_when_its_tokens_are_set(tmp_path: Path) -> None:
    import os
    import socket
    import sys

    from .conftest import ROOT
    from .fakes.slack import BOT_TOKEN, SIGNING_SECRET

    def free_port() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])

    port, health_port = free_port(), free_port()
    state = tmp_path / "state"

    async with asyncio.timeout(90):
        fake = FakeSlack()
        await fake.start()
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": fake.api_url, "SLACK_HTTP_PORT": str(port), "LOG_LEVEL": "INFO",
               "HEALTH_PORT": str(health_port), "QUOTES_STATE_DIR": str(state)}
        env.pop("SLACK_APP_TOKEN", None)
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        url = f"http://127.0.0.1:{port}/slack/events"
        try:
            for _ in range(300):  # up to 30 s for the process to listen
                try:
                    status, body = await FakeSlack.post(url, fake.slash_command("奇瑞"))
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the Slack app never listened")
            assert status == 200 and "*奇瑞*" in section_text(json.loads(body)["blocks"])
            async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{health_port}/healthz") as r:
                assert r.status == 200
                report = await r.json()
            assert report["status"] == "ok" and report["connected"] == {"slack": True}
            assert set(report["digest_last_run"]) == {"slack"}
            started = time.monotonic()
            process.terminate()  # SIGTERM, as docker stop sends
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode == 0 and time.monotonic() - started < 10
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await fake.stop()
        assert BOT_TOKEN.encode() not in stderr and SIGNING_SECRET.encode() not in stderr
        assert b"stopped" in stderr


@pytest.mark.parametrize(("env", "message"), [
    ({"SLACK_BOT_TOKEN": "xapp-1-oops", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN must be an app-level token"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": "http://x/api"}, "must end with /"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_HTTP_PORT": "http"}, "SLACK_HTTP_PORT='http'"),
])
async def test_bad_slack_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    from adapters.slack.settings import SlackSettings
    from bot.errors import QuoteBotError

    with pytest.raises(QuoteBotError, match=re.escape(message)):
        SlackSettings.from_env(env)


async def test_an_internal_error_is_apologised_for_and_the_app_keeps_going(library: Library) -> None:
    from .conftest import FailingLibrary

    failing = FailingLibrary(library)
    async with slack_session(failing) as session:  # type: ignore[arg-type]
        assert (await command(session, "算力"))["text"] == "Sorry, something went wrong; it has been logged."
        failing.failing = False
        assert "blocks" in await command(session, "算力")


async def test_digest_posts_through_the_real_web_client_with_429_and_a_deleted_channel(library: Library,
                                                                                  tmp_path: Path) -> None:
    import datetime as dt

    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.digest import slack_poster
    from bot.digest.scheduler import DigestScheduler
    from bot.digest.store import Store

    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    store.subscribe("slack", "C0GENERAL", "09:00", "UTC", now=now)
    store.subscribe("slack", "C0DELETED", "09:00", "UTC", now=now)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    async with asyncio.timeout(30):
        fake = FakeSlack()
        await fake.start()
        try:
            client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
            scheduler = DigestScheduler(store, library, {"slack": slack_poster(client, library)}, clock=lambda: now,
                                        sleep=sleep)
            fake.rate_limit_next = 1
            fake.deleted_channels.add("C0DELETED")
            assert await scheduler.run_once() == 1
            posted = [c.body["channel"] for c in fake.calls if c.method == "chat.postMessage"]
            assert posted == ["C0GENERAL", "C0GENERAL", "C0DELETED"]  # the first try was rate limited
            assert await scheduler.run_once() == 0  # nothing twice, and nothing to a deleted channel
        finally:
            await fake.stop()
    assert waited == [3.0]
    statuses = {s.channel: s for s in (store.subscription("slack", c) for c in ("C0GENERAL", "C0DELETED")) if s}
    assert statuses["C0GENERAL"].enabled
    assert not statuses["C0DELETED"].enabled and statuses["C0DELETED"].disabled_reason == "channel_not_found"


@pytest.mark.parametrize("admins_only", [True, False])
async def test_digest_commands_for_workspace_admins(library: Library, tmp_path: Path, admins_only: bool) -> None:
    from bot.digest.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")

    async with slack_session(library, store=store, digest_admins_only=admins_only) as session:
        done = await command(session, "digest subscribe 09:00 Asia/Shanghai topic:感受")
        assert done["text"] == "Subscribed: a quote every day at 09:00 (Asia/Shanghai), topic 感受."
        other = await command(session, "digest unsubscribe", user=OTHER_USER)
        if admins_only:
            assert other["text"] == "Only people who manage this place can change its daily quote."
            status = await command(session, "digest status")
            assert status["text"].startswith("A quote every day at 09:00 (Asia/Shanghai)")
            preview = await command(session, "digest preview")
            assert preview["blocks"][0]["text"]["text"].startswith("Tomorrow's quote")
        else:
            assert other["text"] == "Unsubscribed."


async def test_panels_reload_on_sighup_and_a_broken_file_keeps_the_old_ones(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import sys

    from .conftest import MINIMAL_PANEL, ROOT
    from .fakes.slack import BOT_TOKEN, SIGNING_SECRET

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    panels = tmp_path / "panels"
    panels.mkdir()
    panel = panels / "talk.yaml"
    panel.write_text(MINIMAL_PANEL.format(panel_id="talk"), encoding="utf-8")

    async def ask(fake: FakeSlack, words: str) -> str:
        status, body = await FakeSlack.post(f"http://127.0.0.1:{port}/slack/events", fake.slash_command(words))
        assert status == 200
        return body

    async with asyncio.timeout(90):
        fake = FakeSlack()
        await fake.start()
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": fake.api_url, "SLACK_HTTP_PORT": str(port), "HEALTH_PORT": "0",
               "QUOTES_DATA_DIR": str(panels), "QUOTES_RELOAD_SECONDS": "3600", "LOG_LEVEL": "INFO",
               "QUOTE_COOLDOWN": "off",  # this test asks many times in a row
               "QUOTES_STATE_DIR": str(tmp_path / "state")}
        env.pop("SLACK_APP_TOKEN", None)
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                       stderr=asyncio.subprocess.PIPE)
        try:
            for _ in range(300):
                try:
                    assert "weaves" in await ask(fake, "engine")
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            panel.write_text(MINIMAL_PANEL.format(panel_id="talk").replace("weaves", "knits"), encoding="utf-8")
            process.send_signal(signal.SIGHUP)
            for _ in range(300):  # up to 30 s: a reload builds a new index with jieba
                if "knits" in await ask(fake, "engine"):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("SIGHUP did not reload the panels")
            panel.write_text("panel: [\n", encoding="utf-8")
            process.send_signal(signal.SIGHUP)
            await asyncio.sleep(1.5)
            assert "knits" in await ask(fake, "engine")  # the broken file did not take the panels away
        finally:
            process.terminate()
            _, stderr_bytes = await asyncio.wait_for(process.communicate(), 30)
            await fake.stop()
    stderr = stderr_bytes.decode()
    assert "reloaded 2 quotes" in stderr
    assert f"not reloaded, still serving the previous panels: {panel}:" in stderr


async def test_what_slack_escapes_in_a_command_is_read_as_typed(write_panel: Callable[..., Path]) -> None:
    panel = MINIMAL_PANEL.format(panel_id="p").replace("name: Engines", 'name: "R&D <labs>"')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    async with slack_session(library) as session:
        answer = await command(session, 'topic:"R&D <labs>"')  # Slack sends it as R&amp;D &lt;labs&gt;
        assert "R&amp;D &lt;labs&gt;" in answer["blocks"][1]["elements"][1]["text"]


async def test_a_send_that_fails_can_be_pressed_again(library: Library) -> None:
    async with slack_session(library) as session:
        token = token_of(await command(session, "奇瑞"))
        session.fake.errors["chat.postMessage"] = "internal_error"  # once
        await click(session, "quote_send", token)
        await click(session, "quote_send", token)
        texts = [r.get("text") for r in await responses(session, 2)]
        assert texts[0] == "Sorry, something went wrong; it has been logged."
        assert [c.method for c in session.fake.calls].count("chat.postMessage") == 2
        assert (await responses(session, 2))[1].get("delete_original") is True


async def test_sigterm_mid_round_finishes_the_post_under_way_and_the_next_process_posts_the_rest(
        tmp_path: Path) -> None:
    """`docker stop` during a digest round: the bot process gets SIGTERM while it posts to 40
    channels; every post it claimed is made and recorded, and the next process posts the rest."""
    import datetime as dt
    import os
    import sys

    import sqlalchemy as sa

    from bot import Store
    from bot.digest.store import database_url, posts, subscriptions

    from .conftest import ROOT
    from .fakes.slack import BOT_TOKEN

    state = tmp_path / "state"
    store = Store.open(database_url({"QUOTES_STATE_DIR": str(state)}))  # the file the bot opens
    now = dt.datetime.now(dt.UTC)
    for n in range(40):
        store.subscribe("slack", f"C{n:03d}", "00:00", "UTC", now=now)  # all due since midnight
    fake = FakeSlack(post_latency=0.05)
    await fake.start()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-test", "SLACK_API_URL": fake.api_url,
           "QUOTES_STATE_DIR": str(state), "HEALTH_PORT": "0", "LOG_LEVEL": "INFO"}

    def posted() -> list[str]:
        return [c.body["channel"] for c in fake.calls if c.method == "chat.postMessage"]

    async def bot_process() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", "--only", "slack", cwd=ROOT,
                                                    env=env, stderr=asyncio.subprocess.PIPE)

    first = second = None
    try:
        async with asyncio.timeout(60):
            first = await bot_process()
            await fake._until(lambda: len(posted()) >= 5 or None, 30)
            first.terminate()  # SIGTERM while the round is under way
            _, stderr = await first.communicate()
            assert first.returncode == 0, stderr.decode()[-2000:]
            with store.engine.connect() as db:
                claimed = db.execute(sa.select(subscriptions.c.channel, posts.c.posted_at).join(subscriptions)).all()
            assert all(row.posted_at is not None for row in claimed)  # no claim abandoned
            assert sorted(row.channel for row in claimed) == sorted(posted())  # each post made was recorded
            assert len(claimed) < 40  # the rest was left for the next process

            second = await bot_process()
            await fake._until(lambda: len(posted()) >= 40 or None, 30)
            second.terminate()
            await second.communicate()
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        await fake.stop()
    assert len(posted()) == len(set(posted())) == 40  # one post per subscription, over two processes


async def test_a_replayed_request_is_refused_on_every_replica(library: Library, tmp_path: Path) -> None:
    """Two app replicas on one database: a signed request served by one is refused by both after."""
    import urllib.parse

    import aiohttp

    from bot import Store

    from .fakes.slack import signed_headers

    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    async with slack_session(library, store=Store.open(url)) as a, slack_session(library, store=Store.open(url)) as b:
        body = urllib.parse.urlencode(a.fake.slash_command("算力")).encode()
        headers = signed_headers(body)  # one request, captured and sent again

        async def send(to: str) -> int:
            async with aiohttp.ClientSession() as http, http.post(to, data=body, headers=headers) as answer:
                return answer.status

        assert [await send(a.url), await send(b.url), await send(a.url)] == [200, 401, 401]
        fresh = await command(b, "算力")  # a new request is served as ever
        assert "blocks" in fresh


# -- quote cards ------------------------------------------------------------------------------------

async def uploaded(session: SlackSession) -> dict[str, Any]:
    """The one file files_upload_v2 shared, once its third step has come."""
    await session.fake.call("files.completeUploadExternal")
    [upload] = session.fake.files.values()
    return upload


async def test_the_card_button_uploads_the_png_to_the_channel(library: Library) -> None:
    from .test_quotecard import cjk_fonts

    cjk_fonts()
    async with slack_session(library) as session:
        reply = await command(session, "算力 speaker：陈石")
        await click(session, "quote_card", token_of(reply))
        upload = await uploaded(session)
        quote = library.quote("chen-shi-11")
        assert upload["data"].startswith(b"\x89PNG") and upload["channel"] == CHANNEL
        assert upload["filename"] == "aigc-summit-2023-roundtable-chen-shi-11.png"
        assert upload["alt_txt"] == f"{quote.text} — 陈石 · Partner, Fengrui Capital"
        assert upload["title"] == "陈石 · New Opportunities for AIGC in China · First China AIGC Industry Summit"
        assert upload["initial_comment"] == "shared by <@U0ALICE>"
        told = await session.fake.call("response_url")
        assert told.body["text"] == "Card posted to the channel." and told.body["replace_original"] is False
        assert [c.method for c in session.fake.calls].count("chat.postMessage") == 0


async def test_card_typed_after_quote_uploads_after_the_ack(library: Library) -> None:
    from .test_quotecard import cjk_fonts

    cjk_fonts()
    async with slack_session(library) as session:
        await command(session, "card chen-shi-2")
        assert (await uploaded(session))["filename"] == "aigc-summit-2023-roundtable-chen-shi-2.png"


async def test_the_card_button_obeys_the_owner_and_the_cooldown(library: Library) -> None:
    async with slack_session(library, cooldown="1/30") as session:
        token = token_of(await command(session, "奇瑞"))
        await click(session, "quote_card", token, user=OTHER_USER)
        await click(session, "quote_card", token)
        texts = sorted(r.get("text", "") for r in await responses(session, 2))
        assert texts[0] == "Only the person who asked can use this button." and texts[1].startswith("Slow down")
        assert session.fake.files == {}


async def test_a_card_for_a_channel_the_bot_is_not_in_says_so(library: Library) -> None:
    from .test_quotecard import cjk_fonts

    cjk_fonts()
    async with slack_session(library) as session:
        session.fake.deleted_channels.add(CHANNEL)
        await click(session, "quote_card", token_of(await command(session, "奇瑞")))
        told = await session.fake.call("response_url")
        assert told.body["text"] == "I can't see this channel; invite me to it first."


async def test_a_cards_alt_text_and_title_cannot_ping(write_panel: Callable[..., Path]) -> None:
    from .test_quotecard import cjk_fonts

    cjk_fonts()
    panel = MINIMAL_PANEL.format(panel_id="p").replace("name: Ada Lovelace", 'name: "<!channel> Ada"').replace(
        "text: The engine weaves algebraic patterns.", 'text: "<!everyone> weaves <@U0BOB>"')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    async with slack_session(library) as session:
        await click(session, "quote_card", token_of(await command(session, "weaves")))
        upload = await uploaded(session)
        for text in (upload["alt_txt"], upload["title"]):
            assert "<!channel>" not in text and "<!everyone>" not in text and "<@U0BOB>" not in text
        assert upload["alt_txt"].startswith("&lt;!everyone&gt; weaves")
