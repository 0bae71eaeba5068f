"""Shared fixtures: the shipped library, panel files written to a temporary folder."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import bot
from bot.library import Library

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "transcripts" / "aigc-summit-2023-roundtable.md"
SEED_PANEL = ROOT / "data" / "panels" / "aigc-summit-2023-roundtable.yaml"
PANEL_ID = "aigc-summit-2023-roundtable"


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test run builds its own index cache and keeps its own state, never the user's."""
    path = tmp_path_factory.mktemp("cache")
    os.environ["QUOTES_CACHE_DIR"] = str(path)
    os.environ["QUOTES_STATE_DIR"] = str(tmp_path_factory.mktemp("state"))
    os.environ.pop("QUOTES_DATA_DIR", None)
    os.environ.pop("DATABASE_URL", None)
    return path


@pytest.fixture(scope="session")
def library() -> Library:
    return bot.load_library()


MINIMAL_PANEL = """\
panel:
  id: {panel_id}
  title: Test panel
  date: "2024-01-02"
speakers:
  - id: host
    name: Host Person
    title: Moderator of tests
    role: moderator
  - id: ada
    name: Ada Lovelace
    title: Analyst
    role: panelist
topics:
  - id: engines
    name: Engines
quotes:
  - id: q1
    speaker: host
    topic: engines
    text: What can engines do?
  - id: q2
    speaker: ada
    topic: engines
    text: The engine weaves algebraic patterns.
"""

# MINIMAL_PANEL with a recording (line 5) and q2 said 754 s in (12:34; `start` on line 27).
RECORDED_PANEL = (MINIMAL_PANEL
                  .replace('  date: "2024-01-02"\n', '  date: "2024-01-02"\n  recording: {recording}\n')
                  .replace("    text: The engine weaves algebraic patterns.\n",
                           "    text: The engine weaves algebraic patterns.\n    start: {start}\n"))


def recorded_panel(recording: str = "https://youtu.be/abc123", start: str = "754", panel_id: str = "p") -> str:
    """A panel file whose quote q2 ("...weaves algebraic patterns") has a start time."""
    return RECORDED_PANEL.format(panel_id=panel_id, recording=recording, start=start)


@pytest.fixture
def write_panel(tmp_path: Path) -> Callable[..., Path]:
    """Write a panel file (dedented) into a fresh data folder and return its path."""

    def write(text: str = MINIMAL_PANEL.format(panel_id="test-panel"), name: str = "panel.yaml") -> Path:
        path = tmp_path / "data" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in a child process, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, input=input,
                          env={**os.environ, **(env or {})}, cwd=cwd or ROOT, timeout=120)


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    # the names subprocess.CompletedProcess uses, so a test reads the same either way
    @property
    def returncode(self) -> int:
        return self.code

    @property
    def stdout(self) -> str:
        return self.out

    @property
    def stderr(self) -> str:
        return self.err


@pytest.fixture
def cli_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """`python -m bot ARGS` run in this process (no child, so it is fast), with `env` set and `input`
    as standard input for the call; the environment and the root logger are put back afterwards."""
    from bot.terminal.cli import main

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Ran:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        if input is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse leaves this way on a usage error, as the process would
            code = exit.code if isinstance(exit.code, int) else 1
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


class FailingLibrary:
    """A library whose search breaks while `failing` is set: how a test makes a bug happen inside
    a front end without reaching into it."""

    def __init__(self, library: Library) -> None:
        self.failing = True
        self._library = library

    def __getattr__(self, name: str) -> object:
        if name == "search" and self.failing:
            raise RuntimeError("disk on fire")
        return getattr(self._library, name)


def install_platform(folder: Path, monkeypatch: pytest.MonkeyPatch, distribution: str, entry: str) -> None:
    """Make `folder` an installed distribution whose one entry point (`name = module:PLATFORM`) is a
    chat platform, as `pip install` of a plug-in would."""
    import importlib

    info = folder / f"{distribution}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[panel_quotes.platforms]\n{entry}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
