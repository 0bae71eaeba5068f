"""Quotes as Discord embeds: markdown escaped, mentions neutralised, matched words in bold.

Pure functions of the library's values; nothing here talks to Discord.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot import Library
from bot.models import Context, Quote, Span, Speaker
from bot.panels.moments import Moment, escape_url, moment

NO_MENTIONS = discord.AllowedMentions.none()
_MENTION_SYNTAX = re.compile(r"<(?=[@#/:]|a:|t:)")
COLOUR = discord.Colour(0x3B82F6)
_DESCRIPTION_LIMIT = 4000
# What could end a markdown link early or be read as markup or a mention inside its target.
_LINK_UNSAFE = "()[]<>\\\"'`*|"
_LINK_LIMIT = 1000  # a longer link (a URL full of escapes) shows the time alone


def safe(text: str) -> str:
    """Data text as Discord shows it literally: no markdown, no @everyone, no <@id> pings."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    # <@1>, <#2>, <@&3>, </cmd:4>: Discord would draw any of these as a mention or a link.
    return _MENTION_SYNTAX.sub("<\u200b", escaped)


def bold_spans(text: str, spans: Sequence[Span]) -> str:
    out, at = [], 0
    for start, end in spans:
        out += [safe(text[at:start]), "**", safe(text[start:end]), "**"]
        at = end
    out.append(safe(text[at:]))
    return "".join(out)


def speaker_line_of(speaker: Speaker) -> str:
    """陈石 · 峰瑞资本投资合伙人"""
    return f"{speaker.name} · {speaker.title}" if speaker.title else speaker.name


def speaker_line(quote: Quote) -> str:
    return speaker_line_of(quote.speaker)


def moment_line(said: Moment) -> str:
    """⏱ [12:34](https://youtu.be/x?t=754), a link to the moment in the recording; ⏱ 12:34 with none."""
    link = f"[{said.label}]({escape_url(said.url, _LINK_UNSAFE)})" if said.url else ""
    return f"⏱ {link if link and len(link) <= _LINK_LIMIT else said.label}"


def quote_embed(library: Library, quote: Quote, spans: Sequence[Span] = (), *, footer_note: str = "") -> discord.Embed:
    """The quote, when it was said (linked into the recording), who said it, and where: topic, panel,
    event and date; a link to the source."""
    panel = library.panel(quote.panel)
    said = moment(panel, quote)
    when = f"\n\n{moment_line(said)}" if said else ""  # in the description: a footer cannot link
    text = bold_spans(quote.text, spans)
    if len(text) > _DESCRIPTION_LIMIT - len(when):
        text = text[:_DESCRIPTION_LIMIT - len(when)] + "…"
    embed = discord.Embed(description=f"“{text}”{when}", colour=COLOUR)
    if panel.source.url:  # the panel's title links to where the transcript was published
        embed.title, embed.url = safe(panel.title), panel.source.url
    embed.set_author(name=speaker_line(quote))
    where = [quote.topic.name if quote.topic else "", panel.title, panel.event,
             panel.date.isoformat() if panel.date else ""]
    embed.set_footer(text=" · ".join(x for x in [*where, footer_note] if x))
    return embed


def context_embed(library: Library, context: Context, *, question_label: str) -> discord.Embed:
    """The moderator's question, the paragraph before, the quote, and the one after."""
    shown = [context.question] if context.question and context.question not in context.before else []
    parts = []
    for quote in (*shown, *context.before, context.quote, *context.after):
        label = f"**{question_label}** " if quote is context.question else ""
        line = f"{label}**{safe(quote.speaker.name)}**: {safe(quote.text)}"
        parts.append(f"> {line}" if quote is context.quote else line)
    embed = discord.Embed(description="\n\n".join(parts)[:_DESCRIPTION_LIMIT], colour=COLOUR)
    panel = library.panel(context.quote.panel)
    embed.set_footer(text=" · ".join(x for x in (panel.title, panel.event) if x))
    return embed


def listing_embed(title: str, lines: Sequence[str]) -> discord.Embed:
    return discord.Embed(title=title, description="\n".join(safe(line) for line in lines)[:_DESCRIPTION_LIMIT],
                         colour=COLOUR)
