"""Where the bot finds the panels it ships with."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # bot/


def shipped_data_dir() -> Path:
    """The panels shipped with the bot: inside the installed package, or the checkout's data/."""
    installed = _PACKAGE / "data"
    return installed if installed.is_dir() else _PACKAGE.parent / "data"
