"""The Discord front end through the real discord.py client, against a fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

discord = pytest.importorskip("discord", reason="discord.py is installed with the test extras")

import bot  # noqa: E402
from adapters.discord.app import ShardedQuoteClient  # noqa: E402
from adapters.discord.settings import DiscordSettings  # noqa: E402
from bot.errors import QuoteBotError  # noqa: E402
from bot.library import Library  # noqa: E402

from .conftest import MINIMAL_PANEL, ROOT, recorded_panel  # noqa: E402
from .fakes.discord import APPLICATION_ID, CHANNEL_ID, GUILD_ID, OTHER_USER, FakeDiscord  # noqa: E402
from .fakes.harness import discord_session  # noqa: E402

EPHEMERAL = 64



def reply(recorded: Any) -> dict[str, Any]:
    """The callback body: {"type": ..., "data": {...}}."""
    assert recorded.method == "POST" and recorded.query.get("with_response") == "1"
    return recorded.body


async def test_commands_are_synced_with_autocomplete_and_chinese_names(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        sync = await fake.wait_for(lambda r: r.method == "PUT" and r.path == f"/applications/{APPLICATION_ID}/commands")
        commands = {c["name"]: c for c in sync.body}
        assert set(commands) == {"quote", "quote-speakers", "quote-topics", "quote-help"}
        quote = commands["quote"]
        assert quote["name_localizations"]["zh-CN"] == "语录"
        options = {o["name"]: o for o in quote["options"]}
        assert [o["name"] for o in quote["options"]] == ["keyword", "speaker", "topic", "panel", "private"]
        assert all(options[name]["autocomplete"] for name in ("speaker", "topic"))
        assert not options["panel"].get("autocomplete")  # one panel loaded: nothing to choose
        assert not options["keyword"].get("autocomplete")
        assert options["speaker"]["name_localizations"]["zh-CN"] == "发言人"
        assert options["private"]["type"] == 5


async def test_chinese_keyword_answers_with_the_best_quote_as_an_embed(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"})))
        assert body["type"] == 4
        data = body["data"]
        embed = data["embeds"][0]
        assert "**算力**" in embed["description"] and "从**算力**维度讲" in embed["description"]
        assert "”\n\n*In terms of compute, " in embed["description"]  # an English reader: the gloss beneath
        assert embed["author"]["name"] == "陈石 · Partner, Fengrui Capital"
        assert embed["footer"]["text"] == ("New Opportunities for AIGC in China · First China AIGC Industry Summit · "
                                           "2023-03-29 · 1 of 2")
        assert "url" not in embed  # the seed transcript gives no link
        assert data["allowed_mentions"] == {"parse": []}
        assert not data.get("flags", 0) & EPHEMERAL
        labels = [c["label"] for row in data["components"] for c in row["components"]]
        assert labels == ["Another", "Context", "Card", "Prev", "Next"]


async def test_pinyin_speaker_topic_part_and_private(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "大模型", "speaker": "chen shi"})))
        assert body["data"]["embeds"][0]["author"]["name"].startswith("陈石")
        body = reply(await fake.callback_for(await fake.command("quote", {"topic": "同质化", "private": True})))
        assert body["data"]["embeds"][0]["footer"]["text"].startswith("Model homogenization and innovation · ")
        assert body["data"]["flags"] & EPHEMERAL
        assert "Send" in [c["label"] for row in body["data"]["components"] for c in row["components"]]


@pytest.mark.parametrize("typed", ["chen", "陈", "峰瑞"])
async def test_speaker_autocomplete(library: Library, typed: str) -> None:
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.autocomplete("quote", "speaker", typed)))
        assert body["type"] == 8
        assert body["data"]["choices"] == [{"name": "陈石 · 峰瑞资本投资合伙人", "value": "chen-shi"}]


def buttons(body: dict[str, Any]) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in body["data"]["components"] for c in row["components"]}


async def test_another_does_not_repeat_until_every_match_was_shown(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"speaker": "林莱尼"})))
        shown = [body["data"]["embeds"][0]["description"]]
        for _ in range(2):
            body = reply(await fake.callback_for(await fake.click(buttons(body)["Another"])))
            shown.append(body["data"]["embeds"][0]["description"])
        assert len(set(shown)) == 3  # 林莱尼 has three quotes: all of them, none twice
        body = reply(await fake.callback_for(await fake.click(buttons(body)["Another"])))
        assert body["data"]["embeds"][0]["description"] in shown


async def test_context_prev_next_and_post(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "大模型", "private": True})))
        first = body["data"]["embeds"][0]["description"]
        ids = buttons(body)
        context = reply(await fake.callback_for(await fake.click(ids["Context"])))
        assert context["data"]["flags"] & EPHEMERAL
        assert "**Question**" in context["data"]["embeds"][0]["description"]
        refused = reply(await fake.callback_for(await fake.click(ids["Next"], user=OTHER_USER)))
        assert refused["data"]["content"] == "Only the person who asked can use this button."
        paged = reply(await fake.callback_for(await fake.click(ids["Next"])))
        assert paged["type"] == 7 and paged["data"]["embeds"][0]["description"] != first
        assert paged["data"]["embeds"][0]["footer"]["text"].endswith("2 of 5")
        posted = reply(await fake.callback_for(await fake.click(ids["Send"])))
        assert posted["type"] == 7 and posted["data"]["content"] == "Sent to the channel."  # the preview becomes a note
        message = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages")
        assert message.body["content"] == "shared by <@600000000000000001>"
        assert message.body["allowed_mentions"] == {"parse": []}


async def test_what_a_user_typed_is_shown_literally_in_errors(library: Library) -> None:
    hostile = "<@&123456> @everyone **boom**"

    async with discord_session(library) as (fake, _client):
        error = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力", "speaker": hostile})))
        content = error["data"]["content"]
        assert content.startswith("No speaker is called") and "\\*\\*boom\\*\\*" in content
        assert "<@&123456>" not in content and "@everyone" not in content


async def test_hostile_names_in_the_data_are_shown_literally_in_suggestions(write_panel: Callable[..., Path]) -> None:
    panel = MINIMAL_PANEL.format(panel_id="p").replace("name: Ada Lovelace", 'name: "**Ada** @everyone <@&9>"')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)

    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "weaves", "speaker": "host"})))
        content = body["data"]["content"]
        assert "speak" in content and "\\*\\*Ada\\*\\*" in content
        assert "@everyone" not in content and "<@&9>" not in content


async def test_only_the_asker_may_post_or_see_the_context_of_a_private_answer_and_post_works_once(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        ids = buttons(reply(await fake.callback_for(await fake.command("quote", {"keyword": "大模型", "private": True}))))
        for button in ("Send", "Context", "Next", "Cancel"):
            refused = reply(await fake.callback_for(await fake.click(ids[button], user=OTHER_USER)))
            assert refused["data"]["content"] == "Only the person who asked can use this button."
        answers = [reply(await fake.callback_for(await fake.click(ids["Send"])))["data"]["content"] for _ in range(3)]
        assert answers == ["Sent to the channel.", "Already sent.", "Already sent."]
        posts = [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"]
        assert len(posts) == 1


async def test_quote_text_cannot_ping_or_break_formatting(write_panel: Callable[..., Path]) -> None:
    panel = MINIMAL_PANEL.format(panel_id="p").replace(
        "text: The engine weaves algebraic patterns.",
        'text: "@everyone the engine **weaves** <@123456789012345678> <@123> <#42> patterns"').replace(
        '  date: "2024-01-02"', '  date: "2024-01-02"\n  source:\n    url: https://example.org/talk')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)

    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "patterns"})))
        description = body["data"]["embeds"][0]["description"]
        assert "@everyone" not in description and "<@123456789012345678>" not in description
        assert "<@123>" not in description and "<#42>" not in description
        assert "\\*\\*" in description and "**patterns**" in description
        assert body["data"]["embeds"][0]["url"] == "https://example.org/talk"
        assert body["data"]["allowed_mentions"] == {"parse": []}


async def test_a_quote_with_a_start_links_its_time_to_the_moment_in_the_recording(write_panel: Callable[..., Path]) -> None:
    library = bot.load_library(write_panel(recorded_panel()).parent, use_cache=False)

    async with discord_session(library) as (fake, _client):
        embed = reply(await fake.callback_for(await fake.command("quote", {"keyword": "patterns"})))["data"]["embeds"][0]
        assert embed["description"] == "“The engine weaves algebraic **patterns**.”\n\n⏱ [12:34](https://youtu.be/abc123?t=754)"
        assert embed["footer"]["text"] == "Engines · Test panel · 2024-01-02"


async def test_without_a_recording_the_embed_shows_the_time_alone(write_panel: Callable[..., Path]) -> None:
    from adapters.discord.render import card_embed
    from bot import Card

    library = bot.load_library(write_panel(recorded_panel().replace("  recording: https://youtu.be/abc123\n", "")).parent,
                               use_cache=False)
    embed = card_embed(Card(library.quote("q2"), library.panel("p")))
    assert embed.description == "“The engine weaves algebraic patterns.”\n\n⏱ 12:34"


MASKED_LINK = re.compile(r"⏱ \[12:34\]\(([^()\s<>\[\]]*)\)")


def test_a_hostile_recording_url_cannot_break_out_of_the_link(write_panel: Callable[..., Path]) -> None:
    from urllib.parse import unquote

    from adapters.discord.render import card_embed
    from bot import Card

    hostile = "https://example.org/a)**b**_c_`d`[e](https://evil.example)<@123>|x\\y'z\"w"
    library = bot.load_library(write_panel(recorded_panel(recording=json.dumps(hostile))).parent, use_cache=False)
    description = card_embed(Card(library.quote("q2"), library.panel("p"))).description or ""
    link = MASKED_LINK.fullmatch(description.split("\n\n")[-1])
    assert link, description
    assert not set("*`|\\'\"") & set(link[1])
    assert unquote(link[1]) == hostile + "#t=754"


def test_spaces_and_invisible_characters_in_a_link_are_percent_encoded() -> None:
    from adapters.discord.render import moment_line
    from bot.panels.moments import Moment

    said = Moment(754.0, "12:34", "https://example.org/a b)\n[x](y)\u202e#t=754")
    assert moment_line(said) == "⏱ [12:34](https://example.org/a%20b%29%0A%5Bx%5D%28y%29%E2%80%AE#t=754)"


def test_a_long_quote_is_cut_to_leave_room_for_the_link(write_panel: Callable[..., Path]) -> None:
    from adapters.discord.render import card_embed
    from bot import Card

    panel = recorded_panel().replace("The engine weaves algebraic patterns.", "长" * 5000)  # the longest a quote may be
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    description = card_embed(Card(library.quote("q2"), library.panel("p"))).description or ""
    assert len(description) <= 4096 and description.endswith("…”\n\n⏱ [12:34](https://youtu.be/abc123?t=754)")


def test_a_link_too_long_for_the_embed_leaves_the_time_alone() -> None:
    from adapters.discord.render import moment_line
    from bot.panels.moments import Moment

    assert moment_line(Moment(754.0, "12:34", "https://example.org/" + ")" * 2000)) == "⏱ 12:34"


async def test_client_resumes_after_the_gateway_drops(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        await fake.drop_connection()
        await asyncio.wait_for(_until(lambda: fake.resumes == 1), 10)
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "奇瑞"})))
        assert "**奇瑞**" in body["data"]["embeds"][0]["description"]
        assert fake.identifies == 1


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def test_errors_are_private_and_the_client_keeps_going(library: Library) -> None:
    from .conftest import FailingLibrary

    failing = FailingLibrary(library)
    failing.failing = False
    async with discord_session(failing) as (fake, _client):  # type: ignore[arg-type]
        unknown = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力", "speaker": "chen shy"})))
        assert unknown["data"]["flags"] & EPHEMERAL
        assert unknown["data"]["content"] == "No speaker is called chen shy. Closest: 陈石 (chen shi)."
        missing = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力", "speaker": "林莱尼"})))
        assert missing["data"]["content"] == "No quote matches '算力' speaker:林莱尼. 陈石, 马千里 speak of it."
        zh = reply(await fake.callback_for(await fake.command("quote", {"keyword": "不存在的词"}, locale="zh-CN")))
        assert zh["data"]["content"] == "没有找到符合 '不存在的词' 的语录。"
        failing.failing = True
        sorry = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"})))
        assert sorry["data"]["content"] == "Sorry, something went wrong; it has been logged."
        failing.failing = False
        again = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"})))
        assert again["data"]["embeds"]


async def test_cooldown_answers_privately(library: Library) -> None:
    async with discord_session(library, cooldown="2/30") as (fake, _client):
        for _ in range(2):
            assert reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"})))["data"]["embeds"]
        slow = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"})))
        assert slow["data"]["flags"] & EPHEMERAL and slow["data"]["content"].startswith("Slow down a little")
        other = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"}, user=OTHER_USER)))
        assert other["data"]["embeds"]


async def test_python_m_bot_run_serves_discord_when_its_token_is_set(tmp_path: Path) -> None:
    """The entry point a self-hoster uses: tokens and endpoints from the environment only."""
    state = tmp_path / "state"

    async with asyncio.timeout(90):
        fake = FakeDiscord(token="secret-token-value")
        await fake.start()
        env = {**os.environ, "DISCORD_TOKEN": "secret-token-value", "DISCORD_API_URL": fake.api_url,
               "DISCORD_GATEWAY_URL": fake.gateway_url, "LOG_LEVEL": "INFO", "HEALTH_PORT": "0",
               "QUOTES_STATE_DIR": str(state)}
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await fake.ready(timeout=30)
            body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "奇瑞"}), timeout=30))
            assert "**奇瑞**" in body["data"]["embeds"][0]["description"]
        finally:
            process.terminate()
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
            await fake.stop()
        assert b"secret-token-value" not in stderr  # the token is never logged


@pytest.mark.parametrize(("count", "ids", "identified"), [(2, (), [[0, 2], [1, 2]]), (3, (1, 2), [[1, 3], [2, 3]])])
async def test_sharded_client_identifies_its_shards_and_answers(library: Library, count: int, ids: tuple[int, ...],
                                                          identified: list[list[int]]) -> None:
    async with discord_session(library, shards=len(identified), shard_count=count, shard_ids=ids) as (fake, _client):
        shards = [m["d"]["shard"] for m in fake.gateway_received if m["op"] == 2]
        assert sorted(shards) == identified
        times = sorted(fake.identified_at.values())
        assert times[-1] - times[0] < 2, "shards in different buckets identify together, not 5 s apart"
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "柳叶熙"})))
        assert "**柳叶熙**" in body["data"]["embeds"][0]["description"]

    guild_shard = (GUILD_ID >> 22) % count
    assert guild_shard in (ids or range(count)), "the test guild must live on a shard this client runs"


async def test_shards_of_one_bucket_identify_an_interval_apart(library: Library,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Discord lets shard ids that differ modulo max_concurrency identify together, and one
    bucket once every five seconds (shortened here)."""
    monkeypatch.setattr(ShardedQuoteClient, "identify_interval", 1.0)
    async with discord_session(library, shards=3, shard_count=3, max_concurrency=2) as (fake, _client):
        at = fake.identified_at
        assert abs(at[1] - at[0]) < 0.8  # buckets 0 and 1: no wait between them
        assert at[2] - at[0] >= 1.0  # shard 2 is in bucket 0 again: it waits


