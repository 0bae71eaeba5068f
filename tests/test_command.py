"""The shared command language and the console that speaks it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.chat.command import Command, DigestOrder, Query, parse_command, parse_console_line
from bot.errors import QuoteBotError
from bot.library import Library
from bot.terminal.console import run

from .conftest import Ran


@pytest.mark.parametrize(("text", "expected"), [
    ("算力", Command("search", Query("算力"))),
    ("大模型 speaker:陈石", Command("search", Query("大模型", speaker="陈石"))),
    ("大模型 speaker：陈石", Command("search", Query("大模型", speaker="陈石"))),
    ("发言人:陈石 算力", Command("search", Query("算力", speaker="陈石"))),
    ('speaker:"chen shi" 算力', Command("search", Query("算力", speaker="chen shi"))),
    ("speaker:“chen shi” 算力", Command("search", Query("算力", speaker="chen shi"))),
    ("话题:同质化 创新", Command("search", Query("创新", topic="同质化"))),
    ("topic:感受", Command("random", Query(topic="感受"))),
    ("random", Command("random", Query())),
    ("random speaker:林莱尼", Command("random", Query(speaker="林莱尼"))),
    ("", Command("random", Query())),
    ("help", Command("help", Query())),
    ("speakers", Command("speakers", Query())),
    ("topics", Command("topics", Query())),
    ("context chen-shi-3", Command("context", Query(), "chen-shi-3")),
    ("digest subscribe 08:00 Etc/GMT+8 topic:感受", Command("digest", Query(topic="感受"),
                                                        digest=DigestOrder("subscribe", "08:00", "Etc/GMT+8"))),
    ("digest status", Command("digest", Query(), digest=DigestOrder("status"))),
    ("help me", Command("search", Query("help me"))),
    ("GPT4: 能力", Command("search", Query("GPT4: 能力"))),
])
def test_parse_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["speaker:", "speaker:a speaker:b", "context", "context a b", "digest",
                                  "digest subscribe 09:00 10:00", "digest status now"])
def test_parse_command_errors_say_what_is_wrong(text: str) -> None:
    with pytest.raises(QuoteBotError):
        parse_command(text)


@pytest.mark.parametrize(("line", "action"), [
    ("/quote 算力", "search"), ("/help", "help"), ("/quit", "quit"), ("/exit", "quit"), ("/speakers", "speakers"),
    ("/random", "random"), ("算力", "search"), ("/quote", "random"),
])
def test_console_lines(line: str, action: str) -> None:
    assert parse_console_line(line).action == action


def test_unknown_console_command_is_an_error() -> None:
    with pytest.raises(QuoteBotError, match="unknown command /frobnicate"):
        parse_console_line("/frobnicate")


def console(library: Library, *lines: str, color: bool = False,
            env: dict[str, str] | None = None) -> list[str]:
    """What the console answers to `lines`, one reply each."""
    import io

    out = io.StringIO()
    out.isatty = lambda: color  # type: ignore[method-assign]
    environ = {"LANG": "C", "TERM": "xterm", **(env or {})}
    run(library, [*lines, "/quit"], out, env=environ)
    text = out.getvalue()
    return text.rstrip("\n").split("\n\n")


def test_console_answer_highlights_and_attributes(library: Library) -> None:
    text = console(library, "/quote 算力 speaker:陈石")[0]  # an English reader: the glosses too
    assert "【算力】" in text and "\n    In terms of compute," in text
    assert "— 陈石 · Partner, Fengrui Capital" in text
    assert "New Opportunities for AIGC in China" in text and "2023-03-29" in text
    chinese = console(library, "/quote 算力 speaker:陈石", env={"LANG": "zh_CN.UTF-8"})[0]
    assert "— 陈石 · 峰瑞资本投资合伙人" in chinese and "中国 AIGC 新机遇" in chinese and "compute" not in chinese


def test_console_answer_in_colour(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert "\033[1;33m算力\033[0m" in console(library, "/quote 算力", color=True)[0]


def test_console_wraps_to_the_width(library: Library) -> None:
    from bot import Actor, Chat, Place
    from bot.terminal.console import show
    from bot.terminal.render import width_of

    reply = Chat(library).ask("大力出奇迹", Actor("me"), Place("console", "console"))
    text = show(reply, "en", width=40)
    quote_lines = [line.replace("【", "").replace("】", "") for line in text.splitlines()
                   if line.strip() and not line.startswith(("    — ", "      "))]
    assert len(quote_lines) >= 3
    # A line may overrun by one closing punctuation mark, which never starts a line.
    assert all(sum(width_of(c) for c in line.rstrip("，。,.;")) <= 40 for line in quote_lines)
    assert not any(line.strip() and line.strip()[0] in "，。" for line in text.splitlines())


def test_console_session_survives_bad_commands(library: Library) -> None:
    replies = console(library, "/quote 算力 speaker:nobody", "/frobnicate", "/quote 奇瑞", "/quit", "/quote 不会执行")
    assert replies[0].startswith("No speaker is called nobody. Closest: ")
    assert replies[1] == "There is no command frobnicate; try help."
    assert "【奇瑞】" in replies[2]
    assert not any("不会执行" in reply for reply in replies)


def test_console_answers_in_chinese_when_the_shell_speaks_it(library: Library) -> None:
    replies = console(library, "/quote 算力 speaker:nobody", "/speakers", env={"LANG": "zh_CN.UTF-8"})
    assert replies[0].startswith("没有叫 nobody 的发言人。最接近的：")
    assert replies[1].splitlines()[0].split()[:3] == ["编号", "姓名", "头衔"]
    assert console(library, "/help", env={"LANG": "zh_CN.UTF-8", "QUOTES_LOCALE": "en"})[0].startswith("Quotes from")


def test_the_console_types_the_buttons_under_its_last_answer(library: Library) -> None:
    replies = console(library, "/quote 大模型", "/next", "/context", "/another", "/send")
    assert "1 of 5" in replies[0] and "/next" in replies[0]
    assert "2 of 5" in replies[1]
    assert any(line.startswith("»") for reply in replies for line in reply.splitlines())
    assert "/another" in replies[-2]
    assert replies[-1] == "There is no command send; try help."


def test_console_from_the_command_line_reads_standard_input(cli_main: Callable[..., Ran]) -> None:
    done = cli_main(input="/quote topic:感受\n/quote 大模型 speaker:陈石\n/quote random\n/help\n/quit\n",
                   env={"LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("— 陈石") >= 1
    assert "Quotes from the panel discussions. Commands:" in done.stdout
    assert done.stderr == ""


def test_no_match_says_so(library: Library) -> None:
    assert console(library, "/quote 算力 speaker:林莱尼")[0] == "No quote matches '算力' speaker:林莱尼. 陈石, 马千里 speak of it."
    assert console(library, "/quote 不存在的词")[0] == "No quote matches '不存在的词'."


def test_bare_quit_leaves_and_a_button_before_any_answer_says_so(library: Library) -> None:
    replies = console(library, "/next", "quit", "/quote 奇瑞")
    assert replies == ["Nothing is shown yet: ask for a quote first."]


def test_full_width_digits_are_a_time() -> None:
    import datetime as dt

    from bot.digest.schedule import is_time, parse_time

    assert parse_time("０９：３０") == dt.time(9, 30) and is_time("０９：３０") and not is_time("Etc/GMT+8")
