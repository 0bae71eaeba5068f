"""Discord: how the core finds, checks and starts this platform (registered in pyproject.toml)."""

from __future__ import annotations

from bot import Platform

PLATFORM = Platform(
    name="discord", label="Discord", extra="discord", modules=("discord", "aiohttp", "adapters.discord.app"),
    secrets=("DISCORD_TOKEN",), tokens=("DISCORD_TOKEN",),
    settings="adapters.discord.settings:DiscordSettings", serve="adapters.discord.app:serve",
    commands={"discord-invite": ("print the link that adds the Discord bot to a server "
                                 "(needs DISCORD_APPLICATION_ID or DISCORD_TOKEN)",
                                 "adapters.discord.settings:invite_url")},
)
