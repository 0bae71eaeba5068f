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
    shard_count: int | None = None  # with shards: a number, or 0 for as many as Discord recommends
    shard_ids: tuple[int, ...] = ()
    digest_timezone: str = "UTC"

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

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
        count, ids = _shards(env.get("DISCORD_SHARD_COUNT", "").strip(), env.get("DISCORD_SHARD_IDS", ""))
        return cls(token, guilds, api.rstrip("/") if api else None, env.get("DISCORD_GATEWAY_URL") or None, cooldown,
                   count, ids, env.get("DIGEST_DEFAULT_TZ", "UTC"))


def _shards(count_text: str, ids_text: str) -> tuple[int | None, tuple[int, ...]]:
    """DISCORD_SHARD_COUNT (a number, or `auto`) and DISCORD_SHARD_IDS (this process's share)."""
    if not count_text:
        if ids_text.strip():
            raise QuoteBotError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT as well")
        return None, ()
    if count_text.lower() == "auto":
        count = 0
    elif count_text.isdigit() and int(count_text) >= 1:
        count = int(count_text)
    else:
        raise QuoteBotError(f"DISCORD_SHARD_COUNT={count_text!r}: expected a number of shards, or auto")
    try:
        ids = tuple(int(i) for i in ids_text.replace(",", " ").split())
    except ValueError:
        raise QuoteBotError("DISCORD_SHARD_IDS: expected shard numbers separated by commas") from None
    if ids and (count == 0 or any(not 0 <= i < count for i in ids)):
        raise QuoteBotError(f"DISCORD_SHARD_IDS={ids_text!r}: each must be below DISCORD_SHARD_COUNT={count_text}")
    return count, ids