async def test_auto_sharding_asks_discord_how_many_shards(library: Library) -> None:
    async with discord_session(library, shards=2, shard_count=0) as (fake, _client):
        assert any(r.path == "/gateway/bot" for r in fake.requests)
        assert sorted(m["d"]["shard"] for m in fake.gateway_received if m["op"] == 2) == [[0, 2], [1, 2]]


@pytest.mark.parametrize(("env", "message"), [
    ({}, "DISCORD_TOKEN is not set"),
    ({"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "two"}, "DISCORD_SHARD_COUNT='two'"),
    ({"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"}, "each must be below"),
    ({"DISCORD_TOKEN": "t", "DISCORD_SHARD_IDS": "0"}, "needs DISCORD_SHARD_COUNT"),
    ({"DISCORD_TOKEN": "t", "DISCORD_API_URL": "http://127.0.0.1:1"}, "must include the API version"),
    ({"DISCORD_TOKEN": "t", "QUOTE_COOLDOWN": "fast"}, "QUOTE_COOLDOWN='fast'"),
])
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(QuoteBotError, match=re.escape(message)):
        DiscordSettings.from_env(env)


async def test_guild_ids_sync_commands_to_those_guilds(library: Library) -> None:
    async with discord_session(library, guild_ids=(GUILD_ID,)) as (fake, _client):
        sync = await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        assert sync.path == f"/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands"
        assert {c["name"] for c in sync.body} == {"quote", "quote-speakers", "quote-topics", "quote-help"}


async def test_panel_is_autocompleted_when_several_are_loaded(write_panel: Callable[..., Path]) -> None:
    write_panel(MINIMAL_PANEL.format(panel_id="first"), "first.yaml")
    library = bot.load_library(write_panel(MINIMAL_PANEL.format(panel_id="second"), "second.yaml").parent,
                               use_cache=False)

    async with discord_session(library) as (fake, _client):
        sync = await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        options = {o["name"]: o for o in sync.body[0]["options"]}
        assert options["panel"]["autocomplete"]
        body = reply(await fake.callback_for(await fake.autocomplete("quote", "panel", "sec")))
        assert body["data"]["choices"] == [{"name": "Test panel", "value": "second"}]


@pytest.mark.parametrize(("token", "reachable", "message"), [
    ("wrong-token", True, "Discord rejected DISCORD_TOKEN"),
    ("test-token", False, "cannot reach Discord at http://127.0.0.1"),
])
async def test_a_bad_token_or_an_unreachable_discord_is_one_clear_line(token: str, reachable: bool, message: str) -> None:
    async with asyncio.timeout(90):
        fake = FakeDiscord()
        await fake.start()
        env = {**os.environ, "DISCORD_TOKEN": token, "DISCORD_API_URL": fake.api_url,
               "DISCORD_GATEWAY_URL": fake.gateway_url, "HEALTH_PORT": "0"}
        if not reachable:
            await fake.stop()
        try:
            done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                           capture_output=True, timeout=60, check=False)
        finally:
            await fake.stop()
    stderr = done.stderr.decode()
    assert done.returncode == 2
    assert message in stderr and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert token not in stderr


async def test_quote_digest_for_server_managers(library: Library, tmp_path: Path) -> None:
    from bot.digest.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")

    async with discord_session(library, store=store) as (fake, _client):
        sync = await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        group = next(c for c in sync.body if c["name"] == "quote-digest")
        assert int(group["default_member_permissions"]) == 32  # Manage Server
        assert {o["name"] for o in group["options"]} == {"subscribe", "unsubscribe", "status", "preview"}
        done = reply(await fake.callback_for(await fake.command(
            "quote-digest", {"time": "08:30", "timezone": "Asia/Shanghai", "topic": "感受"}, subcommand="subscribe")))
        assert done["data"]["flags"] & EPHEMERAL
        assert done["data"]["content"] == "Subscribed: a quote every day at 08:30 (Asia/Shanghai), topic 感受."
        refused = reply(await fake.callback_for(await fake.command("quote-digest", subcommand="unsubscribe",
                                                                   user=OTHER_USER)))
        assert refused["data"]["content"] == "Only people who manage this place can change its daily quote."
        bad = reply(await fake.callback_for(await fake.command("quote-digest", {"timezone": "Mars/Base"},
                                                               subcommand="subscribe")))
        assert bad["data"]["content"].startswith("Mars/Base is not a time zone")
        preview = reply(await fake.callback_for(await fake.command("quote-digest", subcommand="preview")))
        assert preview["data"]["embeds"][0]["footer"]["text"].startswith("Feelings · ")
        assert preview["data"]["content"].startswith("Tomorrow's quote (")
        # Typed options go to the core as they are: a zone with a digit is a zone, the panel is kept.
        etc = reply(await fake.callback_for(await fake.command(
            "quote-digest", {"timezone": "Etc/GMT+8", "panel": "aigc-summit-2023-roundtable"}, subcommand="subscribe",
            locale="zh-CN")))
        assert etc["data"]["content"] == \
            "已订阅：每天 09:00（Etc/GMT+8），圆桌 aigc-summit-2023-roundtable，发一条语录。"
    subscription = store.subscription("discord", str(CHANNEL_ID))
    assert subscription is not None and subscription.timezone == "Etc/GMT+8"
    assert subscription.panel == "aigc-summit-2023-roundtable" and subscription.topic is None


async def test_digest_posts_through_discord_py_with_429_and_a_deleted_channel(library: Library, tmp_path: Path) -> None:
    import datetime as dt

    from adapters.discord.digest import discord_poster
    from bot.digest.scheduler import DigestScheduler
    from bot.digest.store import Store

    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    store.subscribe("discord", str(CHANNEL_ID), "09:00", "UTC", now=now)
    store.subscribe("discord", "700000000000000099", "09:00", "UTC", now=now)

    async with discord_session(library) as (fake, client):
        fake.deleted_channels.add("700000000000000099")
        fake.rate_limit_next = 1
        scheduler = DigestScheduler(store, library, {"discord": discord_poster(client, library)}, clock=lambda: now)
        assert await scheduler.run_once() == 1
        sent = [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"]
        assert len(sent) == 2  # discord.py waited out the 429 and sent again
        assert sent[-1].body["allowed_mentions"] == {"parse": []}
        assert sent[-1].body["embeds"][0]["footer"]["text"].endswith("Quote of the day")
        assert await scheduler.run_once() == 0
    gone = store.subscription("discord", "700000000000000099")
    assert gone is not None and not gone.enabled and gone.disabled_reason.startswith("Discord 404")


async def test_a_rate_limit_discord_py_gives_up_on_reaches_the_scheduler(library: Library, tmp_path: Path) -> None:
    import datetime as dt

    from adapters.discord.digest import discord_poster
    from bot.digest.scheduler import DigestScheduler
    from bot.digest.store import Store

    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    store.subscribe("discord", str(CHANNEL_ID), "09:00", "UTC", now=now)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    async with discord_session(library) as (fake, client):
        fake.rate_limit_next = 6  # discord.py tries five times, then raises
        scheduler = DigestScheduler(store, library, {"discord": discord_poster(client, library)}, clock=lambda: now,
                                    sleep=sleep)
        assert await scheduler.run_once() == 1
    assert waited == [0.05]


async def test_a_send_that_fails_can_be_pressed_again(library: Library) -> None:
    async with discord_session(library) as (fake, _client):
        ids = buttons(reply(await fake.callback_for(await fake.command("quote", {"keyword": "奇瑞", "private": True}))))
        fake.refuse_messages = 1  # Discord answers the post with an error discord.py does not retry
        failed = reply(await fake.callback_for(await fake.click(ids["Send"])))
        assert failed["data"]["content"] == "Sorry, something went wrong; it has been logged."
        sent = reply(await fake.callback_for(await fake.click(ids["Send"])))
        assert sent["data"]["content"] == "Sent to the channel."


async def test_names_and_titles_longer_than_discord_takes_are_cut(write_panel: Callable[..., Path]) -> None:
    long = "长" * 300
    panel = (MINIMAL_PANEL.format(panel_id="p").replace("title: Test panel", f"title: {long}\n  source:\n    url: https://example.org/t")
             .replace("title: Analyst", f"title: {long}"))
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    async with discord_session(library) as (fake, _client):
        embed = reply(await fake.callback_for(await fake.command("quote", {"keyword": "weaves"})))["data"]["embeds"][0]
        assert len(embed["title"]) <= 256 and len(embed["author"]["name"]) <= 256 and embed["title"].endswith("…")
        typed = reply(await fake.callback_for(await fake.command("quote", {"keyword": "x", "speaker": "y" * 3000})))
        assert len(typed["data"]["content"]) <= 2000


async def test_a_long_listing_shows_whole_lines_and_how_many_more(write_panel: Callable[..., Path]) -> None:
    speakers = "".join(f"  - id: s{n}\n    name: Speaker {n}\n    title: {'头衔' * 40}\n    role: panelist\n" for n in range(90))
    panel = MINIMAL_PANEL.format(panel_id="p").replace("topics:\n", speakers + "topics:\n", 1)
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    async with discord_session(library) as (fake, _client):
        listing = reply(await fake.callback_for(await fake.command("quote-speakers")))["data"]["embeds"][0]
        lines = listing["description"].splitlines()
        assert len(listing["description"]) <= 4096 and lines[-1].startswith("… and ") and lines[-1].endswith(" more")
        assert all(line.endswith("· p") for line in lines[:-1])  # whole rows only
        assert listing["title"] == "92 speakers"


# -- quote cards ------------------------------------------------------------------------------------

async def test_the_card_button_attaches_the_png_with_the_quote_as_its_alt_text(library: Library) -> None:
    from .test_quotecard import cjk_fonts

    cjk_fonts()
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "算力"})))
        sent = await fake.callback_for(await fake.click(buttons(body)["Card"], user=OTHER_USER))  # a public answer
        card = reply(sent)
        assert card["type"] == 4 and not card["data"].get("flags", 0) & EPHEMERAL  # a new message, for everyone
        assert card["data"]["content"] == "shared by <@600000000000000002>"
        assert card["data"]["allowed_mentions"] == {"parse": []}
        [png] = sent.files
        quote = library.quote("chen-shi-11")
        assert png.filename == "aigc-summit-2023-roundtable-chen-shi-11.png" and png.data.startswith(b"\x89PNG")
        assert png.description == f"{quote.text} — 陈石 · Partner, Fengrui Capital"


