"""Where the bot finds its data and keeps its state, read from the environment once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_data_dir() -> Path:
    """The panels shipped with the bot: inside the installed package, or the checkout's data/."""
    installed = _PACKAGE / "data"
    return installed if installed.is_dir() else _PACKAGE.parent / "data"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    state_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            data_dir=Path(env.get("QUOTES_DATA_DIR") or shipped_data_dir()),
            state_dir=Path(env.get("QUOTES_STATE_DIR") or "state"),
        )
