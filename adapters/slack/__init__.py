"""Slack: how the core finds, checks and starts this platform (registered in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot import Platform

if TYPE_CHECKING:
    from bot import Health, Library, Store


def _settings(env: Mapping[str, str]) -> object:
    from .settings import SlackSettings

    return SlackSettings.from_env(env)


def _server(env: Mapping[str, str], store: Store | None) -> Any:
    from .app import serve
    from .settings import SlackSettings

    settings = SlackSettings.from_env(env)

    def start(library: Library, health: Health) -> Any:
        return serve(library, settings, store, health)

    return start


PLATFORM = Platform(
    name="slack", label="Slack", extra="slack", modules=("slack_bolt", "slack_sdk", "aiohttp", "adapters.slack.app"),
    secrets=("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"),
    configured=lambda env: bool(env.get("SLACK_BOT_TOKEN") or env.get("SLACK_APP_TOKEN")), settings=_settings,
    server=_server,
)
