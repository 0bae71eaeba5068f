"""The real Discord client of this project running against the fake Discord, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord

from adapters.discord.app import make_client, point_at
from adapters.discord.settings import DiscordSettings
from bot.library import Library

from .discord import FakeDiscord


@contextlib.asynccontextmanager
async def discord_session(library: Library, *, shards: int = 1,
                          **settings: Any) -> AsyncIterator[tuple[FakeDiscord, discord.Client]]:
    """A started fake Discord and a connected client; both stopped on the way out."""
    fake = FakeDiscord()
    await fake.start()
    config = DiscordSettings(token="test-token", api_url=fake.api_url, gateway_url=fake.gateway_url,
                             **{"cooldown": "off", **settings})
    point_at(config)
    client = make_client(library, config, guild_ready_timeout=0.05)
    runner = asyncio.create_task(client.start(config.token))
    try:
        # discord.py waits 5 s between two IDENTIFYs, as Discord asks: allow for it per shard.
        await fake.ready(shards=shards, timeout=5 + 6 * (shards - 1))
        await asyncio.wait_for(client.wait_until_ready(), 5)
        yield fake, client
    finally:
        await client.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(runner, 5)
        await fake.stop()
