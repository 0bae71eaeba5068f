"""Chat platforms plug in here: each registers a `Platform` under the `panel_quotes.platforms`
entry-point group, so the core runs, checks and redacts them without ever naming one.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from .errors import QuoteBotError

if TYPE_CHECKING:
    from .digest.store import Store
    from .health import Health
    from .library import Library

GROUP = "panel_quotes.platforms"
logger = logging.getLogger(__name__)
Serve = Callable[["Library", "Health"], Coroutine[Any, Any, None]]


def _attribute(path: str) -> Any:
    """`package.module:name`, imported now."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Platform:
    """What the core needs to know of a chat platform, as it registers itself.

    `settings` names a class whose `from_env(env)` reads and checks the platform's variables
    (raising QuoteBotError that names the variable); `serve` names `serve(library, settings,
    store, health)`. Both are imported only when used, so a missing extra is one clear line.
    `secrets` are the variables never to log; `commands` adds command-line verbs of its own,
    each a help line and `f(env) -> text to print`.
    """

    name: str
    label: str  # as users write it: Discord
    extra: str  # pip install '.[extra]'
    modules: tuple[str, ...]  # what must import for it to run
    secrets: tuple[str, ...]
    tokens: tuple[str, ...]  # any of these set: the platform is configured
    settings: str  # module:Class
    serve: str  # module:function
    commands: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # verb -> (help, module:function)

    def configured(self, env: Mapping[str, str]) -> bool:
        return any(env.get(name) for name in self.tokens)

    def read_settings(self, env: Mapping[str, str]) -> object:
        return _attribute(self.settings).from_env(env)

    def server(self, env: Mapping[str, str], store: Store | None) -> Serve:
        """What serves the library on this platform, its settings read now."""
        settings, serve = self.read_settings(env), _attribute(self.serve)

        def start(library: Library, health: Health) -> Coroutine[Any, Any, None]:
            return serve(library, settings, store, health)  # type: ignore[no-any-return]

        return start

    def command(self, verb: str, env: Mapping[str, str]) -> str:
        return str(_attribute(self.commands[verb][1])(env))

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
        try:
            platform = entry.load()
        except Exception as error:  # a stale or broken plug-in: the others, and the console, still work
            logger.warning("the %s platform (%s) cannot be loaded: %s: %s", entry.name, entry.value,
                           type(error).__name__, error)
            continue
        if isinstance(platform, Platform):
            found.append(platform)
    return sorted(found, key=lambda p: p.name)


def secrets(platforms: list[Platform], env: Mapping[str, str]) -> list[str]:
    """The values of every platform's secret variables, to redact from the logs."""
    return [env.get(name, "") for platform in platforms for name in platform.secrets]
