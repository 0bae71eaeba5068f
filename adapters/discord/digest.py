"""Daily digests on Discord: /quote-digest for server managers, and the scheduler's poster."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands

from bot import (
    Card,
    ChannelGone,
    Chat,
    Command,
    Delivery,
    DigestOrder,
    Poster,
    Query,
    Quote,
    RateLimited,
    Subscription,
    digest_picture,
    message,
)

from . import render
from .interactions import answer_command
from .words import key

POST_SECONDS = 30.0  # an answer slower than this counts as lost; the retry's nonce keeps it one message


def discord_poster(client: discord.Client, language: str, timeout: float = POST_SECONDS) -> Poster:
    """Send the quote as an embed; a channel Discord says is gone or closed disables the digest.

    discord.py itself waits out 429s (it reads Retry-After); only when it gives up does the
    scheduler hear of the rate limit.
    """

    async def post(subscription: Subscription, quote: Quote, delivery: Delivery) -> str:
        chat: Chat = client.chat  # type: ignore[attr-defined]
        card = Card(quote, chat.library.panel(quote.panel))
        channel = client.get_partial_messageable(int(subscription.channel))
        note = render.say(message("digest.note"), language)
        image = digest_picture(subscription, quote, chat.library, language)
        post: dict[str, Any] = {"content": note, "file": render.picture_file(image)} if image else \
            {"embed": render.card_embed(card, footer_note=note)}
        try:
            # The nonce is the post's mark, enforced: Discord answers a second send of the same day's
            # post (a retry after a lost answer) with the message it already made.
            message_ = await asyncio.wait_for(channel.send(**post, nonce=delivery.mark,
                                                           allowed_mentions=render.NO_MENTIONS), timeout)
        except (discord.NotFound, discord.Forbidden) as error:
            raise ChannelGone(f"Discord {error.status}: {error.text or 'channel gone or closed to the bot'}") from None
        except discord.HTTPException as error:
            if error.status == 429:  # discord.py retried five times already: back off as told
                raise RateLimited(float(error.response.headers.get("Retry-After", 1))) from None
            raise
        return str(message_.id)

    return post


def digest_commands(chat: Chat) -> app_commands.Group:
    """/quote-digest subscribe|unsubscribe|status|preview, shown to Manage Server members only; the
    core checks it again (Discord's default permissions can be changed by a server's owner)."""
    group = app_commands.Group(name=key("digest"), description=key("digest.description"),
                               default_permissions=discord.Permissions(manage_guild=True), guild_only=True)

    async def order(interaction: discord.Interaction[Any], action: str, query: Query | None = None,
                    time: str | None = None, zone: str | None = None, style: str | None = None) -> None:
        command = Command("digest", query or Query(), digest=DigestOrder(action, time, zone, style))
        await answer_command(interaction, chat, lambda: command)

    @group.command(name=key("subscribe"), description=key("subscribe.description"))
    @app_commands.rename(time=key("time"), timezone=key("timezone"), topic=key("topic"), speaker=key("speaker"),
                         panel=key("panel"), style=key("style"))
    @app_commands.describe(time=key("time.description"), timezone=key("timezone.description"),
                           topic=key("digest_topic.description"), speaker=key("digest_speaker.description"),
                           panel=key("digest_panel.description"), style=key("style.description"))
    @app_commands.choices(style=[app_commands.Choice(name=key("style.text"), value="text"),
                                 app_commands.Choice(name=key("style.card"), value="card")])
    async def subscribe(interaction: discord.Interaction[Any], time: str | None = None, timezone: str | None = None,
                        topic: str | None = None, speaker: str | None = None, panel: str | None = None,
                        style: str | None = None) -> None:
        await order(interaction, "subscribe", Query(topic=topic, speaker=speaker, panel=panel), time, timezone, style)

    @group.command(name=key("unsubscribe"), description=key("unsubscribe.description"))
    async def unsubscribe(interaction: discord.Interaction[Any]) -> None:
        await order(interaction, "unsubscribe")

    @group.command(name=key("status"), description=key("status.description"))
    async def status(interaction: discord.Interaction[Any]) -> None:
        await order(interaction, "status")

    @group.command(name=key("preview"), description=key("preview.description"))
    async def preview(interaction: discord.Interaction[Any]) -> None:
        await order(interaction, "preview")

    return group
