"""The Discord front end's settings, read from the environment by its entry point only."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot import ChatDefaults, QuoteBotError

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
    language: str = "en"  # QUOTES_LOCALE: for whoever has no language of their own, and digest posts

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DiscordSettings:
        token = env.get("DISCORD_TOKEN", "").strip()
        if not token:
            raise QuoteBotError("DISCORD_TOKEN is not set: the Discord bot's token from the Developer Portal")
        if token.startswith(("xoxb-", "xapp-", "xoxp-")):
            raise QuoteBotError("DISCORD_TOKEN holds a Slack token; Slack's go in SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
        try:
            guilds = tuple(int(g) for g in env.get("DISCORD_GUILD_IDS", "").replace(",", " ").split())
        except ValueError:
            raise QuoteBotError("DISCORD_GUILD_IDS: expected guild ids (numbers) separated by commas") from None
        api = env.get("DISCORD_API_URL") or None
        if api and "/api/v" not in api:
            raise QuoteBotError(f"DISCORD_API_URL={api!r} must include the API version, like .../api/v10")
        shared = ChatDefaults.from_env(env)  # fail at start, naming the variable, not at the first command
        count, ids = _shards(env.get("DISCORD_SHARD_COUNT", "").strip(), env.get("DISCORD_SHARD_IDS", ""))
        return cls(token, guilds, api.rstrip("/") if api else None, env.get("DISCORD_GATEWAY_URL") or None,
                   shared.cooldown, count, ids, shared.timezone, shared.language)


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


# View Channels, Send Messages, Embed Links, Attach Files (a digest posted as a card): all the bot does in a channel.
INVITE_PERMISSIONS = 1024 | 2048 | 16384 | 32768


def application_id(env: Mapping[str, str]) -> int:
    """DISCORD_APPLICATION_ID, or the id a bot token starts with (its first part is the id, base64)."""
    if text := env.get("DISCORD_APPLICATION_ID", "").strip():
        if not text.isdigit():
            raise QuoteBotError(f"DISCORD_APPLICATION_ID={text!r}: expected the application's numeric id")
        return int(text)
    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise QuoteBotError("set DISCORD_TOKEN (or DISCORD_APPLICATION_ID) to make the invite link")
    first = token.split(".")[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        decoded = ""
    if not decoded.isdigit():
        raise QuoteBotError("DISCORD_TOKEN does not look like a Discord bot token; set DISCORD_APPLICATION_ID")
    return int(decoded)


def invite_url(env: Mapping[str, str]) -> str:
    """The OAuth2 link that adds the bot to a server with the least it needs."""
    return (f"https://discord.com/oauth2/authorize?client_id={application_id(env)}"
            f"&scope=bot%20applications.commands&permissions={INVITE_PERMISSIONS}")
