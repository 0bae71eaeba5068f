"""What a Discord interaction becomes: one call on the chat core, and its reply rendered back.

Shared by the slash commands (app.py), /quote-digest (digest.py) and the buttons, which are
`DynamicItem`s: their custom id carries the core's token, so a press is routed by pattern
without a View kept per message, on whichever process gets it, before or after a restart.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from bot import (
    Actor,
    Answer,
    Audience,
    Chat,
    Command,
    ContextView,
    Help,
    Listing,
    Notice,
    Picture,
    Place,
    QuoteBotError,
    Raw,
    Removed,
    Reply,
    Shared,
    failure,
    language_of,
    message,
)

from . import render

logger = logging.getLogger(__name__)
PLATFORM = "discord"
_STYLES = {"another": discord.ButtonStyle.primary, "send": discord.ButtonStyle.success}
BUTTON_ID = re.compile(r"pq:(?P<button>[a-z]+):(?P<token>[\w-]+)")  # a QuoteButton's custom id


class QuoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_ID):
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
        language = language_of_user(interaction)
        await _guarded(interaction, language, lambda: _deliver(
            interaction, chat, chat.press(self.token, self.button, _actor(interaction), _place(interaction)), language))


def language_of_user(interaction: discord.Interaction[Any]) -> str:
    default = getattr(interaction.client, "language", "en")
    return language_of(str(interaction.locale), default) if interaction.locale else default


def _actor(interaction: discord.Interaction[Any], *, manages: bool = False) -> Actor:
    return Actor(str(interaction.user.id), language_of_user(interaction), manages)


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


async def private(interaction: discord.Interaction[Any], text: str) -> None:
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
    elif isinstance(reply, Picture):  # the card, posted to the channel as the presser's
        by = render.say(message("share.shared_by", user=_mention(interaction.user)), language)
        await respond.send_message(by, file=render.picture_file(reply.image), ephemeral=reply.audience is Audience.ACTOR,
                                   allowed_mentions=render.NO_MENTIONS)
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
        await private(interaction, render.notice_text(reply, language))


async def _share(interaction: discord.Interaction[Any], chat: Chat, shared: Shared, language: str) -> None:
    """Send: post the quote to the channel as shared by the presser, and turn the preview into a note."""
    channel = interaction.channel
    by = render.say(message("share.shared_by", user=_mention(interaction.user)), language)
    try:
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError("not a channel that takes messages")
        await channel.send(by, embed=render.card_embed(shared.card), allowed_mentions=render.NO_MENTIONS)
    except (discord.Forbidden, discord.NotFound, TypeError):
        await private(interaction, render.notice_text(chat.share_failed(shared.token, "closed"), language))
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
        await private(interaction, render.say(message("sorry"), language))


async def answer_command(interaction: discord.Interaction[Any], chat: Chat, command: Callable[[], Command], *,
                         private: bool = False) -> None:
    """One slash command: its options as a core command, the core's reply rendered back."""
    language = language_of_user(interaction)
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
