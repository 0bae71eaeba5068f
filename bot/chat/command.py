"""The command language shared by the console and the chat adapters: `算力 speaker:陈石`."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..digest.schedule import is_time
from ..errors import QueryError, QuoteBotError
from ..models import EVERYTHING, Query

FILTER_NAMES = {
    "speaker": "speaker", "发言人": "speaker", "嘉宾": "speaker",
    "topic": "topic", "话题": "topic", "主题": "topic",
    "panel": "panel", "圆桌": "panel", "场次": "panel",
}
ACTIONS = {
    "random": "random", "随机": "random", "help": "help", "帮助": "help",
    "speakers": "speakers", "topics": "topics", "panels": "panels", "context": "context", "上下文": "context",
    "digest": "digest", "每日": "digest", "card": "card", "卡片": "card",
}
DIGEST_ACTIONS = ("subscribe", "unsubscribe", "status", "preview")
STYLE_NAMES = ("style", "样式")  # digest subscribe style:card posts the quote as an image card
STYLES = {"text": "text", "文字": "text", "card": "card", "卡片": "card"}
CONSOLE_BUTTONS = ("another", "next", "prev", "context", "card")
MAX_COMMAND_CHARS = 2000  # a command's words and filters; the search words alone may be 500
_COLONS = ":："
_PAIRS = {'"': '"', "“": "”", "'": "'", "「": "」"}  # a filter's value may be quoted with any of these
_WORD_QUOTES = ('"', "“")  # ... a free phrase with these
_SPACE = re.compile(r"\s")
_NOT_SPACE = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of a command: `key` and `value` for a filter-like `key:value`, else a word or a
    quoted phrase; `text` is the piece as typed."""

    text: str
    key: str | None = None
    value: str = ""
    bare: bool = False  # a word with no quotes and no colon: the only kind that can be an action


class _Ahead:
    """Where the next space, colon or closing quote is, from positions that only move forward:
    each answer is kept until the position passes it, so the text is scanned once per kind."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[str, int] = {}  # what -> where it is next (len(text) for nowhere)

    def next(self, what: str, start: int) -> int:
        known = self._found.get(what, -1)
        if known < start:
            if what == " ":
                space = _SPACE.search(self.text, start)
                known = space.start() if space else len(self.text)
            else:
                known = self.text.find(what, start)
                known = len(self.text) if known < 0 else known
            self._found[what] = known
        return known


def tokens(text: str) -> list[Token]:
    """Cut a command into words, quoted phrases and `key:value` filters, in time linear in its
    length however its quotes and colons fall."""
    ahead, found, position = _Ahead(text), [], 0
    while (start := _NOT_SPACE.search(text, position)) is not None:
        at = start.start()
        chunk_end = ahead.next(" ", at)
        colon = min(ahead.next(c, at) for c in _COLONS)
        if at < colon < chunk_end:  # key:value, the value after any spaces, quoted or up to a space
            value = _NOT_SPACE.search(text, colon + 1)
            value_at = value.start() if value else len(text)
            end = len(text)
            if value_at < len(text) and text[value_at] in _PAIRS:
                end = ahead.next(_PAIRS[text[value_at]], value_at + 1) + 1
            if end > len(text) or value_at == len(text) or text[value_at] not in _PAIRS:
                end = ahead.next(" ", value_at)
            found.append(Token(text[at:end], text[at:colon], text[value_at:end]))
        elif text[at] in _WORD_QUOTES and (close := ahead.next(_PAIRS[text[at]], at + 1)) < len(text):
            end = close + 1
            found.append(Token(text[at:end]))
        else:
            end = chunk_end
            found.append(Token(text[at:end], bare=True))
        position = end
    return found


@dataclass(frozen=True, slots=True)
class DigestOrder:
    """A digest command: subscribe (at a local time in a zone; None for the defaults),
    unsubscribe, status or preview. The command's query holds its filters."""

    action: str
    time: str | None = None
    zone: str | None = None
    style: str | None = None  # text or card; None for the default (text)


@dataclass(frozen=True, slots=True)
class Command:
    """`action` is search, random, help, speakers, topics, panels, context, card or digest;
    `argument` carries the quote id for context and card, `digest` what a digest command asks."""

    action: str
    query: Query = EVERYTHING
    argument: str = ""
    digest: DigestOrder | None = None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] + value[-1] in ('""', "“”", "''", "「」"):
        return value[1:-1].strip()
    return value


