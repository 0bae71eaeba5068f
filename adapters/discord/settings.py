"""The Discord front end's settings, read from the environment by its entry point only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.cooldown import Cooldown
from bot.errors import QuoteBotError

DEFAULT_API = "https://discord.com/api/v10"


@dataclass(frozen=True)
class DiscordSettings:
    token: str = field(repr=False)
    guild_ids: tuple[int, ...] = ()
    api_url: str | None = None
    gateway_url: str | None = None
    cooldown: str = "5/30"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DiscordSettings:
        token = env.get("DISCORD_TOKEN", "").strip()
        if not token:
            raise QuoteBotError("DISCORD_TOKEN is not set: the Discord bot's token from the Developer Portal")
        try:
            guilds = tuple(int(g) for g in env.get("DISCORD_GUILD_IDS", "").replace(",", " ").split())
        except ValueError:
            raise QuoteBotError("DISCORD_GUILD_IDS: expected guild ids (numbers) separated by commas") from None
        api = env.get("DISCORD_API_URL") or None
        if api and "/api/v" not in api:
            raise QuoteBotError(f"DISCORD_API_URL={api!r} must include the API version, like .../api/v10")
        cooldown = env.get("QUOTE_COOLDOWN", "5/30")
        Cooldown.parse(cooldown)  # fail at start, naming the variable, not at the first command
        return cls(token, guilds, api.rstrip("/") if api else None, env.get("DISCORD_GATEWAY_URL") or None, cooldown)
