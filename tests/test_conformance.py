"""One table of scenarios, run against the console, Discord (real discord.py against the fake)
and Slack (real slack-bolt against the fake): every front end must make the same decisions.

Each driver turns a typed command or a button press into its platform's event and reads back
what a user would see: the text, whether only they see it, the buttons under it, the posts
made to the channel.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import pytest_asyncio

import bot
from bot import Library, Store
from bot.terminal.console import Console

from .fakes import discord as fake_discord
from .fakes import slack as fake_slack
from .fakes.harness import discord_session, slack_session

ALICE, BOB = "alice", "bob"


@dataclass
class Seen:
    text: str
    private: bool = True
    buttons: list[str] = field(default_factory=list)
    edited: bool = False  # the message the button was on was changed (or removed)
    markup: str = ""  # the part the platform renders as markup (else all of `text`)

    def __post_init__(self) -> None:
        self.markup = self.markup or self.text


class Front(Protocol):
    name: str
    posts: int  # quotes posted to the channel

    async def removed(self) -> int: ...  # previews taken away, waiting a moment for the first

    async def command(self, text: str, *, user: str = ALICE, locale: str = "en-US") -> Seen: ...
    async def press(self, button: str, *, user: str = ALICE, locale: str = "en-US") -> Seen: ...


class ConsoleFront:
    """The console: one person at a terminal, typing the buttons (/next) under the last answer."""

    name, posts = "console", 0

    async def removed(self) -> int:
        return 0

    def __init__(self, library: Library, store: Store, cooldown: str) -> None:
        self.library, self.store, self.cooldown = library, store, cooldown
        self.consoles: dict[str, Console] = {}

    def _console(self, locale: str) -> Console:
        if locale not in self.consoles:
            self.consoles[locale] = Console(self.library, env={"QUOTES_LOCALE": locale}, store=lambda: self.store,
                                            cooldown=bot.Cooldown.parse(self.cooldown))
        return self.consoles[locale]

    async def command(self, text: str, *, user: str = ALICE, locale: str = "en-US") -> Seen:
        shown = self._console(locale).answer(f"/quote {text}")
        return Seen(shown, private=False, buttons=[w[1:] for w in shown.split() if w.startswith("/") and w[1:].isalpha()])

    async def press(self, button: str, *, user: str = ALICE, locale: str = "en-US") -> Seen:
        return Seen(self._console(locale).answer(f"/{button}"), private=False)


class DiscordFront:
    name = "discord"

    def __init__(self, fake: fake_discord.FakeDiscord) -> None:
        self.fake, self.ids = fake, {}

    @property
    def posts(self) -> int:
        return sum(1 for r in self.fake.requests if r.method == "POST" and r.path.endswith("/messages"))

    async def removed(self) -> int:
        def deleting(r: Any) -> bool:
            return r.method == "DELETE" and r.path.endswith("/messages/@original")

        with contextlib.suppress(TimeoutError):  # the delete follows the deferred callback
            await self.fake.wait_for(deleting, timeout=2)
        return sum(1 for r in self.fake.requests if deleting(r))

    def _seen(self, body: dict[str, Any]) -> Seen:
        data = body.get("data") or {}
        parts, plain = [data.get("content") or ""], []  # Discord draws no markdown in an author or a footer
        for embed in data.get("embeds") or []:
            parts += [embed.get("title", ""), embed.get("description", "")]
            plain += [(embed.get("author") or {}).get("name", ""), (embed.get("footer") or {}).get("text", "")]
        buttons = [c for row in data.get("components") or [] for c in row["components"]]
        if buttons:
            self.ids = {c["custom_id"].split(":")[1]: c["custom_id"] for c in buttons}
        return Seen("\n".join(p for p in parts + plain if p), bool(data.get("flags", 0) & 64),
                    [c["custom_id"].split(":")[1] for c in buttons], body["type"] in (6, 7),
                    "\n".join(p for p in parts if p))

    async def command(self, text: str, *, user: str = ALICE, locale: str = "en-US") -> Seen:
        who = fake_discord.USER if user == ALICE else fake_discord.OTHER_USER
        sent = await self.fake.command("quote", {"keyword": text, "private": True}, user=who, locale=locale)
        return self._seen((await self.fake.callback_for(sent)).body)

    async def press(self, button: str, *, user: str = ALICE, locale: str = "en-US") -> Seen:
        who = fake_discord.USER if user == ALICE else fake_discord.OTHER_USER
        sent = await self.fake.click(self.ids[button], user=who, locale=locale)
        return self._seen((await self.fake.callback_for(sent)).body)


class SlackFront:
    name = "slack"

    def __init__(self, session: Any) -> None:
        self.session, self.token, self.seen_responses = session, "", 0

    @property
    def posts(self) -> int:
        return sum(1 for c in self.session.fake.calls if c.method == "chat.postMessage")

    async def removed(self) -> int:
        return sum(1 for c in self.session.fake.calls if c.method == "response_url" and c.body.get("delete_original"))

    def _seen(self, body: dict[str, Any]) -> Seen:
        texts = [body.get("text") or ""]
        buttons: list[str] = []
        for block in body.get("blocks") or []:
            if block["type"] == "section":
                texts.append(block["text"]["text"])
            elif block["type"] == "context":
                texts += [e["text"] for e in block["elements"]]
            elif block["type"] == "actions":
                buttons = [e["action_id"].removeprefix("quote_") for e in block["elements"]]
                self.token = block["elements"][0]["value"]
        edited = bool(body.get("replace_original") or body.get("delete_original"))
        return Seen("\n".join(t for t in texts if t), body.get("response_type", "ephemeral") == "ephemeral",
                    buttons, edited)

    def _user(self, user: str, locale: str) -> str:
        who = fake_slack.USER if user == ALICE else fake_slack.OTHER_USER
        self.session.fake.locales[who] = locale
        return who

    async def command(self, text: str, *, user: str = ALICE, locale: str = "en-US") -> Seen:
        form = self.session.fake.slash_command(text, user=self._user(user, locale))
        status, body = await fake_slack.FakeSlack.post(self.session.url, form)
        assert status == 200, body
        return self._seen(json.loads(body) if body.startswith("{") else {"text": body})

    async def press(self, button: str, *, user: str = ALICE, locale: str = "en-US") -> Seen:
        payload = self.session.fake.action(f"quote_{button}", self.token, user=self._user(user, locale))
        status, _ = await fake_slack.FakeSlack.post(self.session.url, {"payload": json.dumps(payload)})
        assert status == 200
        self.seen_responses += 1
        fake = self.session.fake

        def answered() -> list[Any] | None:
            replies = [c.body for c in fake.calls if c.method == "response_url"]
            return replies if len(replies) >= self.seen_responses else None

        return self._seen((await fake._until(answered, 10))[self.seen_responses - 1])


@contextlib.asynccontextmanager
async def started(name: str, library: Library, store: Store, cooldown: str) -> AsyncIterator[Front]:
    """A front end started against its fake platform (bounded: every wait in the fakes times out)."""
    if name == "console":
        yield ConsoleFront(library, store, cooldown)
    elif name == "discord":
        async with discord_session(library, store=store, cooldown=cooldown) as (fake, _client):
            yield DiscordFront(fake)
    else:
        async with slack_session(library, store=store, cooldown=cooldown, digest_admins_only=True) as session:
            yield SlackFront(session)


def _cooldown(request: pytest.FixtureRequest) -> str:
    marker = request.node.get_closest_marker("cooldown")
    return marker.args[0] if marker else "off"


@pytest_asyncio.fixture(params=["console", "discord", "slack"])
async def front(request: pytest.FixtureRequest, library: Library, tmp_path: Path) -> AsyncIterator[Front]:
    """Each front end in turn."""
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    async with started(request.param, library, store, _cooldown(request)) as running:
        yield running


@pytest_asyncio.fixture(params=["discord", "slack"])
async def shared_front(request: pytest.FixtureRequest, library: Library, tmp_path: Path) -> AsyncIterator[Front]:
    """The front ends where several people share a channel (the console has one user)."""
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    async with started(request.param, library, store, _cooldown(request)) as running:
        yield running


# -- commands ----------------------------------------------------------------------------------

async def test_a_search_answers_with_the_best_quote_and_its_speaker(front: Front) -> None:
    seen = await front.command("大模型 speaker:陈石")  # an English reader gets the English glosses
    assert "陈石" in seen.text and "Partner, Fengrui Capital" in seen.text and "not just China" in seen.text


async def test_a_chinese_reader_gets_the_original_alone(front: Front) -> None:
    seen = await front.command("大模型 speaker:陈石", locale="zh-CN")
    assert "陈石" in seen.text and "峰瑞资本投资合伙人" in seen.text and "not just China" not in seen.text


async def test_no_match_under_a_filter_says_who_does_speak_of_it(front: Front) -> None:
    seen = await front.command("算力 speaker:林莱尼")
    assert "No quote matches" in seen.text and "陈石, 马千里 speak of it." in seen.text


async def test_an_unknown_name_comes_back_with_the_closest(front: Front) -> None:
    seen = await front.command('算力 speaker:"chen shy"')
    assert seen.text == "No speaker is called chen shy. Closest: 陈石 (chen shi)."


async def test_chinese_users_get_chinese_answers(front: Front) -> None:
    seen = await front.command('算力 speaker:"chen shy"', locale="zh-CN")
    assert seen.text == "没有叫 chen shy 的发言人。最接近的：陈石 (chen shi)。"
    listing = await front.command("topics", locale="zh-CN")
    assert ("编号" if front.name == "console" else "5 个话题") in listing.text  # Chinese headers, or the title
    speakers = await front.command("speakers", locale="zh-CN")
    assert "主持人" in speakers.text and "moderator" not in speakers.text  # our own words, translated


async def test_help_lists_the_same_commands(front: Front) -> None:
    seen = await front.command("help")
    for example in ("random", "speakers", "topics", "digest subscribe 09:00"):
        assert example in seen.text
    assert "Filters: speaker: topic: panel:" in seen.text


@pytest.mark.cooldown("1/30")
async def test_the_cooldown_holds_for_commands(front: Front) -> None:
    await front.command("算力")
    assert (await front.command("随机")).text.startswith("Slow down a little")


async def test_digest_commands_answer_a_manager_and_refuse_others(front: Front) -> None:
    assert (await front.command("digest status")).text.startswith("No daily quote here.")
    if front.name != "console":  # the console's one user manages it
        assert (await front.command("digest status", user=BOB)).text == \
            "Only people who manage this place can change its daily quote."


# -- buttons ----------------------------------------------------------------------------------

async def test_the_asker_pages_and_the_page_is_edited_in_place(front: Front) -> None:
    first = await front.command("大模型")
    assert "1 of 5" in first.text and {"another", "context", "next", "prev"} <= set(first.buttons)
    paged = await front.press("next")
    assert "2 of 5" in paged.text and (paged.edited or front.name == "console")
    assert any(line.startswith(("»", ">")) for line in (await front.press("context")).text.splitlines())


async def test_someone_else_cannot_press_the_buttons_of_a_private_answer(shared_front: Front) -> None:
    await shared_front.command("大模型")
    for button in ("next", "send", "context", "another", "cancel", "card"):
        assert (await shared_front.press(button, user=BOB)).text == "Only the person who asked can use this button."
    assert shared_front.posts == 0


async def test_send_posts_once(shared_front: Front) -> None:
    await shared_front.command("奇瑞")
    await shared_front.press("send")
    assert (await shared_front.press("send")).text == "Already sent."
    assert shared_front.posts == 1


async def test_cancel_takes_the_preview_away_and_posts_nothing(shared_front: Front) -> None:
    await shared_front.command("奇瑞")
    assert (await shared_front.press("cancel")).edited
    assert await shared_front.removed() == 1 and shared_front.posts == 0


@pytest.mark.cooldown("2/30")
async def test_another_counts_against_the_cooldown(front: Front) -> None:
    await front.command("random")
    assert "Slow down" not in (await front.press("another")).text
    assert (await front.press("another")).text.startswith("Slow down a little")


async def test_refusals_are_in_the_pressers_language(shared_front: Front) -> None:
    await shared_front.command("大模型")
    assert (await shared_front.press("send", user=BOB, locale="zh-CN")).text == "只有提问的人可以使用这个按钮。"


# -- hostile text: from the data and from users ---------------------------------------------------

HOSTILE_NAME = "**Ada** @everyone <!channel> <@&9>"
HOSTILE_INPUT = "<@&123456> @everyone <!channel> **boom**"
HOSTILE_GLOSS = "**Loom** weaves @everyone <!channel> <@&7> _all_"
# What must never reach each platform as markup: a ping, a role mention, bold markdown.
UNSAFE = {"console": ["\033"], "discord": ["<@&9>", "<@&123456>", "<@&7>", "@everyone", "**Ada**", "**boom**", "**Loom**"],
          "slack": ["<!channel>", "<@&9>", "<@&123456>", "<@&7>", " _all_"]}


@pytest_asyncio.fixture(params=["console", "discord", "slack"])
async def hostile_front(request: pytest.FixtureRequest, write_panel: Any, tmp_path: Path) -> AsyncIterator[Front]:
    """Each front end over a panel whose speaker is named to ping everyone and break markup."""
    from .conftest import MINIMAL_PANEL

    panel = (MINIMAL_PANEL.format(panel_id="p").replace("name: Ada Lovelace", f'name: "{HOSTILE_NAME}"')
             .replace("title: Analyst", f'title: Analyst\n    title_en: "{HOSTILE_NAME}"')
             .replace("weaves algebraic patterns.", f'weaves algebraic patterns.\n    text_en: "{HOSTILE_GLOSS}"'))
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    async with started(request.param, library, store, "off") as running:
        yield running


async def test_names_from_the_data_and_words_from_users_are_shown_literally(hostile_front: Front) -> None:
    suggestion = await hostile_front.command("weaves speaker:host")  # Ada speaks of it, the host does not
    typed = await hostile_front.command(f'weaves speaker:"{HOSTILE_INPUT}"')
    answer = await hostile_front.command("weaves")
    assert "Loom" in answer.text  # the English reader's gloss, shown literally too
    for seen in (suggestion, typed, answer):
        assert "Ada" in seen.text
        assert not [unsafe for unsafe in UNSAFE[hostile_front.name] if unsafe in seen.markup], seen.markup
    assert suggestion.text.startswith("No quote matches") and typed.text.startswith("No speaker is called")
