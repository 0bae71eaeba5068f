"""The Discord client: /quote, /quote-help, /quote-speakers, /quote-topics and /quote-digest, with
buttons under each quote.

Handlers translate an interaction into one call on the chat core and render the reply it gives
back. Buttons are `DynamicItem`s: their custom id carries the core's token, so a press is routed
by pattern without a View kept per message, and after a restart the core says they expired.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from bot import (
    Chat,
    Command,
    Cooldown,
    DigestScheduler,
    Health,
    Library,
    QuoteBotError,
    SqlState,
    Store,
    finish,
    message,
    parse_command,
)

from . import render
from .digest import digest_commands, discord_poster
from .door import open_door
from .interactions import QuoteButton, answer_command, language_of_user, private
from .settings import DiscordSettings
from .words import Translator, key

logger = logging.getLogger(__name__)


class _QuoteHandlers:
    """What both client classes do: sync the commands, report errors, hold the chat core."""

    tree: app_commands.CommandTree[Any]
    chat: Chat
    settings: DiscordSettings
    language: str

    def _set_up(self, library: Library, settings: DiscordSettings, store: Store | None) -> None:
        self.settings, self.language = settings, settings.language
        # With the database, buttons, rotation and cooldown are shared by every process of the bot.
        self.chat = Chat(library, cooldown=Cooldown.parse(settings.cooldown), store=store,
                         state=SqlState.beside(store.engine) if store else None,
                         default_timezone=settings.digest_timezone)
        self.tree = app_commands.CommandTree(self)  # type: ignore[arg-type]
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
        open_door(self, self.tree)  # type: ignore[arg-type]
        register_commands(self.tree, self.chat)
        if store is not None:
            self.tree.add_command(digest_commands(self.chat))

    async def setup_hook(self) -> None:
        self.add_dynamic_items(QuoteButton)  # type: ignore[attr-defined]
        await self.tree.set_translator(Translator())
        if self.settings.guild_ids:  # development: guild commands appear at once
            for guild_id in self.settings.guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def _on_command_error(self, interaction: discord.Interaction[Any],
                                error: app_commands.AppCommandError) -> None:
        logger.error("command failed", exc_info=error)
        await private(interaction, render.say(message("sorry"), language_of_user(interaction)))


class QuoteClient(_QuoteHandlers, discord.Client):
    """One gateway connection: right for all but the largest deployments."""

    def __init__(self, library: Library, settings: DiscordSettings, store: Store | None = None,
                 **options: Any) -> None:
        discord.Client.__init__(self, intents=discord.Intents.default(), **options)
        self._set_up(library, settings, store)


class ShardedQuoteClient(_QuoteHandlers, discord.AutoShardedClient):
    """Several shards in one process; several processes split them with DISCORD_SHARD_IDS."""

    identify_interval = 5.0  # seconds Discord asks between two identifies of one bucket

    def __init__(self, library: Library, settings: DiscordSettings, store: Store | None = None,
                 **options: Any) -> None:
        if settings.shard_ids:
            options["shard_ids"] = list(settings.shard_ids)
        discord.AutoShardedClient.__init__(self, intents=discord.Intents.default(),
                                           shard_count=settings.shard_count or None, **options)
        self._set_up(library, settings, store)
        self._concurrency: int | None = None
        self._identified: dict[int, float] = {}
        self._buckets: dict[int, asyncio.Lock] = {}

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Identify as soon as Discord allows. Shards in different buckets (the shard id modulo
        the bot's max_concurrency) may identify together, and each bucket once every five
        seconds; discord.py's own hook waits five seconds before every shard but the first,
        so that 16 shards of a large bot took over a minute to start."""
        if self._concurrency is None:
            self._concurrency = await self._max_concurrency()
        bucket = (shard_id or 0) % self._concurrency
        loop = asyncio.get_running_loop()
        async with self._buckets.setdefault(bucket, asyncio.Lock()):  # a bucket's shards reconnecting at once
            if (last := self._identified.get(bucket)) is not None:
                await asyncio.sleep(max(0.0, last + self.identify_interval - loop.time()))
            self._identified[bucket] = loop.time()

    async def _max_concurrency(self) -> int:
        """How many buckets Discord gives this bot (1 unless it is large), or 1 if it will not say."""
        try:
            _, _, limit = await self.http.get_bot_gateway()
            return max(1, int(limit["max_concurrency"]))
        except (discord.HTTPException, discord.GatewayNotFound, KeyError, TypeError, ValueError):
            return 1


def make_client(library: Library, settings: DiscordSettings, store: Store | None = None,
                **options: Any) -> discord.Client:
    """The client the settings ask for: sharded when DISCORD_SHARD_COUNT is set. With a `store`,
    it has /quote-digest too."""
    kind = ShardedQuoteClient if settings.sharded else QuoteClient
    return kind(library, settings, store, **options)


