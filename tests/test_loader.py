"""Validation of panel files: every problem reported as file:line: message."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import bot
from bot.errors import DataError
from bot.models import Query

from .conftest import MINIMAL_PANEL, Ran, recorded_panel


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        bot.load_library(path, use_cache=False)
    return [str(p) for p in caught.value.problems]


def test_minimal_panel_loads(write_panel: Callable[..., Path]) -> None:
    library = bot.load_library(write_panel().parent, use_cache=False)
    assert [q.ref for q in library.quotes] == ["test-panel/q1", "test-panel/q2"]
    assert library.search(Query('engine'))[0].quote.speaker.name == "Ada Lovelace"


def test_unknown_speaker_in_a_quote_names_file_and_line(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("speaker: ada", "speaker: adda"))
    assert problems_of(path) == [f"{path}:23: quote q2 names unknown speaker 'adda' (did you mean 'ada'?)"]


def test_duplicate_ids_point_at_the_first_use(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("id: q2", "id: q1"))
    assert problems_of(path) == [f"{path}:22: quote id 'q1' is used twice (first at line 18)"]


def test_every_problem_of_a_file_is_reported(write_panel: Callable[..., Path]) -> None:
    broken = (MINIMAL_PANEL.format(panel_id="Bad Id")
              .replace("    role: panelist\n", "    role: guest\n")
              .replace("    text: The engine weaves algebraic patterns.\n", "")
              .replace("  - id: engines\n    name: Engines\n", "  - id: engines\n    nme: Engines\n"))
    path = write_panel(broken)
    found = problems_of(path)
    messages = [p.split(": ", 1)[1] for p in found]
    assert "panel: id 'Bad Id' must be a slug of a-z, 0-9 and dashes" in messages
    assert "speaker ada: role must be moderator or panelist, not 'guest'" in messages
    assert "unknown field 'nme' in topic (did you mean 'name'?)" in messages
    assert "topic has no 'name'" in messages
    assert "quote has no 'text'" in messages
    assert all(re.match(rf"{re.escape(str(path))}:\d+: ", p) for p in found)


def test_tab_indentation_is_reported_with_its_line(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("  title: Test panel", "\ttitle: Test panel"))
    assert problems_of(path) == [f"{path}:3: tab in indentation; indent with spaces"]


def test_python_tags_are_refused_and_never_run(write_panel: Callable[..., Path], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"!!python/object/apply:os.system ['touch {marker}']"
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("title: Test panel", f"title: {payload}"))
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:3: tag")
    assert "not allowed" in found[0]
    assert not marker.exists()


def test_duplicate_keys_are_not_silently_dropped(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("  title: Test panel\n", "  title: A\n  title: B\n"))
    assert problems_of(path) == [f"{path}:4: duplicate key 'title' (first at line 3)"]


def test_unquoted_boolean_text_asks_for_quotes(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("text: What can engines do?", "text: yes"))
    assert problems_of(path) == [f"{path}:21: quote q1: 'text' must be text, not the boolean true; put it in quotes"]


def test_bad_date_is_reported(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace('"2024-01-02"', '"2024-13-45"'))
    assert problems_of(path) == [f"{path}:4: panel: date '2024-13-45' must be YYYY-MM-DD"]


def test_unquoted_date_is_accepted(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace('"2024-01-02"', "2024-01-02"))
    assert str(bot.load_library(path, use_cache=False).panels[0].date) == "2024-01-02"


def test_syntax_error_has_a_line(write_panel: Callable[..., Path]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("title: Test panel", "title: [unclosed"))
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:")


def test_two_files_with_the_same_panel_id(write_panel: Callable[..., Path]) -> None:
    first = write_panel(MINIMAL_PANEL.format(panel_id="same"), "a.yaml")
    second = write_panel(MINIMAL_PANEL.format(panel_id="same"), "b.yaml")
    assert problems_of(first.parent) == [f"{second}: panel id 'same' is already used by {first}"]


def test_several_panels_load_side_by_side(write_panel: Callable[..., Path]) -> None:
    write_panel(MINIMAL_PANEL.format(panel_id="one"), "one.yaml")
    folder = write_panel(MINIMAL_PANEL.format(panel_id="two"), "two.yaml").parent
    library = bot.load_library(folder, use_cache=False)
    assert [p.id for p in library.panels] == ["one", "two"]
    assert {h.quote.panel for h in library.search(Query('engine'), limit=5)} == {"one", "two"}
    assert [h.quote.panel for h in library.search(Query('engine', panel='two'))] == ["two"]


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: no panel files (*.yaml) in this folder"]


def test_cli_validate_prints_problems_and_exits_1(write_panel: Callable[..., Path], cli_main: Callable[..., Ran]) -> None:
    path = write_panel(MINIMAL_PANEL.format(panel_id="p").replace("speaker: ada", "speaker: nobody"))
    done = cli_main("validate", str(path))
    assert done.returncode == 1
    assert done.stdout == f"{path}:23: quote q2 names unknown speaker 'nobody'\n"
    assert "Traceback" not in done.stderr


def test_cli_validate_of_the_shipped_data_passes(cli_main: Callable[..., Ran]) -> None:
    done = cli_main("validate")
    assert done.returncode == 0, done.stdout
    assert done.stderr.startswith("ok: 1 panel(s), 40 quotes")


def test_data_option_and_environment_variable_pick_the_folder(write_panel: Callable[..., Path],
                                                              cli_main: Callable[..., Ran]) -> None:
    folder = write_panel().parent
    by_option = cli_main("panels", "--json", "--data", str(folder))
    by_env = cli_main("panels", "--json", env={"QUOTES_DATA_DIR": str(folder)})
    assert '"id": "test-panel"' in by_option.stdout
    assert by_option.stdout == by_env.stdout


def test_start_and_recording_are_loaded(write_panel: Callable[..., Path]) -> None:
    library = bot.load_library(write_panel(recorded_panel(start="754.5")).parent, use_cache=False)
    assert library.panels[0].recording == "https://youtu.be/abc123"
    assert [q.start for q in library.quotes] == [None, 754.5]


def test_a_whole_number_start_is_a_float(write_panel: Callable[..., Path]) -> None:
    start = bot.load_library(write_panel(recorded_panel(start="0")).parent, use_cache=False).quotes[1].start
    assert start == 0.0 and isinstance(start, float)


def test_start_and_recording_are_optional(write_panel: Callable[..., Path]) -> None:
    library = bot.load_library(write_panel().parent, use_cache=False)
    assert library.panels[0].recording is None and {q.start for q in library.quotes} == {None}


@pytest.mark.parametrize(("value", "shown"), [
    ("abc", "'abc'"),
    ("'754'", "'754'"),
    ("0:04", "'0:04'"),  # YAML reads 12:34 as base 60, but not 0:04
    ("yes", "the boolean true"),
    ("-1", "the int -1"),
    ("-0.5", "the float -0.5"),
    (".nan", "the float nan"),
    (".inf", "the float inf"),
    ("[1, 2]", "a list"),
    ("1" + "0" * 400, "the int 1" + "0" * 78 + "…"),  # a message quotes at most 80 characters of a value
])
def test_a_start_that_is_not_seconds_is_reported_with_its_line(write_panel: Callable[..., Path], value: str,
                                                               shown: str) -> None:
    path = write_panel(recorded_panel(start=value))
    assert problems_of(path) == [f"{path}:27: quote q2: 'start' must be seconds from the start of the recording "
                                 f"(a number of 0 or more), not {shown}"]


@pytest.mark.parametrize("value", [
    "ftp://example.org/talk.mp4",
    "javascript:alert(1)",
    "//example.org/talk.mp4",
    "https://",
    "'https://example.org/a talk.mp4'",
    '"https://example.org/talk.mp4\\e[31m"',
    '"https://example.org/talk\\u200b.mp4"',
    "https://[::1/talk.mp4",
])
def test_a_recording_that_is_not_a_web_url_is_reported_with_its_line(write_panel: Callable[..., Path],
                                                                     value: str) -> None:
    path = write_panel(recorded_panel(recording=value))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:5: panel: 'recording' must be an http or https URL with no spaces, not ")


def test_a_recording_that_is_not_text_asks_for_quotes(write_panel: Callable[..., Path]) -> None:
    path = write_panel(recorded_panel(recording="yes"))
    assert problems_of(path) == [f"{path}:5: panel: 'recording' must be text, not the boolean true; put it in quotes"]


def test_an_overlong_recording_url_is_reported(write_panel: Callable[..., Path]) -> None:
    path = write_panel(recorded_panel(recording="https://example.org/" + "a" * 2000))
    assert problems_of(path) == [f"{path}:5: panel: 'recording' is 2,020 characters long; at most 2,000"]


def test_a_misspelt_start_gets_a_suggestion(write_panel: Callable[..., Path]) -> None:
    path = write_panel(recorded_panel().replace("    start: 754", "    strat: 754"))
    assert problems_of(path) == [f"{path}:27: unknown field 'strat' in quote (did you mean 'start'?)"]
