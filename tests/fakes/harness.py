"""This project's chat front ends running against the fake platforms, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import discord

from adapters.discord.app import make_client, point_at
from adapters.discord.settings import DiscordSettings
from bot import Library

from .discord import FakeDiscord
from .loopback import serve_on_loopback
from .slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack

T = TypeVar("T")
Run = Callable[[Awaitable[T]], T]


@contextlib.contextmanager
def on_a_thread(session: contextlib.AbstractAsyncContextManager[T], timeout: float = 30.0) -> Iterator[tuple[T, Run[Any]]]:
    """An async session (a fake platform and its client) running on an event loop of its own
    thread, for a synchronous test such as Hypothesis's @given to drive: `run(awaitable)` runs it
    on that loop and waits for it, `timeout` seconds at most."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="session", daemon=True)
    thread.start()

    def run(awaitable: Awaitable[Any]) -> Any:
        async def wrapped() -> Any:
            return await awaitable
        return asyncio.run_coroutine_threadsafe(wrapped(), loop).result(timeout)

    try:
        value = run(session.__aenter__())
        try:
            yield value, run
        finally:
            run(session.__aexit__(None, None, None))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        loop.close()


@contextlib.asynccontextmanager
async def discord_session(library: Library, *, shards: int = 1, store: Any = None, max_concurrency: int = 16,
                          **settings: Any) -> AsyncIterator[tuple[FakeDiscord, discord.Client]]:
    """A started fake Discord and a connected client; both stopped on the way out (and discord.py
    pointed back at whatever fake it was pointed at before, for a session still open around this one)."""
    fake = FakeDiscord(max_concurrency=max_concurrency)
    await fake.start()
    config = DiscordSettings(token="test-token", api_url=fake.api_url, gateway_url=fake.gateway_url,
                             **{"cooldown": "off", **settings})
    before = DiscordSettings(token="", api_url=discord.http.Route.BASE,
                             gateway_url=str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY))
    point_at(config)
    client = make_client(library, config, store, guild_ready_timeout=0.05)
    runner = asyncio.create_task(client.start(config.token))
    try:
        # Shards of one bucket identify 5 s apart, as Discord asks: allow for it per shard.
        await fake.ready(shards=shards, timeout=5 + 6 * (shards - 1))
        await asyncio.wait_for(client.wait_until_ready(), 5)
        yield fake, client
    finally:
        await client.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(runner, 5)
        await fake.stop()
        point_at(before)


@dataclasses.dataclass
class SlackSession:
    fake: FakeSlack
    url: str  # where the app takes HTTP requests (HTTP mode)


@contextlib.asynccontextmanager
async def slack_session(library: Library, *, socket_mode: bool = False, chat: Any = None,
                        store: Any = None, **settings: Any) -> AsyncIterator[SlackSession]:
    """A started fake Slack and this project's app against it, in HTTP or Socket Mode."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from adapters.slack.app import build_app, chat_for
    from adapters.slack.endpoint import web_app
    from adapters.slack.settings import SlackSettings

    fake = FakeSlack()
    await fake.start()
    config = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN if socket_mode else None,
                           signing_secret=None if socket_mode else SIGNING_SECRET, api_url=fake.api_url,
                           **{"cooldown": "off", **settings})
    chat = chat or chat_for(library, config, store)
    app = build_app(library, config, chat)
    runner, handler = None, None
    try:
        if socket_mode:
            handler = AsyncSocketModeHandler(app, APP_TOKEN)
            await handler.connect_async()
            await fake.connected()
            yield SlackSession(fake, "")
        else:
            runner, port = await serve_on_loopback(web_app(app, SIGNING_SECRET, chat.state))
            yield SlackSession(fake, f"http://127.0.0.1:{port}/slack/events")
    finally:
        if handler is not None:
            await handler.close_async()
        if runner is not None:
            await runner.cleanup()
        await fake.stop()
