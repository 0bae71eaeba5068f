"""Quotes as Slack Block Kit: mrkdwn escaped so data cannot notify anyone or break formatting.

Pure functions of the library's values; nothing here talks to Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import Library
from bot.chat.conversation import Shown
from bot.models import Context, Quote, Span
from bot.panels.moments import escape_url, moment

Blocks = list[dict[str, Any]]
_TEXT_LIMIT = 2900
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


def bold_spans(text: str, spans: Sequence[Span]) -> str:
    # Slack only bolds *x* at word boundaries; zero-width spaces make one inside Chinese text.
    out, at = [], 0
    for start, end in spans:
        out += [plain(text[at:start]), f"{_ZWSP}*{plain(text[start:end])}*{_ZWSP}"]
        at = end
    out.append(plain(text[at:]))
    return "".join(out)


def who(quote: Quote) -> str:
    speaker = quote.speaker
    return f"*{plain(speaker.name)}* · {plain(speaker.title)}" if speaker.title else f"*{plain(speaker.name)}*"


def where(library: Library, quote: Quote) -> str:
    """Topic · panel · event · date · <link|12:34> (the moment in the recording) · <url|source>."""
    panel = library.panel(quote.panel)
    said = moment(panel, quote)
    parts = [quote.topic.name if quote.topic else "", panel.title, panel.event,
             panel.date.isoformat() if panel.date else ""]
    text = " · ".join(plain(p) for p in parts if p)
    if said:
        linked = link(said.url, said.label) if said.url else ""
        # A context element takes 3000 characters: a link too long to fit leaves the time alone.
        text += f" · {linked if linked and len(text) + len(linked) < _TEXT_LIMIT else said.label}"
    if panel.source.url:
        text += f" · {link(panel.source.url, 'source')}"
    return text


def fallback(quote: Quote) -> str:
    """The notification text: who said what, escaped."""
    return escape(f"{quote.speaker.name}: {quote.text}")[:_TEXT_LIMIT]


def quote_blocks(library: Library, quote: Quote, spans: Sequence[Span] = (), *, note: str = "") -> Blocks:
    text = bold_spans(quote.text, spans)
    if len(text) > _TEXT_LIMIT:
        text = text[:_TEXT_LIMIT] + "…"
    context = [{"type": "mrkdwn", "text": who(quote)}, {"type": "mrkdwn", "text": where(library, quote)}]
    if note:
        context.append({"type": "mrkdwn", "text": note})
    return [{"type": "section", "text": {"type": "mrkdwn", "text": f"“{text}”"}},
            {"type": "context", "elements": context}]


def preview_blocks(library: Library, shown: Shown, token: str, labels: dict[str, str]) -> Blocks:
    """The private preview: the quote and Send, Another, Context, Cancel (the /giphy pattern)."""
    blocks = quote_blocks(library, library.quote(shown.ref), shown.current_spans)
    buttons = [("send", "primary"), ("another", None), ("context", None), ("cancel", None)]
    blocks.append({"type": "actions", "block_id": "quote_actions", "elements": [
        {"type": "button", "action_id": f"quote_{name}", "value": token,
         "text": {"type": "plain_text", "text": labels[name]}, **({"style": style} if style else {})}
        for name, style in buttons]})
    return blocks


def context_blocks(library: Library, context: Context, *, question_label: str) -> Blocks:
    lines = []
    shown = [context.question] if context.question and context.question not in context.before else []
    for quote in (*shown, *context.before, context.quote, *context.after):
        label = f"_{question_label}_ " if quote is context.question else ""
        line = f"{label}*{plain(quote.speaker.name)}*: {plain(quote.text)}"
        lines.append(f">{line}" if quote is context.quote else line)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "\n\n".join(lines)[:_TEXT_LIMIT]}}]
