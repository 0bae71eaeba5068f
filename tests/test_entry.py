"""The program's entry: `python -m bot` and the installed `panel-quotes` are one program, and a chat
platform whose extra is not installed is one clear line, from `run` and from `check` alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import run

from .conftest import ROOT


@pytest.mark.parametrize("program", [[sys.executable, "-m", "bot"], [str(Path(sys.executable).with_name("panel-quotes"))]])
def test_the_installed_script_and_python_m_bot_wire_the_chat_bots_alike(program: list[str], tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "QUOTES_STATE_DIR": str(tmp_path), "QUOTES_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([*program, "run", "--only", "discord"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stderr.endswith("error: --only discord needs DISCORD_TOKEN\n"), done.stderr


@pytest.fixture
def without_aiohttp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment like `pip install .` without the extras: aiohttp cannot be imported."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # None in sys.modules makes `import aiohttp` fail
    for module in ("adapters.discord.app", "adapters.slack.app"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setenv("QUOTES_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "123")


@pytest.mark.usefixtures("without_aiohttp")
@pytest.mark.parametrize(("command", "code"), [("run", 2), ("check", 1)])
def test_a_platform_without_its_extra_is_one_clear_line(command: str, code: int, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    assert run([command]) == code
    out = capsys.readouterr()
    said = [line for line in (out.out + out.err).splitlines() if "Discord" in line]
    assert said and said[0].endswith("Discord needs pip install '.[discord]' (module aiohttp is missing)")
    assert "internal error" not in out.err and "ok:" not in out.err


@pytest.mark.parametrize(("level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_alembics_start_up_lines_are_logged_only_when_asked_for(level: str, shown: bool, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    root, alembic = logging.getLogger(), logging.getLogger("alembic")
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    monkeypatch.setattr(alembic, "level", alembic.level)
    monkeypatch.setenv("LOG_LEVEL", level)
    monkeypatch.setenv("QUOTES_STATE_DIR", str(tmp_path))  # a new database: the migrations run
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert run(["check"]) == 0
    assert ("alembic.runtime.migration" in capsys.readouterr().err) is shown


ECHO = '''
from bot import Platform, QuoteBotError


class EchoSettings:
    @classmethod
    def from_env(cls, env):
        if not env.get("ECHO_TOKEN", "").startswith("echo-"):
            raise QuoteBotError("ECHO_TOKEN must start with echo-")
        return cls()


def hello(env):
    return "echo says hello"


PLATFORM = Platform(name="echo", label="Echo", extra="echo", modules=("json",), secrets=("ECHO_TOKEN",),
                    tokens=("ECHO_TOKEN",), settings="echo_platform:EchoSettings", serve="echo_platform:serve",
                    commands={"echo-hello": ("say hello", "echo_platform:hello")})
'''


def test_a_third_platform_plugs_in_through_the_entry_point_group_alone(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """What adding a platform takes: a module with a Platform, and one entry point; the core is untouched."""
    import logging

    from .conftest import install_platform

    (tmp_path / "echo_platform.py").write_text(ECHO, encoding="utf-8")
    install_platform(tmp_path, monkeypatch, "echo-platform", "echo = echo_platform:PLATFORM")
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setenv("QUOTES_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("ECHO_TOKEN", "not-echo")

    from bot.platforms import installed

    assert [p.name for p in installed()] == ["discord", "echo", "slack"]
    assert run(["echo-hello"]) == 0 and capsys.readouterr().out == "echo says hello\n"
    assert run(["check", "--only", "echo"]) == 1
    assert capsys.readouterr().out.splitlines() == ["ECHO_TOKEN must start with echo-"]
