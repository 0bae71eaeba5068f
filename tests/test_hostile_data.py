"""Broken and hostile data files: every one is a problem at its file and line, costs a bounded
amount, and never stops a running bot from reloading the next good edit."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import bot
from bot import Query
from bot.errors import DataError
from bot.health import Health
from bot.panels.loader import MAX_FILE_BYTES, MAX_QUOTE, panel_files
from bot.serving import watch_panels

from .conftest import MINIMAL_PANEL, Ran

GOOD = MINIMAL_PANEL.format(panel_id="test-panel")
ALIAS_BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n" for b, a in zip("abcdefgh", "bcdefghi"))
BOMB_PANEL = GOOD + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + ALIAS_BOMB + "? *i\n: x\n"

# (what a careless or hostile editor wrote, the line it is on, what the problem says)
BROKEN = [
    (GOOD.replace('date: "2024-01-02"', "date: 2024-13-45"), 4, "'2024-13-45' is not a valid date"),
    (GOOD.replace("title: Analyst", "title: " + "9" * 5000), 12, "is not a valid whole number"),
    (BOMB_PANEL, 32, "aliases expand this value to more than 1,000,000 values"),
    (GOOD + "x: &x [*x]\n", 26, "a value contains itself through an alias"),
    (GOOD + "deep: " + "[" * 150 + "]" * 150 + "\n", 26, "nested more than 100 levels deep"),
    (GOOD + "a: &a x\ndeep: " + "[" * 150 + "*a" + "]" * 150 + "\n", 27, "nested more than 100 levels deep"),  # aliases too
    (GOOD.replace("What can engines do?", "长" * (MAX_QUOTE + 1)), 21,
     "quote q1: 'text' is 5,001 characters long; at most 5,000; split it into several quotes"),
    (GOOD.replace("name: Engines", "name: " + "名" * 2000), 16, "topic engines: 'name' is 2,000 characters long"),
]


@pytest.mark.parametrize(("text", "line", "message"), BROKEN)
def test_validate_names_the_line_of_every_broken_value(text: str, line: int, message: str,
                                                       write_panel: Callable[..., Path],
                                                       cli_main: Callable[..., Ran]) -> None:
    path = write_panel(text)
    started = time.monotonic()
    ran = cli_main("validate", str(path.parent))
    assert ran.code == 1 and message in ran.out and ran.out.startswith(f"{path}:{line}: ")
    assert all(len(printed) < 600 for printed in ran.out.splitlines())  # a line a person reads
    assert time.monotonic() - started < 5


def test_words_that_are_not_utf8_name_the_line(write_panel: Callable[..., Path], cli_main: Callable[..., Ran]) -> None:
    path = write_panel()
    (path.parent / "words.txt").write_bytes("大模型\n数智人\n".encode() + b"\xff\xfe\n")
    ran = cli_main("validate", str(path.parent))
    assert ran.code == 1 and ran.out.startswith(f"{path.parent / 'words.txt'}:3: not UTF-8 (byte 0xff)")


def test_a_panel_file_over_the_limit_is_refused_unread(write_panel: Callable[..., Path],
                                                       cli_main: Callable[..., Ran]) -> None:
    path = write_panel()
    with path.open("a", encoding="utf-8") as grow:
        grow.write("# " + "x" * MAX_FILE_BYTES + "\n")
    ran = cli_main("validate", str(path.parent))
    assert ran.code == 1 and ran.out.startswith(f"{path}: is 8.0 MB; a data file may be at most 8 MB")


def test_a_dangling_link_is_a_problem_not_skipped(write_panel: Callable[..., Path], cli_main: Callable[..., Ran]) -> None:
    path = write_panel()
    (path.parent / "gone.yaml").symlink_to(path.parent / "nowhere.yaml")
    ran = cli_main("validate", str(path.parent))
    assert ran.code == 1 and ran.out == f"{path.parent / 'gone.yaml'}: is a link to a file that does not exist\n"


def test_an_unreadable_folder_is_a_problem_not_skipped() -> None:
    with tempfile.TemporaryDirectory() as folder:  # under /tmp, where nobody may look
        data = Path(folder)
        data.chmod(0o755)
        (data / "panel.yaml").write_text(GOOD, encoding="utf-8")
        locked = data / "locked"
        locked.mkdir()
        (locked / "more.yaml").write_text(GOOD.replace("test-panel", "more"), encoding="utf-8")
        locked.chmod(0)
        try:
            assert files_seen_by_nobody(data) == f"{locked}: cannot read this folder: Permission denied"
        finally:
            locked.chmod(0o755)


def files_seen_by_nobody(folder: Path) -> str:
    """What panel_files says of `folder` to a user without root's power to read every folder:
    this process when it is not root, else a child process that has become nobody."""
    if os.geteuid() != 0:
        return _panel_files_said(folder)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's report is what the parent checks)
        said = ""
        try:
            os.close(reading)
            os.setuid(65534)
            said = _panel_files_said(folder)
        except BaseException as error:
            said = repr(error)
        finally:
            os.write(writing, said.encode())
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, encoding="utf-8") as said:
        report = said.read()
    os.waitpid(child, 0)
    return report


def _panel_files_said(folder: Path) -> str:
    try:
        return " ".join(str(file) for file in panel_files(folder))
    except DataError as error:
        return str(error)


async def test_a_reload_that_fails_keeps_serving_and_the_next_good_edit_is_loaded(
        write_panel: Callable[..., Path]) -> None:
    path = write_panel()
    library = bot.load_library(path.parent, use_cache=False)
    health = Health(connected={"test": lambda: True})
    words = path.parent / "words.txt"

    async def settled(check: Callable[[], bool]) -> None:
        for _ in range(200):  # up to 10 s
            if check():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the watcher never got there: {health.report()}")

    async with asyncio.timeout(60):
        watcher = asyncio.create_task(watch_panels(library, path.parent, asyncio.Event(), every=0.05, health=health))
        try:
            await asyncio.sleep(0.2)  # the watcher has taken the files' first fingerprint
            for number, (text, line, _) in enumerate(BROKEN):
                path.write_text(text, encoding="utf-8")
                await settled(lambda line=line: f"panel.yaml:{line}:" in health.report()[1].get("panels", ""))
                healthy, report = health.report()
                assert healthy and report["status"] == "degraded", number
                assert library.search(Query("weaves"))  # the old panels still answer
            path.write_text(GOOD, encoding="utf-8")
            words.write_bytes(b"\xff\n")
            await settled(lambda: "words.txt:1: not UTF-8" in health.report()[1].get("panels", ""))
            words.write_text("织机\n", encoding="utf-8")
            path.write_text(GOOD.replace("weaves", "knits"), encoding="utf-8")
            await settled(lambda: bool(library.search(Query("knits"))))
        finally:
            watcher.cancel()
    assert health.report()[1]["status"] == "ok" and "panels" not in health.report()[1]