def parse_command(text: str) -> Command:
    """Parse what follows `/quote`: words, filters, or a leading action word.

    >>> parse_command("大模型 speaker：陈石").query
    Query(words='大模型', speaker='陈石', topic=None, panel=None)
    """
    if len(text) > MAX_COMMAND_CHARS:
        raise QueryError(f"the command is {len(text):,} characters long; at most {MAX_COMMAND_CHARS:,}",
                         key="bad.command_too_long", length=len(text), most=MAX_COMMAND_CHARS)
    words: list[str] = []
    filters: dict[str, str] = {}
    action = "search"
    style: str | None = None
    for n, token in enumerate(tokens(text)):
        if token.key is not None and token.key.lower() in STYLE_NAMES and action == "digest":
            style = STYLES.get(_unquote(token.value).lower())
            if style is None:
                raise QuoteBotError(f"{token.key}: is text or card", key="bad.style", name=token.key)
        elif token.key is not None and token.key.lower() in FILTER_NAMES:
            name = FILTER_NAMES[token.key.lower()]
            value = _unquote(token.value)
            if not value:
                raise QuoteBotError(f"{token.key}: needs a value, e.g. {token.key}:陈石",
                                    key="bad.filter_value", name=token.key)
            if name in filters:
                raise QuoteBotError(f"{name} is given twice", key="bad.filter_twice", name=name)
            filters[name] = value
        elif n == 0 and token.bare and token.text.lower() in ACTIONS:
            action = ACTIONS[token.text.lower()]
        else:
            words.append(_unquote(token.text))
    query = Query(" ".join(w for w in words if w), **filters)
    if action == "digest":
        if not words or words[0].lower() not in DIGEST_ACTIONS:
            raise QuoteBotError("digest takes subscribe [HH:MM] [Area/City] [topic:..] [speaker:..] [style:card], "
                                "unsubscribe, status or preview", key="bad.digest")
        order = _digest_order(words[0].lower(), words[1:])
        if style is not None and order.action != "subscribe":
            raise QuoteBotError("style: belongs to digest subscribe", key="bad.digest")
        return Command("digest", Query(speaker=query.speaker, topic=query.topic, panel=query.panel),
                       digest=dataclasses.replace(order, style=style))
    if action in ("context", "card"):
        if len(words) != 1 or filters:
            raise QuoteBotError(f"{action} takes one quote id, e.g. {action} chen-shi-3", key=f"bad.{action}")
        return Command(action, Query(), words[0])
    if action in ("help", "speakers", "topics", "panels") and (words or filters):
        action = "search"  # `help me` or `topics 算力` read as a search, not a command
        query = Query(text.strip())
    if action == "search" and not query.words:
        action = "random"
    return Command(action, query)


def _digest_order(action: str, rest: list[str]) -> DigestOrder:
    if action != "subscribe":
        if rest:
            raise QuoteBotError(f"digest {action} takes no more words", key="bad.digest")
        return DigestOrder(action)
    times = [r for r in rest if is_time(r)]  # Etc/GMT+8 has a digit and is a zone
    zones = [r for r in rest if r not in times]
    if len(times) > 1 or len(zones) > 1:
        raise QuoteBotError("digest subscribe takes at most one time (HH:MM) and one time zone (Area/City)",
                            key="bad.digest")
    return DigestOrder("subscribe", times[0] if times else None, zones[0] if zones else None)


def parse_console_line(line: str) -> Command:
    """A console line: `/quote ...`, `/help`, `/quit`, `/speakers`, or bare words to search."""
    stripped = line.strip()
    if stripped.lower() in ("quit", "exit"):
        return Command("quit")
    if not stripped.startswith("/"):
        return parse_command(stripped) if stripped else Command("help")
    head, _, rest = stripped[1:].partition(" ")
    head = head.lower()
    if head in ("quote", "q"):
        return parse_command(rest)
    if head in ("quit", "exit", "q!"):
        return Command("quit")
    if head in CONSOLE_BUTTONS and not (head in ("context", "card") and rest.strip()):
        return Command("press", argument=head)  # the buttons under the last answer, typed
    if head in ACTIONS:
        return parse_command(f"{head} {rest}")
    raise QuoteBotError(f"unknown command /{head}; try /help", key="bad.command", name=head)
