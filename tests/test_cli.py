"""The command line as a user runs it: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import PANEL_ID, Ran, recorded_panel

HIT_FIELDS = {"id", "speaker", "speaker_id", "title", "topic", "topic_id", "panel", "text", "start", "link"}


def run_json(cli_main: Callable[..., Ran], *args: str) -> Any:
    done = cli_main(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_search_json_has_the_documented_fields(cli_main: Callable[..., Ran]) -> None:
    hits = run_json(cli_main, "search", "算力", "--speaker", "chen shi")
    assert hits[0]["id"] == f"{PANEL_ID}/chen-shi-11"
    assert hits[0].keys() >= HIT_FIELDS
    assert hits[0]["speaker"] == "陈石" and hits[0]["speaker_id"] == "chen-shi"
    assert hits[0]["title"] == "峰瑞资本投资合伙人"
    assert hits[0]["topic"] == "中国 AIGC 新机遇" and hits[0]["panel"] == PANEL_ID
    start, end = hits[0]["spans"][0]
    assert hits[0]["text"][start:end] == "算力"


def test_search_limit_and_filters(cli_main: Callable[..., Ran]) -> None:
    hits = run_json(cli_main, "search", "模型", "--limit", "3", "--topic", "同质化")
    assert len(hits) == 3 and {h["topic_id"] for h in hits} == {"tong-zhi-hua-he-chuang-xin"}


def test_search_with_no_match_is_an_empty_list(cli_main: Callable[..., Ran]) -> None:
    assert run_json(cli_main, "search", "算力", "--speaker", "林莱尼") == []


def test_random_and_digest_give_one_object(cli_main: Callable[..., Ran]) -> None:
    assert run_json(cli_main, "random", "--speaker", "马千里").keys() >= HIT_FIELDS
    one = run_json(cli_main, "digest", "--channel", "general", "--date", "2026-11-28")
    assert one.keys() >= HIT_FIELDS
    assert one == run_json(cli_main, "digest", "--channel", "general", "--date", "2026-11-28")


def test_listings(cli_main: Callable[..., Ran]) -> None:
    speakers = run_json(cli_main, "speakers")
    assert {"id": "chen-shi", "name": "陈石", "title": "峰瑞资本投资合伙人", "role": "panelist", "paragraphs": 14,
            "count": 14, "panel": PANEL_ID} in speakers
    assert run_json(cli_main, "topics")[0]["name"] == "感受"
    [panel] = run_json(cli_main, "panels")
    assert (panel["id"], panel["quotes"], panel["questions"], panel["count"]) == (PANEL_ID, 34, 6, 40)


def test_listings_have_column_headers_and_the_banner_counts_as_panels_does(cli_main: Callable[..., Ran]) -> None:
    import io

    import bot
    from bot.terminal.console import run

    listing = cli_main("panels").out.splitlines()
    assert listing[0].split() == ["id", "title", "event", "date", "quotes", "questions"]
    assert listing[2].split()[-2:] == ["34", "6"]
    assert cli_main("speakers").out.splitlines()[0].split() == ["id", "name", "title", "role", "paragraphs", "panel"]
    out = io.StringIO()
    run(bot.load_library(), ["/topics"], out=out, env={})
    assert out.getvalue().splitlines()[0].split() == ["id", "name", "quotes", "panel"]


def test_the_prompt_reads_like_a_shell() -> None:
    """Ctrl-C drops the line being typed; a second one in a row, or Ctrl-D, leaves on a fresh line."""
    import io

    from bot.terminal.console import typed_lines

    def keys(*typed: str | type[BaseException]) -> Callable[[str], str]:
        pressed = iter(typed)

        def read(prompt: str) -> str:
            key = next(pressed)
            if isinstance(key, type):
                raise key
            return key

        return read

    out = io.StringIO()
    lines = list(typed_lines(keys("/help", KeyboardInterrupt, "/speakers", KeyboardInterrupt, KeyboardInterrupt), out))
    assert lines == ["/help", "/speakers"] and out.getvalue().endswith("\n")
    assert "Ctrl-C again" in out.getvalue()
    out = io.StringIO()
    assert list(typed_lines(keys("/topics", EOFError), out)) == ["/topics"] and out.getvalue() == "\n"


def test_export_includes_the_moderator_with_roles(cli_main: Callable[..., Ran]) -> None:
    quotes = run_json(cli_main, "export")
    assert len(quotes) == 40
    assert sum(q["role"] == "moderator" for q in quotes) == 6
    assert [q["position"] for q in quotes] == list(range(1, 41))


def test_context_json(cli_main: Callable[..., Ran]) -> None:
    ctx = run_json(cli_main, "context", "chen-shi-3")
    assert ctx["question"]["speaker_id"] == "jin-lei"
    assert [q["quote_id"] for q in ctx["before"] + ctx["after"]] == ["chen-shi-2", "ma-qian-li-1"]


def test_text_output_is_readable(cli_main: Callable[..., Ran]) -> None:
    done = cli_main("search", "奇瑞", env={"QUOTES_LOCALE": "zh"})
    assert "【奇瑞】" in done.stdout and "— 马千里 · 无界 AI 联合创始人" in done.stdout
    english = cli_main("search", "奇瑞", env={"QUOTES_LOCALE": "en"})  # the gloss beneath, and the English title
    assert "【奇瑞】" in english.stdout and "Chery" in english.stdout and "— 马千里 · Co-founder, Wujie AI" in english.stdout
    parts = cli_main("search", "强化训练", env={"QUOTES_LOCALE": "en"})
    assert parts.stderr.startswith("No quote says 强化训练 as a whole; these say part of it.")


@pytest.mark.parametrize(("args", "message"), [
    (["search", "x", "--limit", "0"], "argument --limit: must be between 1 and 100, not 0"),
    (["search", "x", "--limit", "many"], "argument --limit: 'many' is not a whole number"),
    (["digest", "--channel", "c", "--date", "2026-13-45"], "'2026-13-45' is not a date of the form YYYY-MM-DD"),
    (["digest"], "the following arguments are required: --channel"),
    (["search", "算" * 5000], "the search is 5000 characters long; at most 500"),
    (["search", "x", "--speaker", "nobody"], "unknown speaker 'nobody'"),
    (["search", "x", "--topic", "感想"], "unknown topic '感想'"),
    (["context", "no-such-quote"], "unknown quote 'no-such-quote'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str, cli_main: Callable[..., Ran]) -> None:
    done = cli_main(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_control_characters_in_a_query_are_harmless(cli_main: Callable[..., Ran]) -> None:
    done = cli_main("search", "\x07\x1b[31m算力\x7f", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)[0]["quote_id"] == "chen-shi-11"


def test_broken_data_exits_1_with_file_and_line(tmp_path, cli_main: Callable[..., Ran]) -> None:
    (tmp_path / "bad.yaml").write_text("panel: [\n", encoding="utf-8")
    done = cli_main("search", "x", "--data", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"{tmp_path / 'bad.yaml'}:") and "Traceback" not in done.stderr


@pytest.fixture
def in_process(cli_main: Callable[..., Ran]) -> Callable[..., str]:
    """`main(argv)` in this process; its standard output, after checking it succeeded."""

    def cli(*args: str) -> str:
        ran = cli_main(*args)
        assert ran.code == 0, ran.err
        return ran.out

    return cli


def test_json_gives_the_start_and_a_link_to_the_moment(write_panel: Callable[..., Path],
                                                       in_process: Callable[..., str]) -> None:
    data = str(write_panel(recorded_panel(start="754.5")).parent)
    [hit] = json.loads(in_process("search", "weaves", "--json", "--data", data))
    assert hit["start"] == 754.5 and hit["link"] == "https://youtu.be/abc123?t=754"
    question = json.loads(in_process("context", "q2", "--json", "--data", data))["question"]
    assert question["quote_id"] == "q1" and question["start"] is None and question["link"] is None


def test_json_start_without_a_recording_has_no_link(write_panel: Callable[..., Path],
                                                    in_process: Callable[..., str]) -> None:
    panel = recorded_panel().replace("  recording: https://youtu.be/abc123\n", "")
    [hit] = json.loads(in_process("search", "weaves", "--json", "--data", str(write_panel(panel).parent)))
    assert hit["start"] == 754 and hit["link"] is None


def test_text_output_shows_the_time_and_the_link(write_panel: Callable[..., Path],
                                                 in_process: Callable[..., str]) -> None:
    out = in_process("search", "weaves", "--data", str(write_panel(recorded_panel()).parent))
    assert "      Engines · Test panel · 2024-01-02 · 12:34\n      https://youtu.be/abc123?t=754\n" in out


def test_an_unwritable_state_folder_is_one_line(cli_main: Callable[..., Ran], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = cli_main("check", env={"QUOTES_STATE_DIR": str(blocker / "state"), "DATABASE_URL": "", "DISCORD_TOKEN": "",
                                  "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""})
    assert done.code == 1 and done.out.startswith(f"QUOTES_STATE_DIR={blocker / 'state'}: cannot create the state folder")
    assert "internal error" not in done.err


def test_control_characters_in_the_data_never_reach_the_terminal(cli_main: Callable[..., Ran],
                                                                 write_panel: Callable[..., Path]) -> None:
    from .conftest import MINIMAL_PANEL

    folder = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("name: Ada Lovelace", 'name: "Ada\\e[31m"')).parent
    for command in ("speakers", "export"):
        done = cli_main(command, "--data", str(folder))
        assert done.code == 0 and "\x1b" not in done.out and "Ada\ufffd[31m" in done.out
    console = cli_main("console", "--data", str(folder), input="/help\n/speakers\n")
    assert "\x1b" not in console.out


def test_a_broken_platform_plug_in_leaves_the_rest_working(cli_main: Callable[..., Ran], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import install_platform

    install_platform(tmp_path, monkeypatch, "ghost", "teams = ghost_teams:PLATFORM")  # no such module
    done = cli_main("search", "奇瑞", "--limit", "1")
    assert done.code == 0 and "奇瑞" in done.out


def test_run_without_a_token_and_without_a_terminal_says_what_it_does(cli_main: Callable[..., Ran]) -> None:
    done = cli_main("run", input="", env={"DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""})
    assert done.code == 0
    assert done.err == ("python -m bot: no chat token is set (DISCORD_TOKEN, SLACK_BOT_TOKEN, SLACK_APP_TOKEN): "
                        "answering commands from standard input\n")


def test_a_new_channels_digest_shows_every_quote_once_over_as_many_days_from_any_start(
        cli_main: Callable[..., Ran]) -> None:
    import datetime as dt

    answers = json.loads(cli_main("search", "--limit", "100", "--json").out)  # every quote, no words
    start = dt.date(2031, 7, 19)
    picked = [json.loads(cli_main("digest", "--channel", "C", "--date", str(start + dt.timedelta(days=n)),
                                  "--json").out)["id"] for n in range(len(answers))]
    assert sorted(picked) == sorted(a["id"] for a in answers) and len(answers) == 34
