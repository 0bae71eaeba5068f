"""The core's replies as Discord messages: markdown escaped, mentions neutralised, matched words in bold.

Pure functions of the replies; nothing here talks to Discord.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import discord

from bot import (
    Card,
    ContextView,
    Help,
    Listing,
    Message,
    Moment,
    Notice,
    QuoteImage,
    escape_url,
    message,
    sentences,
    translate,
)

NO_MENTIONS = discord.AllowedMentions.none()
_MENTION_SYNTAX = re.compile(r"<(?=[@#/:]|a:|t:)")
COLOUR = discord.Colour(0x3B82F6)
_DESCRIPTION_LIMIT = 4000
# Discord refuses a message over these (characters): a long name or title is cut, not a failed reply.
CONTENT_LIMIT, TITLE_LIMIT, AUTHOR_LIMIT, FOOTER_LIMIT = 2000, 256, 256, 2048
ALT_LIMIT = 1024  # an attachment's description (its alt text)
# What could end a markdown link early or be read as markup or a mention inside its target.
_LINK_UNSAFE = "()[]<>\\\"'`*|"
_LINK_LIMIT = 1000  # a longer link (a URL full of escapes) shows the time alone
Span = tuple[int, int]


def safe(text: str) -> str:
    """Data text as Discord shows it literally: no markdown, no @everyone, no <@id> pings."""
    # <@1>, <#2>, <@&3>, </cmd:4>: Discord would draw any of these as a mention or a link.
    return unmentioned(discord.utils.escape_markdown(text))


def unmentioned(text: str) -> str:
    """Plain text (an alt text, drawn without markdown) that still cannot be read as a mention."""
    return _MENTION_SYNTAX.sub("<\u200b", discord.utils.escape_mentions(text))


def picture_file(image: QuoteImage) -> discord.File:
    """A card as an attachment: its PNG, its file name, the quote as its alt text."""
    return discord.File(io.BytesIO(image.png), filename=image.filename,
                        description=clip(unmentioned(image.alt), ALT_LIMIT))


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def code(text: str) -> str:
    """Text inside `code`: only a backtick could end it early."""
    return text.replace("`", "ˋ")


def say(said: Message, language: str) -> str:
    """A catalogue message with every parameter escaped for Discord."""
    return translate(said, language, safe)


def notice_text(notice: Notice, language: str) -> str:
    return clip(sentences(notice.messages, language, safe), CONTENT_LIMIT)


def bold_spans(text: str, spans: Sequence[Span]) -> str:
    out, at = [], 0
    for start, end in spans:
        out += [safe(text[at:start]), "**", safe(text[start:end]), "**"]
        at = end
    out.append(safe(text[at:]))
    return "".join(out)


def moment_line(said: Moment) -> str:
    """⏱ [12:34](https://youtu.be/x?t=754), a link to the moment in the recording; ⏱ 12:34 with none."""
    link = f"[{said.label}]({escape_url(said.url, _LINK_UNSAFE)})" if said.url else ""
    return f"⏱ {link if link and len(link) <= _LINK_LIMIT else said.label}"


def card_embed(card: Card, *, footer_note: str = "") -> discord.Embed:
    """The quote, when it was said (linked into the recording), who said it, and where: topic, panel,
    event and date; a link to the source."""
    said = card.moment
    when = f"\n\n{moment_line(said)}" if said else ""  # in the description: a footer cannot link
    gloss = f"\n\n*{clip(safe(card.gloss), _DESCRIPTION_LIMIT // 2)}*" if card.gloss else ""  # English beneath
    text = bold_spans(card.quote.text, card.spans)
    if len(text) > _DESCRIPTION_LIMIT - len(when) - len(gloss):
        text = text[:_DESCRIPTION_LIMIT - len(when) - len(gloss)] + "…"
    embed = discord.Embed(description=f"“{text}”{gloss}{when}", colour=COLOUR)
    if card.panel.source.url:  # the panel's title links to where the transcript was published
        title = card.panel.title_en if card.english and card.panel.title_en else card.panel.title
        embed.title, embed.url = clip(safe(title), TITLE_LIMIT), card.panel.source.url
    embed.set_author(name=clip(card.who, AUTHOR_LIMIT))  # author and footer are plain text: no markdown there
    embed.set_footer(text=clip(" · ".join(x for x in [*card.where, footer_note] if x), FOOTER_LIMIT))
    return embed


def context_embed(view: ContextView, language: str) -> discord.Embed:
    """The moderator's question, the paragraphs around the quote, and the quote itself marked."""
    label = say(message("context.question"), language)
    parts = []
    for line in view.lines:
        prefix = f"**{label}** " if line.is_question else ""
        text = f"{prefix}**{safe(line.quote.speaker.name)}**: {safe(line.quote.text)}"
        if gloss := Card(line.quote, view.panel, language=language).gloss:  # an English reader
            text += f"\n*{safe(gloss)}*"
        parts.append(f"> {text}" if line.is_focus else text)
    embed = discord.Embed(description="\n\n".join(parts)[:_DESCRIPTION_LIMIT], colour=COLOUR)
    embed.set_footer(text=clip(" · ".join(dict.fromkeys(x for x in (view.panel.title, view.panel.event) if x)),
                               FOOTER_LIMIT))
    return embed


def listing_embed(listing: Listing, language: str) -> discord.Embed:
    """One line a row: name (`id`) · the rest."""
    shown = [listing.shown(row, lambda said: translate(said, language)) for row in listing.rows]
    lines = [f"{safe(row[1])} (`{code(row[0])}`) · " + " · ".join(safe(c) for c in row[2:] if c) for row in shown]
    return discord.Embed(title=clip(say(listing.title, language), TITLE_LIMIT),
                         description=whole_lines(lines, _DESCRIPTION_LIMIT, language), colour=COLOUR)


def whole_lines(lines: Sequence[str], limit: int, language: str) -> str:
    """As many whole lines as fit in `limit`, then how many more there are."""
    kept: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        more = say(message("list.more", rest=len(lines) - n), language)
        if used + len(line) + 1 + len(more) > limit:
            return "\n".join([*kept, more])
        kept.append(clip(line, limit // 2))
        used += len(kept[-1]) + 1
    return "\n".join(kept)


def help_embed(help: Help, language: str) -> discord.Embed:
    command = f"/{say(message('slash.quote'), language)} {say(message('slash.keyword'), language)}:"
    lines = [f"`{command}{code(e.example)}` {say(e.meaning, language)}" for e in help.entries]
    return discord.Embed(title=say(help.intro, language),
                         description="\n".join([*lines, "", say(help.outro, language)])[:_DESCRIPTION_LIMIT],
                         colour=COLOUR)
