"""The core's replies as Slack Block Kit: mrkdwn escaped so data cannot notify anyone or break formatting.

Pure functions of the replies; nothing here talks to Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import (
    Answer,
    Card,
    ContextView,
    Help,
    Listing,
    Message,
    Notice,
    QuoteImage,
    escape_url,
    message,
    sentences,
    translate,
)

Blocks = list[dict[str, Any]]
Span = tuple[int, int]
_TEXT_LIMIT = 2900
_TITLE_LIMIT, _ALT_LIMIT = 250, 1000  # a file's title; its alt text (files.getUploadURLExternal)
_ZWSP = "\u200b"


def escape(text: str) -> str:
    """Slack's three control characters, so <!channel> and <@U123> stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """<url|label>, the URL made safe: | < > and spaces percent-encoded, & escaped as Slack asks."""
    return f"<{escape(escape_url(url, '|<>'))}|{label}>"


def plain(text: str) -> str:
    """Data text shown literally: escaped, and mrkdwn markers kept from pairing up."""
    escaped = escape(text)
    for marker in "*_~`":
        escaped = escaped.replace(marker, marker + _ZWSP)
    return escaped


def say(said: Message, language: str) -> str:
    """A catalogue message with every parameter made literal for mrkdwn."""
    return translate(said, language, plain)


def notice_text(notice: Notice, language: str) -> str:
    return sentences(notice.messages, language, plain)


def bold_spans(text: str, spans: Sequence[Span]) -> str:
    # Slack only bolds *x* at word boundaries; zero-width spaces make one inside Chinese text.
    out, at = [], 0
    for start, end in spans:
        out += [plain(text[at:start]), f"{_ZWSP}*{plain(text[start:end])}*{_ZWSP}"]
        at = end
    out.append(plain(text[at:]))
    return "".join(out)


def who(card: Card) -> str:
    name = f"*{plain(card.speaker.name)}*"
    return f"{name} · {plain(card.title)}" if card.title else name


def where(card: Card, source_label: str = "source") -> str:
    """Topic · panel · event · date · <link|12:34> (the moment in the recording) · <url|source>."""
    said = card.moment
    text = " · ".join(plain(p) for p in card.where)
    if said:
        linked = link(said.url, said.label) if said.url else ""
        # A context element takes 3000 characters: a link too long to fit leaves the time alone.
        text += f" · {linked if linked and len(text) + len(linked) < _TEXT_LIMIT else said.label}"
    if card.panel.source.url:
        text += f" · {link(card.panel.source.url, plain(source_label))}"
    return text


def fallback(card: Card) -> str:
    """The notification text: who said what, escaped."""
    return escape(f"{card.speaker.name}: {card.quote.text}")[:_TEXT_LIMIT]


def picture_title(card: Card) -> str:
    """A card's title in the channel: who said it and where, escaped like every other text."""
    return escape(" · ".join([card.speaker.name, *card.where[:2]]))[:_TITLE_LIMIT]


def alt_text(image: QuoteImage) -> str:
    """The card's alt text (the quote and who said it), escaped: a screen reader's, never a ping."""
    return escape(image.alt)[:_ALT_LIMIT]


def card_blocks(card: Card, *, note: str = "", source_label: str = "source") -> Blocks:
    text = bold_spans(card.quote.text, card.spans)
    if len(text) > _TEXT_LIMIT:
        text = text[:_TEXT_LIMIT] + "…"
    context = [{"type": "mrkdwn", "text": who(card)}, {"type": "mrkdwn", "text": where(card, source_label)}]
    if note:
        context.append({"type": "mrkdwn", "text": note})
    blocks: Blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"“{text}”"}}]
    if card.gloss:  # an English reader: the gloss beneath the original
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"_{plain(card.gloss)[:_TEXT_LIMIT]}_"}})
    return [*blocks, {"type": "context", "elements": context}]


def answer_blocks(answer: Answer, language: str) -> Blocks:
    """A quote with its buttons (the private preview: Send, Another, Context, Cancel, ...)."""
    page = say(message("page", n=answer.page[0], total=answer.page[1]), language) if answer.page else ""
    blocks = card_blocks(answer.card, note=page, source_label=translate(message("link.source"), language))
    if answer.note:
        blocks.insert(0, {"type": "section", "text": {"type": "mrkdwn", "text": say(answer.note, language)}})
    if answer.buttons:
        blocks.append({"type": "actions", "block_id": "quote_actions", "elements": [
            {"type": "button", "action_id": f"quote_{button.value}", "value": answer.token,
             "text": {"type": "plain_text", "text": translate(message(f"button.{button.value}"), language)},
             **({"style": "primary"} if button.value == "send" else {})}
            for button in sorted(answer.buttons, key=lambda b: b.value != "send")]})  # Send first, as /giphy
    return blocks


def context_blocks(view: ContextView, language: str) -> Blocks:
    label = say(message("context.question"), language)
    lines = []
    for line in view.lines:
        prefix = f"_{label}_ " if line.is_question else ""
        text = f"{prefix}*{plain(line.quote.speaker.name)}*: {plain(line.quote.text)}"
        if gloss := Card(line.quote, view.panel, language=language).gloss:  # an English reader
            text += f"\n_{plain(gloss)}_"
        lines.append(f">{text}" if line.is_focus else text)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "\n\n".join(lines)[:_TEXT_LIMIT]}}]


def listing_text(listing: Listing, language: str) -> str:
    shown = [listing.shown(row, lambda said: translate(said, language)) for row in listing.rows]
    rows = [f"{plain(row[1])} (`{plain(row[0])}`) · " + " · ".join(plain(c) for c in row[2:] if c) for row in shown]
    return "\n".join([f"*{say(listing.title, language)}*", *rows])


def help_text(help: Help, language: str) -> str:
    lines = [f"• `/quote {plain(e.example)}` {say(e.meaning, language)}" for e in help.entries]
    return "\n".join([say(help.intro, language), *lines, say(help.outro, language)])
