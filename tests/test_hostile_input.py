"""What people type, at its worst: any text of any length costs time linear in it, undecodable
bytes and lone surrogates are shown as U+FFFD, and every answer is an answer or a one-line error."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import Actor, Answer, Chat, Cooldown, MemoryState, Notice, Place, SqlState, Store
from bot.chat.command import MAX_COMMAND_CHARS, parse_command, parse_console_line, tokens
from bot.errors import QuoteBotError
from bot.library import Library

from .conftest import Ran

ALICE, HERE = Actor("U-alice"), Place("test", "C1")
# What command text is made of, weighted towards what the parser cares about.
PIECES = st.one_of(st.text(max_size=8), st.sampled_from(['"', "“", "”", "'", "「", "」", ":", "：", " ", "\t",
                                                         "speaker:", "topic：", "digest", "subscribe", "\ud800",
                                                         "\udcff", "随机", "context"]))
COMMANDS = st.lists(PIECES, max_size=60).map("".join)


@pytest.mark.parametrize("text", [
    '"' * MAX_COMMAND_CHARS, "“" * MAX_COMMAND_CHARS, "“ " * (MAX_COMMAND_CHARS // 2),
    "a:" * (MAX_COMMAND_CHARS // 2), ':"' * (MAX_COMMAND_CHARS // 2), "speaker:“" * (MAX_COMMAND_CHARS // 9),
])
def test_the_worst_commands_within_the_limit_parse_at_once(text: str) -> None:
    started = time.perf_counter()
    try:
        parse_command(text)
    except QuoteBotError as error:  # an empty filter: said in one line
        assert "\n" not in str(error)
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize("length", [32_000, 1_000_000])
def test_a_command_over_the_limit_is_refused_in_one_line(length: int, library: Library) -> None:
    started = time.perf_counter()
    reply = Chat(library, cooldown=Cooldown.parse("off")).ask('"' * length, ALICE, HERE)
    assert isinstance(reply, Notice) and reply.error
    assert reply.messages[0].key == "bad.command_too_long" and reply.messages[0].params["most"] == MAX_COMMAND_CHARS
    assert time.perf_counter() - started < 0.05
    started = time.perf_counter()
    for count in (10, 100, 1000, 10_000, 100_000):  # cutting is linear in the text, however long
        tokens("“ " * count)
    assert time.perf_counter() - started < 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(COMMANDS)
def test_any_text_parses_or_says_why(text: str) -> None:
    started = time.perf_counter()
    pieces = tokens(text)
    at = 0
    for piece in pieces:  # the pieces are the text's own, in order, and leave out only spaces
        found = text.index(piece.text, at)
        assert not text[at:found].strip()
        at = found + len(piece.text)
    assert not text[at:].strip()
    try:
        parse_command(text)
        parse_console_line(text)
    except QuoteBotError as error:
        assert str(error) and "\n" not in str(error)
    assert time.perf_counter() - started < 0.5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=COMMANDS)
def test_any_text_gets_an_answer_that_can_be_stored_and_shown(text: str, library: Library, tmp_path: Path) -> None:
    chat = Chat(library, cooldown=Cooldown.parse("off"), state=SqlState(Store.open(f"sqlite:///{tmp_path / 's'}").engine))
    reply = chat.ask(text, ALICE, HERE)
    if isinstance(reply, Answer):
        assert isinstance(chat.press(reply.token, "next", ALICE, HERE), (Answer, Notice))
    repr(reply).encode("utf-8")  # no lone surrogate survives into an answer


def test_a_lone_surrogate_anywhere_is_shown_as_a_replacement(library: Library, tmp_path: Path) -> None:
    chat = Chat(library, state=SqlState(Store.open(f"sqlite:///{tmp_path / 's'}").engine))
    answer = chat.ask("算力\udcff speaker:陈\ud800", ALICE, HERE)
    assert isinstance(answer, Notice) and "陈\ufffd" in repr(answer.messages)  # unknown speaker, said plainly
    assert isinstance(chat.ask("算力\udcff", ALICE, HERE), Answer)
    expired = chat.press("tok\udcff", "next", ALICE, HERE)
    assert isinstance(expired, Notice) and expired.messages[0].key == "refused.expired"
    assert isinstance(Chat(library, state=MemoryState()).press("\ud800", "\udc00", ALICE, HERE), Notice)


@pytest.mark.parametrize("args", [
    ("search", "算力\udcff"), ("search", "算力", "--speaker", "\udcffchen"), ("random", "--topic", "\udcff"),
    ("digest", "--channel", "C\udcff", "--date", "2024-01-01"), ("context", "\udcff"),
])
def test_undecodable_bytes_in_arguments_are_never_an_internal_error(args: tuple[str, ...],
                                                                    cli_main: Callable[..., Ran]) -> None:
    ran = cli_main(*args)
    assert ran.code in (0, 2) and "internal error" not in ran.err
    (ran.out + ran.err).encode("utf-8")


def test_an_undecodable_byte_on_the_consoles_input_does_not_end_it(monkeypatch: pytest.MonkeyPatch,
                                                                   cli_main: Callable[..., Ran]) -> None:
    typed = "/quote 算力\n".encode() + b"\xff\xfe \xc3\n" + "/quote 奇瑞\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8"))
    ran = cli_main("console")
    assert ran.code == 0 and "陈石" in ran.out and "奇瑞" in ran.out


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("DATABASE_URL", "nonsense", "DATABASE_URL='nonsense': expected postgresql://USER:PASSWORD@HOST:5432/DATABASE"),
    ("DATABASE_URL", "mysql://root:hunter2@db/quotes", "DATABASE_URL='mysql://…': expected postgresql://"),
    ("QUOTES_RELOAD_SECONDS", "abc", "QUOTES_RELOAD_SECONDS='abc': expected seconds between 0.1 and 86,400, or 0"),
    ("QUOTES_RELOAD_SECONDS", "-1", "QUOTES_RELOAD_SECONDS='-1': expected seconds"),
    ("HEALTH_PORT", "99999", "HEALTH_PORT='99999': expected a port number (1-65535), or 0"),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD': expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("LOG_FORMAT", "xml", "LOG_FORMAT='xml': expected text or json"),
    ("QUOTE_COOLDOWN", "5/abc", "QUOTE_COOLDOWN='5/abc': expected COMMANDS/SECONDS such as 5/30, or off"),
    ("DIGEST_DEFAULT_TZ", "../../etc/passwd", "DIGEST_DEFAULT_TZ='../../etc/passwd': expected a time zone"),
    ("QUOTES_LOCALE", "xx", "QUOTES_LOCALE='xx': expected a language the bot speaks: en, zh_Hans"),
])
def test_a_bad_setting_is_one_line_naming_it_from_check_and_run(name: str, value: str, expected: str,
                                                                cli_main: Callable[..., Ran], tmp_path: Path) -> None:
    env = {name: value, "QUOTES_STATE_DIR": str(tmp_path)}
    checked = cli_main("check", env=env)
    assert checked.code == 1 and checked.out.startswith(expected) and len(checked.out.splitlines()) == 1
    ran = cli_main("run", env=env, input="/quote 算力\n")
    assert ran.code == 2 and ran.err == f"python -m bot: error: {checked.out}" and "hunter2" not in ran.err


def test_a_shared_setting_is_named_once_however_many_platforms_read_it(cli_main: Callable[..., Ran],
                                                                       tmp_path: Path) -> None:
    env = {"QUOTE_COOLDOWN": "5/abc", "DIGEST_DEFAULT_TZ": "Mars/Base", "DISCORD_TOKEN": "a.b.c",
           "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "QUOTES_STATE_DIR": str(tmp_path)}
    checked = cli_main("check", env=env)
    lines = checked.out.splitlines()
    assert checked.code == 1 and len(lines) == len(set(lines))
    assert sum(line.startswith("QUOTE_COOLDOWN='5/abc'") for line in lines) == 1
    assert sum(line.startswith("DIGEST_DEFAULT_TZ='Mars/Base'") for line in lines) == 1
