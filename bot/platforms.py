"""Chat platforms plug in here: each registers a `Platform` under the `panel_quotes.platforms`
entry-point group, so the core runs, checks and redacts them without ever naming one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from .errors import QuoteBotError

if TYPE_CHECKING:
    from .digest.store import Store
    from .health import Health
    from .library import Library

GROUP = "panel_quotes.platforms"
Serve = Callable[["Library", "Health"], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Platform:
    """What the core needs to know of a chat platform.

    `configured(env)` says whether its tokens are set; `settings(env)` reads and checks them,
    raising QuoteBotError naming the variable; `server(env, store)` returns what serves the
    library on it (its modules are imported only then, so a missing extra is one clear line);
    `secrets` are the variables never to log; `commands` adds command-line verbs of its own.
    """

    name: str
    label: str  # as users write it: Discord
    extra: str  # pip install '.[extra]'
    modules: tuple[str, ...]  # imported only to serve
    secrets: tuple[str, ...]
    configured: Callable[[Mapping[str, str]], bool]
    settings: Callable[[Mapping[str, str]], object]
    server: Callable[[Mapping[str, str], Store | None], Serve]
    commands: Mapping[str, tuple[str, Callable[[Mapping[str, str]], str]]] = ()  # type: ignore[assignment]

    def require(self) -> None:
        """Refuse in one line when the platform's extra is not installed."""
        for module in self.modules:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as error:
                if (error.name or "").split(".")[0] in ("bot", "adapters"):
                    raise  # our own code is broken: not a missing extra
                raise QuoteBotError(f"{self.label} needs pip install '.[{self.extra}]' "
                                    f"(module {error.name} is missing)") from None


def installed() -> list[Platform]:
    """Every registered platform, in name order."""
    found = []
    for entry in entry_points(group=GROUP):
        platform = entry.load()
        if isinstance(platform, Platform):
            found.append(platform)
    return sorted(found, key=lambda p: p.name)


def secrets(platforms: list[Platform], env: Mapping[str, str]) -> list[str]:
    """The values of every platform's secret variables, to redact from the logs."""
    return [env.get(name, "") for platform in platforms for name in platform.secrets]
