"""Daily digests on Discord: /quote-digest for server managers, and the scheduler's poster."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _

from bot import Library
from bot.chat.command import Command, Query
from bot.digest.scheduler import ChannelGone, Poster, RateLimited, utc_now
from bot.digest.store import Store, Subscription
from bot.digest.subscribing import answer_digest
from bot.models import Quote

from . import render

ONLY_MANAGERS = "Only members who can manage this server can change its digests."


def discord_poster(client: discord.Client, library: Library) -> Poster:
    """Send the quote as an embed; a channel Discord says is gone or closed disables the digest.

    discord.py itself waits out 429s (it reads Retry-After); only when it gives up does the
    scheduler hear of the rate limit.
    """

    async def post(subscription: Subscription, quote: Quote) -> str:
        channel = client.get_partial_messageable(int(subscription.channel))
        try:
            message = await channel.send(embed=render.quote_embed(library, quote, footer_note="Quote of the day"),
                                         allowed_mentions=render.NO_MENTIONS)
        except (discord.NotFound, discord.Forbidden) as error:
            raise ChannelGone(f"Discord {error.status}: {error.text or 'channel gone or closed to the bot'}") from None
        except discord.HTTPException as error:
            if error.status == 429:  # discord.py retried five times already: back off as told
                raise RateLimited(float(error.response.headers.get("Retry-After", 1))) from None
            raise
        return str(message.id)

    return post


def digest_commands(library: Library, store: Store, default_timezone: str) -> app_commands.Group:
    """/quote-digest subscribe|unsubscribe|status|preview, shown to Manage Server members only."""
    group = app_commands.Group(name="quote-digest", description="A quote every day in this channel",
                               default_permissions=discord.Permissions(manage_guild=True), guild_only=True)

    async def answer(interaction: discord.Interaction, words: str, query: Query | None = None) -> None:
        permissions = interaction.permissions
        if not (permissions.manage_guild or permissions.administrator):  # Discord hides it; check anyway
            await interaction.response.send_message(ONLY_MANAGERS, ephemeral=True, allowed_mentions=render.NO_MENTIONS)
            return
        reply = answer_digest(store, library, Command("digest", query or Query(), words), platform="discord",
                              channel=str(interaction.channel_id), user=str(interaction.user.id), now=utc_now(),
                              default_timezone=default_timezone)
        embeds = [render.quote_embed(library, reply.quote)] if reply.quote else []
        await interaction.response.send_message(render.safe(reply.text), embeds=embeds, ephemeral=True,
                                                allowed_mentions=render.NO_MENTIONS)

    @group.command(name="subscribe", description="Post a quote here every day")
    @app_commands.describe(time=_("Local time, HH:MM (default 09:00)"), timezone=_("Like Asia/Shanghai"),
                           topic=_("Only this topic"), speaker=_("Only this speaker"), panel=_("Only this panel"))
    async def subscribe(interaction: discord.Interaction, time: str = "09:00", timezone: str | None = None,
                        topic: str | None = None, speaker: str | None = None, panel: str | None = None) -> None:
        await answer(interaction, f"subscribe {time} {timezone or default_timezone}",
                     Query(topic=topic, speaker=speaker, panel=panel))

    @group.command(name="unsubscribe", description="Stop this channel's daily quote")
    async def unsubscribe(interaction: discord.Interaction) -> None:
        await answer(interaction, "unsubscribe")

    @group.command(name="status", description="This channel's daily quote: when, and what was last posted")
    async def status(interaction: discord.Interaction) -> None:
        await answer(interaction, "status")

    @group.command(name="preview", description="Tomorrow's quote for this channel, shown only to you")
    async def preview(interaction: discord.Interaction) -> None:
        await answer(interaction, "preview")

    return group
