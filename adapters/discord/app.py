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
import re
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from bot import (
    Actor,
    Answer,
    Audience,
    Chat,
    Command,
    ContextView,
    Cooldown,
    DigestScheduler,
    Health,
    Help,
    Library,
    Listing,
    Notice,
    Place,
    QuoteBotError,
    Raw,
    Removed,
    Reply,
    Shared,
    Store,
    failure,
    language_of,
    message,
    parse_command,
)

from . import render
from .digest import digest_commands, discord_poster
from .settings import DiscordSettings
from .words import Translator, key

logger = logging.getLogger(__name__)
PLATFORM = "discord"
_STYLES = {"another": discord.ButtonStyle.primary, "send": discord.ButtonStyle.success}


class QuoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pq:(?P<button>[a-z]+):(?P<token>[\w-]+)"):
    """A button under a quote: `pq:<button>:<token>`; what a press does is the core's to decide."""

    def __init__(self, button: str, token: str, label: str = "") -> None:
        super().__init__(discord.ui.Button(label=label or button, custom_id=f"pq:{button}:{token}",
                                           style=_STYLES.get(button, discord.ButtonStyle.secondary)))
        self.button, self.token = button, token

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str]) -> QuoteButton:
        return cls(match["button"], match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        chat: Chat = interaction.client.chat
        language = _language(interaction)
        await _guarded(interaction, language, lambda: _deliver(
            interaction, chat, chat.press(self.token, self.button, _actor(interaction), _place(interaction)), language))


def _language(interaction: discord.Interaction[Any]) -> str:
    default = getattr(interaction.client, "language", "en")
    return language_of(str(interaction.locale), default) if interaction.locale else default


def _actor(interaction: discord.Interaction[Any], *, manages: bool = False) -> Actor:
    return Actor(str(interaction.user.id), _language(interaction), manages)


def _place(interaction: discord.Interaction[Any]) -> Place:
    return Place(PLATFORM, str(interaction.channel_id or 0))


def _view(answer: Answer, language: str) -> discord.ui.View | None:
    if not answer.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in answer.buttons:
        view.add_item(QuoteButton(button.value, answer.token, render.say(message(f"button.{button.value}"), language)))
    view.stop()  # presses reach QuoteButton through the client's dynamic items, not this view
    return view


async def _private(interaction: discord.Interaction[Any], text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)


async def _deliver(interaction: discord.Interaction[Any], chat: Chat, reply: Reply, language: str) -> None:
    """Render the core's reply as this interaction's response."""
    respond = interaction.response
    if isinstance(reply, Answer):
        note = render.say(reply.note, language) if reply.note else ""
        page = render.say(message("page", n=reply.page[0], total=reply.page[1]), language) if reply.page else ""
        embed = render.card_embed(reply.card, footer_note=page)
        view = _view(reply, language)
        extra: dict[str, Any] = {"view": view} if view else {}
        if reply.replaces:
            await respond.edit_message(content=note or None, embed=embed, allowed_mentions=render.NO_MENTIONS, **extra)
        else:
            await respond.send_message(note, embed=embed, ephemeral=reply.audience is Audience.ACTOR,
                                       allowed_mentions=render.NO_MENTIONS, **extra)
    elif isinstance(reply, Shared):
        await _share(interaction, chat, reply, language)
    elif isinstance(reply, ContextView):
        await respond.send_message(embed=render.context_embed(reply, language), ephemeral=True,
                                   allowed_mentions=render.NO_MENTIONS)
    elif isinstance(reply, Listing):
        await respond.send_message(embed=render.listing_embed(reply, language), ephemeral=True,
                                   allowed_mentions=render.NO_MENTIONS)
    elif isinstance(reply, Help):
        await respond.send_message(embed=render.help_embed(reply, language), ephemeral=True,
                                   allowed_mentions=render.NO_MENTIONS)
    elif isinstance(reply, Removed):
        await respond.defer()
        await interaction.delete_original_response()
    elif isinstance(reply, Notice):
        await _private(interaction, render.notice_text(reply, language))


async def _share(interaction: discord.Interaction[Any], chat: Chat, shared: Shared, language: str) -> None:
    """Send: post the quote to the channel as shared by the presser, and turn the preview into a note."""
    channel = interaction.channel
    by = render.say(message("share.shared_by", user=_mention(interaction.user)), language)
    try:
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError("not a channel that takes messages")
        await channel.send(by, embed=render.card_embed(shared.card), allowed_mentions=render.NO_MENTIONS)
    except (discord.Forbidden, discord.NotFound, TypeError):
        await _private(interaction, render.notice_text(chat.share_failed(shared.token, "closed"), language))
        return
    except BaseException:
        chat.share_failed(shared.token, "closed")  # nothing was posted: Send may be pressed again
        raise
    await interaction.response.edit_message(content=render.say(message("share.posted"), language), embed=None,
                                            view=None, allowed_mentions=render.NO_MENTIONS)


def _mention(user: discord.abc.User) -> Raw:
    return Raw(user.mention)  # markup Discord draws as the user; allowed_mentions keeps it from pinging


async def _guarded(interaction: discord.Interaction[Any], language: str,
                   handler: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """The client outlives any one interaction: a bug is logged and apologised for."""
    try:
        await handler()
    except Exception:
        logger.exception("interaction failed")
        await _private(interaction, render.say(message("sorry"), language))


class _QuoteHandlers:
    """What both client classes do: sync the commands, report errors, hold the chat core."""

    tree: app_commands.CommandTree[Any]
    chat: Chat
    settings: DiscordSettings
    language: str

    def _set_up(self, library: Library, settings: DiscordSettings, store: Store | None) -> None:
        self.settings, self.language = settings, settings.language
        self.chat = Chat(library, cooldown=Cooldown.parse(settings.cooldown), store=store,
                         default_timezone=settings.digest_timezone)
        self.tree = app_commands.CommandTree(self)  # type: ignore[arg-type]
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
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
        await _private(interaction, render.say(message("sorry"), _language(interaction)))


class QuoteClient(_QuoteHandlers, discord.Client):
    """One gateway connection: right for all but the largest deployments."""

    def __init__(self, library: Library, settings: DiscordSettings, store: Store | None = None,
                 **options: Any) -> None:
        discord.Client.__init__(self, intents=discord.Intents.default(), **options)
        self._set_up(library, settings, store)


class ShardedQuoteClient(_QuoteHandlers, discord.AutoShardedClient):
    """Several shards in one process; several processes split them with DISCORD_SHARD_IDS."""

    def __init__(self, library: Library, settings: DiscordSettings, store: Store | None = None,
                 **options: Any) -> None:
        if settings.shard_ids:
            options["shard_ids"] = list(settings.shard_ids)
        discord.AutoShardedClient.__init__(self, intents=discord.Intents.default(),
                                           shard_count=settings.shard_count or None, **options)
        self._set_up(library, settings, store)


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


async def answer_command(interaction: discord.Interaction[Any], chat: Chat, command: Callable[[], Command], *,
                         private: bool = False) -> None:
    """One slash command: its options as a core command, the core's reply rendered back."""
    language = _language(interaction)
    manages = bool(interaction.permissions.manage_guild or interaction.permissions.administrator)

    async def handle() -> None:
        try:
            parsed = command()
        except QuoteBotError as error:  # the options did not parse: the core words it
            reply: Reply = failure(error)
        else:
            reply = chat.run(parsed, _actor(interaction, manages=manages), _place(interaction), private=private)
        await _deliver(interaction, chat, reply, language)

    await _guarded(interaction, language, handle)


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
        return [app_commands.Choice(name=render.speaker_line_of(s)[:100], value=s.id)
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
    await client.wait_until_ready()  # the poster needs a logged-in client
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
                    stop.set()
                    digests.cancel()
    except discord.LoginFailure:
        raise QuoteBotError("Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal") from None
    except aiohttp.ClientConnectionError as error:
        raise QuoteBotError(f"cannot reach Discord at {discord.http.Route.BASE}: {error}") from None
