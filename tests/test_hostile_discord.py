"""Discord interactions of unexpected shapes, through the real discord.py client: every one gets
its answer or a clear one-line private error, and the log a line, never a traceback."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

discord = pytest.importorskip("discord", reason="discord.py is installed with the test extras")

import bot  # noqa: E402
from adapters.discord.interactions import BUTTON_ID  # noqa: E402
from bot.library import Library  # noqa: E402

from .fakes.discord import FakeDiscord  # noqa: E402
from .fakes.harness import Run, discord_session, on_a_thread  # noqa: E402

COMMAND, BUTTON_PRESS, AUTOCOMPLETE, MODAL = 2, 3, 4, 5
EPHEMERAL = 64
EXPIRED = "These buttons have expired; ask again."
Served = tuple[FakeDiscord, Run[Any]]


def no_command(name: str) -> str:
    return f"There is no command {name}; try help."


def bad_value(name: str) -> str:
    return f"{name}: needs a value, like {name}:name."


def option(name: str, value: Any, kind: int = 3, **more: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value, **more}


def command(name: str = "quote", *options: Any, **fields: Any) -> dict[str, Any]:
    """A slash command's data as Discord sends it, with these options (or `fields` of any shape)."""
    return {"id": "1", "name": name, "type": 1, "options": list(options), **fields}