async def test_the_card_button_obeys_the_owner_and_the_cooldown(library: Library) -> None:
    async with discord_session(library, cooldown="1/30") as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "大模型", "private": True})))
        refused = reply(await fake.callback_for(await fake.click(buttons(body)["Card"], user=OTHER_USER)))
        assert refused["data"]["content"] == "Only the person who asked can use this button."
        waiting = reply(await fake.callback_for(await fake.click(buttons(body)["Card"])))
        assert waiting["data"]["content"].startswith("Slow down a little") and waiting["data"]["flags"] & EPHEMERAL


async def test_a_cards_alt_text_cannot_ping(write_panel: Callable[..., Path]) -> None:
    from .test_quotecard import cjk_fonts

    cjk_fonts()
    panel = MINIMAL_PANEL.format(panel_id="p").replace(
        "text: The engine weaves algebraic patterns.", 'text: "@everyone weaves <@123456789012345678> <@&9>"')
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    async with discord_session(library) as (fake, _client):
        body = reply(await fake.callback_for(await fake.command("quote", {"keyword": "weaves"})))
        [png] = (await fake.callback_for(await fake.click(buttons(body)["Card"]))).files
        assert png.description and "weaves" in png.description
        assert "@everyone" not in png.description and "<@123456789012345678>" not in png.description
        assert "<@&9>" not in png.description