def _with_options(command: Command, speaker: str | None, topic: str | None, panel: str | None) -> Command:
    """The typed options join the filters written in the keyword; one given both ways is an error."""
    query = command.query
    for name, value in (("speaker", speaker), ("topic", topic), ("panel", panel)):
        if value:
            if getattr(query, name):
                raise QuoteBotError(f"{name} is given twice", key="bad.filter_twice", name=name)
            query = dataclasses.replace(query, **{name: value})
    if command.action in ("search", "random"):
        return Command("search" if query.words else "random", query)
    return Command(command.action, query, command.argument, command.digest)


def register_commands(tree: app_commands.CommandTree[Any], chat: Chat) -> None:
    """/quote with autocompleted filters, the listings and the help."""
    library = chat.library

    @app_commands.command(name=key("quote"), description=key("quote.description"))
    @app_commands.rename(keyword=key("keyword"), speaker=key("speaker"), topic=key("topic"), panel=key("panel"),
                         private=key("private"))
    @app_commands.describe(keyword=key("keyword.description"), speaker=key("speaker.description"),
                           topic=key("topic.description"), panel=key("panel.description"),
                           private=key("private.description"))
    async def quote(interaction: discord.Interaction[Any], keyword: str | None = None, speaker: str | None = None,
                    topic: str | None = None, panel: str | None = None, private: bool = False) -> None:
        """Find a quote from the panel discussions."""
        await answer_command(interaction, chat, lambda: _with_options(parse_command(keyword or ""), speaker, topic, panel),
                     private=private)

    @quote.autocomplete("speaker")
    async def speaker_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=s.label[:100], value=s.id)
                for s in library.speaker_choices(current)]

    @quote.autocomplete("topic")
    async def topic_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t.name[:100], value=t.id) for t in library.topic_choices(current)]

    async def panel_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=p.title[:100], value=p.id) for p in library.panel_choices(current)]

    if len(library.panels) > 1:  # with one panel there is nothing to choose
        quote.autocomplete("panel")(panel_choices)

    @app_commands.command(name=key("speakers"), description=key("speakers.description"))
    async def speakers(interaction: discord.Interaction[Any]) -> None:
        await answer_command(interaction, chat, lambda: Command("speakers"))

    @app_commands.command(name=key("topics"), description=key("topics.description"))
    async def topics(interaction: discord.Interaction[Any]) -> None:
        await answer_command(interaction, chat, lambda: Command("topics"))

    @app_commands.command(name=key("help"), description=key("help.description"))
    async def help(interaction: discord.Interaction[Any]) -> None:
        await answer_command(interaction, chat, lambda: Command("help"))

    tree.add_command(quote)
    tree.add_command(speakers)
    tree.add_command(topics)
    tree.add_command(help)


async def _digests_when_ready(client: discord.Client, scheduler: DigestScheduler, stop: asyncio.Event) -> None:
    """The scheduler, once the client is logged in (the poster needs it); a bot stopping first, as
    one whose token is refused does, never starts it."""
    ready, stopped = asyncio.create_task(client.wait_until_ready()), asyncio.create_task(stop.wait())
    await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    stopped.cancel()
    if not stop.is_set():
        await scheduler.run(stop)


def point_at(settings: DiscordSettings) -> None:
    """Aim discord.py at a Discord-compatible server instead of discord.com (tests, self-hosted)."""
    if settings.api_url:
        discord.http.Route.BASE = settings.api_url
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def serve(library: Library, settings: DiscordSettings, store: Store | None = None,
                health: Health | None = None) -> None:
    """Run the Discord bot, and with a `store` its daily digests, until it is stopped."""
    point_at(settings)
    for warning in ("warn_nacl", "warn_dave"):  # the bot never joins voice: no warnings about its libraries
        setattr(discord.VoiceClient, warning, False)
    try:
        async with make_client(library, settings, store) as client:
            if health is not None:
                health.connected["discord"] = lambda: client.is_ready() and not client.is_closed()
            if store is None:
                await client.start(settings.token)
            else:
                poster = discord_poster(client, settings.language)
                scheduler = DigestScheduler(store, library, {"discord": poster})
                if health is not None:
                    health.digest_runs["discord"] = lambda: scheduler.last_run
                stop = asyncio.Event()
                digests = asyncio.create_task(_digests_when_ready(client, scheduler, stop))
                try:
                    await client.start(settings.token)
                finally:
                    await finish(digests, stop)  # the post under way is not abandoned
    except discord.LoginFailure:
        raise QuoteBotError("Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal") from None
    except aiohttp.ClientConnectionError as error:
        raise QuoteBotError(f"cannot reach Discord at {discord.http.Route.BASE}: {error}") from None