@pytest.fixture(scope="module")
def served(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One fake Discord and connected client (with /quote-digest) for every case of a test module."""
    from bot import Store

    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('state') / 'state.sqlite3'}")
    with on_a_thread(discord_session(library, store=store)) as ((fake, _client), run):
        yield fake, run


def answer(served: Served, kind: int, data: Any, on: Any = None, **sent: Any) -> dict[str, Any]:
    """The callback the client made for an interaction of `kind` carrying `data`, from a message
    with the button `on` when one is given."""
    fake, run = served
    message = fake.button_message(on) if on is not None else None
    return run(fake.callback_for(run(fake.interact(kind, data, message=message, **sent)))).body  # type: ignore[no-any-return]


def press(custom_id: Any, component_type: int = 2) -> dict[str, Any]:
    return {"custom_id": custom_id, "component_type": component_type}


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warning lines logged, once nothing louder was: no error, no traceback."""
    assert [r for r in caplog.records if r.levelno > logging.WARNING or r.exc_info or r.exc_text] == []
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


COMMANDS: dict[str, tuple[Any, str]] = {
    "a keyword that is a list": (command("quote", option("keyword", ["算力"])), bad_value("keyword")),
    "a keyword that is an object": (command("quote", option("keyword", {"a": 1})), bad_value("keyword")),
    "a keyword that is a number": (command("quote", option("keyword", 5)), bad_value("keyword")),
    "a keyword sent as an integer option": (command("quote", option("keyword", 5, kind=4)), bad_value("keyword")),
    "a keyword without a value": (command("quote", {"name": "keyword", "type": 3}), bad_value("keyword")),
    "private as a string": (command("quote", option("private", "yes", kind=5)), bad_value("private")),
    "options that are null": (command(options=None), no_command("quote")),
    "options that are an object": (command(options={"keyword": "算力"}), no_command("quote")),
    "an option that is a string": (command(options=["keyword"]), no_command("quote ?")),
    "an option without a name": (command("quote", {"type": 3, "value": "算力"}), no_command("quote ?")),
    "an option the command does not take": (command("quote", option("zzz", "算力")), no_command("quote zzz")),
    "a subcommand of a command without any": (command("quote-help", {"name": "x", "type": 1}),
                                              no_command("quote-help x")),
    "an unknown command": (command("nope"), no_command("nope")),
    "an unknown subcommand": (command("quote-digest", {"name": "nope", "type": 1, "options": []}),
                              no_command("quote-digest nope")),
    "a group without its subcommand": (command("quote-digest"), no_command("quote-digest")),
    "a context menu of a slash command's name": (command(type=2), no_command("quote")),
    "resolved users for a command that takes none": (command(resolved={"users": "x"}), no_command("quote")),
    "a guild id that is not a snowflake": (command(guild_id="here"), no_command("quote")),
    "data that is a string": ("quote", no_command("?")),
    "data that is null": (None, no_command("?")),
    "data that is a list": ([command()], no_command("?")),
    "a name that is not a string": ({"id": "1", "name": ["quote"], "type": 1}, no_command("?")),
}


@pytest.mark.parametrize("case", COMMANDS)
def test_a_command_of_an_unexpected_shape_gets_a_clear_private_error(served: Served, caplog: pytest.LogCaptureFixture,
                                                                     case: str) -> None:
    caplog.set_level(logging.INFO)
    data, expected = COMMANDS[case]
    body = answer(served, COMMAND, data)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == expected
    assert len(warnings(caplog)) == 1


def test_a_command_with_no_options_at_all_is_answered(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = answer(served, COMMAND, {"id": "1", "name": "quote", "type": 1})
    assert body["type"] == 4 and body["data"]["embeds"]  # a random quote, as /quote with nothing typed gives
    assert warnings(caplog) == []


AUTOCOMPLETES: dict[str, Any] = {
    "focused on an option without autocomplete": command("quote", option("keyword", "算", focused=True)),
    "nothing focused": command("quote", option("speaker", "chen")),
    "two options focused": command("quote", option("speaker", "chen", focused=True),
                                   option("topic", "感", focused=True)),
    "a focused value that is a number": command("quote", option("speaker", 5, focused=True)),
    "options that are null": command(options=None),
    "data that is a string": "quote",
}


@pytest.mark.parametrize("case", AUTOCOMPLETES)
def test_an_autocomplete_of_an_unexpected_shape_gets_no_choices(served: Served, caplog: pytest.LogCaptureFixture,
                                                                case: str) -> None:
    caplog.set_level(logging.INFO)
    body = answer(served, AUTOCOMPLETE, AUTOCOMPLETES[case])
    assert body == {"type": 8, "data": {"choices": []}}
    assert len(warnings(caplog)) == 1


HUGE, HUGE_TOKEN = "pq:" + "x" * 100_000, "pq:another:" + "a" * 100_000
PRESSES: dict[str, tuple[int, Any, Any]] = {  # kind, data, the button on the message it came from
    "a press whose data is a string": (BUTTON_PRESS, "pq:another:x", "pq:another:x"),
    "a press whose data is null": (BUTTON_PRESS, None, "pq:another:x"),
    "a press whose data is a list": (BUTTON_PRESS, [press("pq:another:x")], "pq:another:x"),
    "a garbage custom id": (BUTTON_PRESS, press("\x00garbage"), "\x00garbage"),
    "a custom id that is a number": (BUTTON_PRESS, press(5), 5),
    "a huge custom id": (BUTTON_PRESS, press(HUGE), HUGE),
    "a huge token in one of our custom ids": (BUTTON_PRESS, press(HUGE_TOKEN), HUGE_TOKEN),
    "a select menu with our custom id": (BUTTON_PRESS, press("pq:another:x", 3), "pq:another:x"),
    "a press on a message without that button": (BUTTON_PRESS, press("pq:another:x"), "pq:another:y"),
    "a press from no message": (BUTTON_PRESS, press("pq:another:x"), None),
    "a modal this bot never opened": (MODAL, {"custom_id": "form", "components": []}, None),
    "a ping": (1, None, None),
    "an interaction of an unknown kind": (99, {"custom_id": "pq:another:x"}, None),
}


@pytest.mark.parametrize("case", PRESSES)
def test_a_press_of_nothing_this_bot_made_says_the_buttons_expired(served: Served, caplog: pytest.LogCaptureFixture,
                                                                   case: str) -> None:
    caplog.set_level(logging.INFO)
    kind, data, on = PRESSES[case]
    body = answer(served, kind, data, on)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert body["data"]["content"] == EXPIRED
    assert len(warnings(caplog)) <= 1  # a huge token of ours is the core's to refuse: no warning


def test_errors_are_in_the_users_language(served: Served) -> None:
    said = answer(served, COMMAND, command("quote", option("keyword", ["算力"])), locale="zh-CN")
    assert said["data"]["content"] == "keyword：后面要写值，例如 keyword:姓名。"
    assert answer(served, BUTTON_PRESS, press(5), 5, locale="zh-CN")["data"]["content"] == "按钮已过期，请重新提问。"


def test_the_client_keeps_answering_after_every_hostile_interaction(served: Served) -> None:
    for data, _ in COMMANDS.values():
        answer(served, COMMAND, data)
    for kind, data, on in PRESSES.values():
        answer(served, kind, data, on)
    fake, run = served
    body = run(fake.callback_for(run(fake.command("quote", {"keyword": "算力"})))).body
    assert "**算力**" in body["data"]["embeds"][0]["description"]


def test_an_interaction_nobody_could_answer_is_dropped_with_one_line(served: Served,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    fake, run = served
    caplog.set_level(logging.INFO)
    run(fake.dispatch("INTERACTION_CREATE", {"type": 3, "data": "x"}))  # no id, no token: no way to answer
    body = run(fake.callback_for(run(fake.command("quote", {"keyword": "算力"})))).body
    assert body["data"]["embeds"]  # and the client goes on
    assert len(warnings(caplog)) == 1


def test_a_sharded_client_answers_them_too(library: Library) -> None:
    with on_a_thread(discord_session(library, shard_count=1)) as ((fake, _client), run):
        answered = run(fake.callback_for(run(fake.interact(BUTTON_PRESS, "x", message=fake.button_message("x")))))
        assert answered.body["data"]["content"] == EXPIRED


# -- fuzzing: interactions of any shape, through the real client, on one fake for the whole test -----

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=12)
NAMES = ["quote", "quote-help", "quote-speakers", "quote-topics", "quote-digest", "subscribe", "status", "keyword",
         "speaker", "topic", "panel", "private", "time", "timezone"]
SORRY = {bot.translate(bot.message("sorry"), language) for language in ("en", "zh_Hans")}


def options(depth: int = 2) -> st.SearchStrategy[Any]:
    """A command's options as Discord shapes them (subcommands inside), with any JSON anywhere."""
    value = st.text(max_size=20) | st.booleans() | JSON
    one = st.fixed_dictionaries({"name": st.sampled_from(NAMES) | JSON, "type": st.sampled_from([1, 2, 3, 4, 5, 10]) | JSON,
                                 "value": value},
                                optional={"focused": st.booleans() | JSON,
                                          **({"options": options(depth - 1)} if depth else {})})
    return st.lists(one | JSON, max_size=3) | JSON


COMMAND_DATA = st.fixed_dictionaries({"id": st.just("1"), "name": st.sampled_from(NAMES) | JSON,
                                      "type": st.just(1) | JSON},
                                     optional={"options": options(), "resolved": JSON, "guild_id": JSON})


def typed(names: list[str], *, flags: tuple[str, ...] = ()) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Options these commands declare, each of its declared type (now and then any JSON instead)."""
    text = st.fixed_dictionaries({"name": st.sampled_from(names), "type": st.just(3), "value": st.text(max_size=20) | JSON},
                                 optional={"focused": st.booleans()})
    flag = st.fixed_dictionaries({"name": st.sampled_from(flags or ("",)), "type": st.just(5), "value": st.booleans()})
    return st.lists(text | flag if flags else text, max_size=3, unique_by=lambda o: o["name"])


SUBCOMMANDS = st.sampled_from(["unsubscribe", "status", "preview"]).map(lambda n: {"name": n, "type": 1}) | typed(
    ["time", "timezone", "topic", "speaker", "panel"]).map(lambda o: {"name": "subscribe", "type": 1, "options": o})
PLAUSIBLE_COMMANDS = st.one_of(  # the commands this bot declares, shaped as declared
    typed(["keyword", "speaker", "topic", "panel"], flags=("private",)).map(lambda o: command("quote", *o)),
    st.sampled_from(["quote-help", "quote-speakers", "quote-topics"]).map(command),
    SUBCOMMANDS.map(lambda sub: command("quote-digest", sub)))
PRESS_DATA = st.fixed_dictionaries({"custom_id": st.from_regex(BUTTON_ID, fullmatch=True) | st.text(max_size=30) | JSON,
                                    "component_type": st.just(2) | JSON})
INTERACTIONS = st.one_of(st.tuples(st.sampled_from([COMMAND, AUTOCOMPLETE]), PLAUSIBLE_COMMANDS),
                         st.tuples(st.sampled_from([COMMAND, AUTOCOMPLETE]), COMMAND_DATA | JSON),
                         st.tuples(st.just(BUTTON_PRESS), PRESS_DATA | JSON),
                         st.tuples(st.sampled_from([1, MODAL, 99]) | st.integers(), JSON))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interaction=INTERACTIONS, locale=st.sampled_from(["en-US", "zh-CN", "fr"]))
def test_fuzz_every_interaction_gets_an_answer_or_a_clear_error(served: Served, interaction: tuple[int, Any],
                                                                locale: str) -> None:
    fake, run = served
    kind, data = interaction
    custom_id = data.get("custom_id") if isinstance(data, dict) else None
    message = fake.button_message(custom_id) if kind == BUTTON_PRESS else None  # the message a press came from
    with logged() as records:
        started = time.perf_counter()
        sent = run(fake.interact(kind, data, message=message, locale=locale))
        try:
            body = run(fake.callback_for(sent)).body
        except TimeoutError:
            raise AssertionError(f"no answer to a {kind} carrying {data!r:.300}") from None
        took = time.perf_counter() - started
    assert body["type"] == (8 if kind == AUTOCOMPLETE else 4), body  # choices, or a message: never silence
    assert took < 2.0
    content = (body.get("data") or {}).get("content")
    assert content not in SORRY and (content or body["data"].get("embeds") or kind == AUTOCOMPLETE), body
    assert [r.getMessage() for r in records if r.levelno > logging.WARNING or r.exc_info or r.exc_text] == []


@contextlib.contextmanager
def logged() -> Iterator[list[logging.LogRecord]]:
    """Every record logged (from any thread) while the block runs."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    level, root.level = root.level, logging.INFO
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
