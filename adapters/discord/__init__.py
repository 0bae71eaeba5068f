"""Discord: how the core finds, checks and starts this platform (registered in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot import Platform

if TYPE_CHECKING:
    from bot import Health, Library, Store


def _settings(env: Mapping[str, str]) -> object:
    from .settings import DiscordSettings

    return DiscordSettings.from_env(env)


def _server(env: Mapping[str, str], store: Store | None) -> Any:
    from .app import serve
    from .settings import DiscordSettings

    settings = DiscordSettings.from_env(env)

    def start(library: Library, health: Health) -> Any:
        return serve(library, settings, store, health)

    return start


def _invite(env: Mapping[str, str]) -> str:
    from .settings import invite_url

    return invite_url(env)


PLATFORM = Platform(
    name="discord", label="Discord", extra="discord", modules=("discord", "aiohttp", "adapters.discord.app"),
    secrets=("DISCORD_TOKEN",), configured=lambda env: bool(env.get("DISCORD_TOKEN")), settings=_settings,
    server=_server,
    commands={"discord-invite": ("print the link that adds the Discord bot to a server "
                                 "(needs DISCORD_APPLICATION_ID or DISCORD_TOKEN)", _invite)},
)
