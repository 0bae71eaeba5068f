"""`python -m bot`: the command line, and the one place that wires the chat adapters in.

The core never imports a platform; this entry point does, and only when a platform's token is
configured, so the console needs none of their packages.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .errors import QuoteBotError
from .terminal.cli import Adapter, main

# What each platform needs installed beyond the core: its label, its extra, the modules that serve it.
_EXTRAS = {"discord": ("Discord", "discord", ("adapters.discord.app", "adapters.runner")),
           "slack": ("Slack", "slack", ("adapters.slack.app", "adapters.runner"))}


def _require(platform: str) -> None:
    """Refuse in one line when a configured platform's extra is not installed."""
    label, extra, modules = _EXTRAS[platform]
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            raise QuoteBotError(f"{label} needs pip install '.[{extra}]' (module {error.name} is missing)") from None


def _configured_adapters(env: Mapping[str, str], only: str | None = None) -> list[Adapter]:
    wanted = {"discord": bool(env.get("DISCORD_TOKEN")),
              "slack": bool(env.get("SLACK_BOT_TOKEN") or env.get("SLACK_APP_TOKEN"))}
    if only is not None:
        if not wanted[only]:
            raise QuoteBotError(f"--only {only} needs {'DISCORD_TOKEN' if only == 'discord' else 'SLACK_BOT_TOKEN'}")
        wanted = {name: name == only for name in wanted}
    adapters: list[Adapter] = []
    if not any(wanted.values()):
        return adapters
    for platform in (name for name, on in wanted.items() if on):
        _require(platform)
    from .digest.store import Store, database_url

    store = Store.open(database_url(env))  # the digests' state, shared by every platform
    if wanted["discord"]:
        from adapters.discord.app import serve
        from adapters.discord.settings import DiscordSettings

        settings = DiscordSettings.from_env(env)
        adapters.append(("discord", lambda library, health: serve(library, settings, store, health)))
    if wanted["slack"]:
        from adapters.slack.app import serve as serve_slack
        from adapters.slack.settings import SlackSettings

        slack = SlackSettings.from_env(env)
        adapters.append(("slack", lambda library, health: serve_slack(library, slack, store, health)))
    return adapters


def _platform_problems(env: Mapping[str, str], only: str | None) -> list[str]:
    """What `check` reports about the chat platforms' settings, one line each. With `only`, that
    platform's tokens are required (a missing one is a problem)."""
    problems = []
    if env.get("DISCORD_TOKEN") or only == "discord":
        from adapters.discord.settings import DiscordSettings

        problems += _problem(lambda: DiscordSettings.from_env(env)) + _problem(lambda: _require("discord"))
    if env.get("SLACK_BOT_TOKEN") or env.get("SLACK_APP_TOKEN") or only == "slack":
        from adapters.slack.settings import SlackSettings

        problems += _problem(lambda: SlackSettings.from_env(env)) + _problem(lambda: _require("slack"))
    return problems


def _problem(attempt: Callable[[], object]) -> list[str]:
    try:
        attempt()
    except QuoteBotError as error:
        return [str(error)]
    return []


def _discord_invite(env: Mapping[str, str]) -> str:
    from adapters.discord.settings import invite_url

    return invite_url(env)


def _serve_all(library: Any, adapters: list[Adapter], data: str | None) -> int:
    from adapters.runner import serve_all

    return serve_all(library, adapters, data)


def run(argv: Sequence[str] | None = None) -> int:
    """The program, as `python -m bot` and as the installed `panel-quotes` script."""
    return main(argv, adapters=lambda only: _configured_adapters(os.environ, only),
                platform_problems=lambda only: _platform_problems(os.environ, only),
                discord_invite=lambda: _discord_invite(os.environ), serve=_serve_all)


if __name__ == "__main__":
    raise SystemExit(run())
