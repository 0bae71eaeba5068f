"""The Discord client: /quote, /quote-speakers and /quote-topics, with buttons under each quote.

Handlers translate an interaction into a library call and the result into an embed; state
that buttons need (the query, the hits, who asked) is kept in memory under a short token in
the button's custom id, so a click after a restart is told the buttons expired.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.app_commands import locale_str as _

from bot import Library
from bot.chat.command import Query
from bot.chat.conversation import Conversations, Shown
from bot.chat.cooldown import Cooldown
from bot.digest.scheduler import DigestScheduler
from bot.digest.store import Store
from bot.errors import QuoteBotError
from bot.health import Health

from . import render
from .digest import digest_commands, discord_poster
from .settings import DiscordSettings
from .words import Translator, say

logger = logging.getLogger(__name__)
_PAGE = 5


def _view(token: str, shown: Shown, locale: discord.Locale) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    buttons = [("another", discord.ButtonStyle.primary), ("context", discord.ButtonStyle.secondary)]
    if len(shown.refs) > 1:
        buttons += [("prev", discord.ButtonStyle.secondary), ("next", discord.ButtonStyle.secondary)]
    if shown.private:
        buttons.append(("post", discord.ButtonStyle.success))
    for action, style in buttons:
        view.add_item(discord.ui.Button(label=say(action, locale), style=style, custom_id=f"pq:{action}:{token}"))
    view.stop()  # the client handles clicks itself (on_interaction), so the view is never stored
    return view


def _page_note(shown: Shown, locale: discord.Locale) -> str:
    return say("page", locale, n=shown.index + 1, total=len(shown.refs)) if len(shown.refs) > 1 else ""


class _QuoteHandlers:
    """What both client classes do: sync the commands, route button clicks, report errors."""

    tree: app_commands.CommandTree[Any]
    service: Conversations
    settings: DiscordSettings

    def _set_up(self, library: Library, settings: DiscordSettings, store: Store | None) -> None:
        self.settings = settings
        self.service = Conversations(library, Cooldown.parse(settings.cooldown))
        self.tree = app_commands.CommandTree(self)  # type: ignore[arg-type]
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
        register_commands(self.tree, self.service)
        if store is not None:
            self.tree.add_command(digest_commands(library, store, settings.digest_timezone))

    async def setup_hook(self) -> None:
        await self.tree.set_translator(Translator())
        if self.settings.guild_ids:  # development: guild commands appear at once
            for guild_id in self.settings.guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        custom_id = str(interaction.data.get("custom_id", "")) if interaction.data else ""
        if interaction.type is discord.InteractionType.component and custom_id.startswith("pq:"):
            await _guarded(interaction, lambda: _on_button(self.service, interaction, custom_id))

    async def _on_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await _report(interaction, error.original if isinstance(error, app_commands.CommandInvokeError) else error)


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


async def _private(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=render.NO_MENTIONS)


async def _report(interaction: discord.Interaction, error: BaseException) -> None:
    """User errors are shown to the user as they are; anything else is logged, and apologised for."""
    if isinstance(error, QuoteBotError):
        await _private(interaction, render.safe(str(error)))  # it quotes what the user typed
    else:
        logger.exception("interaction failed", exc_info=error)
        await _private(interaction, say("sorry", interaction.locale))


async def _guarded(interaction: discord.Interaction, handler: Callable[[], Coroutine[Any, Any, None]]) -> None:
    try:
        await handler()
    except Exception as error:  # the client must outlive any one interaction
        await _report(interaction, error)


def _no_match(service: Conversations, query: Query, locale: discord.Locale) -> str:
    text = say("no_match", locale, query=render.safe(query.describe()))
    filtered = query.speaker or query.topic or query.panel
    if query.words and filtered and (speakers := service.library.speakers_of(query.words)):
        text += say("who_speaks", locale, names="、".join(render.safe(s.name) for s in speakers))
    return text


async def answer_query(service: Conversations, interaction: discord.Interaction, query: Query, private: bool) -> None:
    """A /quote command: the best hit (or a random quote) as an embed with its buttons."""
    if wait := service.cooldown.wait(interaction.user.id):
        await _private(interaction, say("cooldown", interaction.locale, seconds=max(1, round(wait))))
        return
    answered = service.answer(str(interaction.channel_id or 0), str(interaction.user.id), query, private=private,
                              page=_PAGE)
    if answered is None:
        await _private(interaction, _no_match(service, query, interaction.locale))
        return
    await _send_shown(service, interaction, *answered)


async def _send_shown(service: Conversations, interaction: discord.Interaction, shown: Shown, token: str,
                      *, edit: bool = False) -> None:
    quote = service.library.quote(shown.ref)
    embed = render.quote_embed(service.library, quote, shown.current_spans,
                               footer_note=_page_note(shown, interaction.locale))
    view = _view(token, shown, interaction.locale)
    if edit:
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=render.NO_MENTIONS)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=shown.private,
                                                allowed_mentions=render.NO_MENTIONS)


async def _on_button(service: Conversations, interaction: discord.Interaction, custom_id: str) -> None:
    _, action, token = custom_id.split(":", 2)
    pressed = service.press(token, str(interaction.user.id), action)
    locale = interaction.locale
    if pressed.verdict != "ok" or pressed.shown is None:
        await _private(interaction, say(pressed.verdict, locale, seconds=max(1, round(pressed.wait))))
        return
    shown = pressed.shown
    if action in ("prev", "next"):
        shown.index = (shown.index + (1 if action == "next" else -1)) % len(shown.refs)
        await _send_shown(service, interaction, shown, token, edit=True)
    elif action == "another":
        fresh = service.next_quote(str(interaction.channel_id or 0), str(interaction.user.id), shown)
        if fresh is None:
            await _private(interaction, _no_match(service, shown.query, locale))
            return
        await _send_shown(service, interaction, *fresh)
    elif action == "context":
        context = service.library.context(shown.ref)
        embed = render.context_embed(service.library, context, question_label=say("question", locale))
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
    elif action == "post":
        embed = render.quote_embed(service.library, service.library.quote(shown.ref), shown.current_spans)
        channel = interaction.channel
        try:
            if not isinstance(channel, discord.abc.Messageable):
                raise QuoteBotError("this channel does not take messages")
            await channel.send(say("shared_by", locale, user=interaction.user.mention), embed=embed,
                               allowed_mentions=render.NO_MENTIONS)
        except Exception:
            service.unsend(token)  # nothing was posted: Post may be pressed again
            raise
        await interaction.response.send_message(say("posted", locale), ephemeral=True,
                                                allowed_mentions=render.NO_MENTIONS)


def register_commands(tree: app_commands.CommandTree, service: Conversations) -> None:
    """/quote with autocompleted filters, and the two listings."""
    library = service.library

    @app_commands.command(name=_("quote"), description=_("Find a quote from the panel discussions"))
    @app_commands.rename(keyword=_("keyword"), speaker=_("speaker"), topic=_("topic"), panel=_("panel"),
                         private=_("private"))
    @app_commands.describe(keyword=_("Words to look for, in Chinese, pinyin or English"),
                           speaker=_("Who said it: name, pinyin or title"),
                           topic=_("The moderator's question it answers"), panel=_("Which panel"),
                           private=_("Answer only to me"))
    async def quote(interaction: discord.Interaction, keyword: str | None = None, speaker: str | None = None,
                    topic: str | None = None, panel: str | None = None, private: bool = False) -> None:
        """Find a quote from the panel discussions."""
        await answer_query(service, interaction, Query(keyword or "", speaker, topic, panel), private)

    @quote.autocomplete("speaker")
    async def speaker_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=render.speaker_line_of(s)[:100], value=s.id)
                for s in library.speaker_choices(current)]

    @quote.autocomplete("topic")
    async def topic_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t.name[:100], value=t.id) for t in library.topic_choices(current)]

    async def panel_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=p.title[:100], value=p.id) for p in library.panel_choices(current)]

    if len(library.panels) > 1:  # with one panel there is nothing to choose
        quote.autocomplete("panel")(panel_choices)

    @app_commands.command(name=_("quote-speakers"), description=_("Who speaks in the loaded panels"))
    async def speakers(interaction: discord.Interaction) -> None:
        lines = [f"{s.name} ({s.id}) · {s.title}" for s in {s.id: s for s in library.speakers}.values()]
        await interaction.response.send_message(embed=render.listing_embed(say("speakers", interaction.locale), lines),
                                                ephemeral=True, allowed_mentions=render.NO_MENTIONS)

    @app_commands.command(name=_("quote-topics"), description=_("The topics of the loaded panels"))
    async def topics(interaction: discord.Interaction) -> None:
        lines = [f"{t.name} ({t.id})" for t in library.topics]
        await interaction.response.send_message(embed=render.listing_embed(say("topics", interaction.locale), lines),
                                                ephemeral=True, allowed_mentions=render.NO_MENTIONS)

    tree.add_command(quote)
    tree.add_command(speakers)
    tree.add_command(topics)


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
                scheduler = DigestScheduler(store, library, {"discord": discord_poster(client, library)})
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
