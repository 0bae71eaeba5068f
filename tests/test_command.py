"""The shared command language and the console that speaks it."""

from __future__ import annotations

import pytest

from bot.chat.command import Command, Query, parse_command, parse_console_line
from bot.errors import QuoteBotError
from bot.library import Library
from bot.terminal.console import answer, run

from .conftest import run_cli


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
    ("help me", Command("search", Query("help me"))),
    ("GPT4: 能力", Command("search", Query("GPT4: 能力"))),
])
def test_parse_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["speaker:", "speaker:a speaker:b", "context", "context a b"])
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


def test_console_answer_highlights_and_attributes(library: Library) -> None:
    text = answer(library, parse_console_line("/quote 算力 speaker:陈石"))
    assert "【算力】" in text
    assert "— 陈石 · 峰瑞资本投资合伙人" in text
    assert "中国 AIGC 新机遇" in text and "2023-03-29" in text


def test_console_answer_in_colour(library: Library) -> None:
    assert "\033[1;33m算力\033[0m" in answer(library, parse_console_line("/quote 算力"), color=True)


def test_console_wraps_to_the_width(library: Library) -> None:
    from bot.terminal.render import _width

    text = answer(library, parse_console_line("/quote 大力出奇迹"), width=40)
    quote_lines = [line.replace("【", "").replace("】", "") for line in text.splitlines()
                   if line.strip() and not line.startswith(("    — ", "      "))]
    assert len(quote_lines) > 5
    # A line may overrun by one closing punctuation mark, which never starts a line.
    assert all(sum(_width(c) for c in line.rstrip("，。")) <= 40 for line in quote_lines)
    assert not any(line.strip() and line.strip()[0] in "，。" for line in text.splitlines())


def test_console_session_survives_bad_commands(library: Library) -> None:
    import io

    out = io.StringIO()
    run(library, ["/quote 算力 speaker:nobody", "/frobnicate", "/quote 奇瑞", "/quit", "/quote 不会执行"], out)
    replies = out.getvalue().split("\n\n")
    assert replies[0].startswith("error: unknown speaker 'nobody'")
    assert replies[1] == "error: unknown command /frobnicate; try /help"
    assert "【奇瑞】" in replies[2]
    assert "不会执行" not in out.getvalue()


def test_console_from_the_command_line_reads_standard_input() -> None:
    done = run_cli(input="/quote topic:感受\n/quote 大模型 speaker:陈石\n/quote random\n/help\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("— 陈石") >= 1
    assert "Commands (the same as /quote in Slack)" in done.stdout
    assert done.stderr == ""


def test_no_match_under_a_filter_names_who_does_speak_of_it(library: Library) -> None:
    text = answer(library, parse_console_line("/quote 算力 speaker:林莱尼"))
    assert text == "No quote matches '算力' speaker:林莱尼. 陈石 and 马千里 speak of it."
    assert answer(library, parse_console_line("/quote 不存在的词")) == "No quote matches '不存在的词'."
