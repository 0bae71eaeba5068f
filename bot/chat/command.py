"""The command language shared by the console and the chat adapters: `算力 speaker:陈石`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..digest.schedule import is_time
from ..errors import QuoteBotError
from ..models import EVERYTHING, Query

FILTER_NAMES = {
    "speaker": "speaker", "发言人": "speaker", "嘉宾": "speaker",
    "topic": "topic", "话题": "topic", "主题": "topic",
    "panel": "panel", "圆桌": "panel", "场次": "panel",
}
ACTIONS = {
    "random": "random", "随机": "random", "help": "help", "帮助": "help",
    "speakers": "speakers", "topics": "topics", "panels": "panels", "context": "context", "上下文": "context",
    "digest": "digest", "每日": "digest",
}
DIGEST_ACTIONS = ("subscribe", "unsubscribe", "status", "preview")
CONSOLE_BUTTONS = ("another", "next", "prev", "context")
_TOKEN = re.compile(
    r"""(?P<key>[^\s:：]+)[:：]\s*(?P<value>"[^"]*"|“[^”]*”|'[^']*'|「[^」]*」|\S*)"""
    r"""|(?P<quoted>"[^"]*"|“[^”]*”)|(?P<word>\S+)""")


@dataclass(frozen=True, slots=True)
class DigestOrder:
    """A digest command: subscribe (at a local time in a zone; None for the defaults),
    unsubscribe, status or preview. The command's query holds its filters."""

    action: str
    time: str | None = None
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """`action` is search, random, help, speakers, topics, panels, context or digest;
    `argument` carries the quote id for context, `digest` what a digest command asks."""

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
    words: list[str] = []
    filters: dict[str, str] = {}
    action = "search"
    for n, match in enumerate(_TOKEN.finditer(text.strip())):
        if match["key"] is not None and match["key"].lower() in FILTER_NAMES:
            name = FILTER_NAMES[match["key"].lower()]
            value = _unquote(match["value"])
            if not value:
                raise QuoteBotError(f"{match['key']}: needs a value, e.g. {match['key']}:陈石",
                                    key="bad.filter_value", name=match["key"])
            if name in filters:
                raise QuoteBotError(f"{name} is given twice", key="bad.filter_twice", name=name)
            filters[name] = value
        elif n == 0 and match["word"] and match["word"].lower() in ACTIONS:
            action = ACTIONS[match["word"].lower()]
        else:
            words.append(_unquote(match[0]))
    query = Query(" ".join(w for w in words if w), **filters)
    if action == "digest":
        if not words or words[0].lower() not in DIGEST_ACTIONS:
            raise QuoteBotError("digest takes subscribe [HH:MM] [Area/City] [topic:..] [speaker:..], unsubscribe, "
                                "status or preview", key="bad.digest")
        return Command("digest", Query(speaker=query.speaker, topic=query.topic, panel=query.panel),
                       digest=_digest_order(words[0].lower(), words[1:]))
    if action == "context":
        if len(words) != 1 or filters:
            raise QuoteBotError("context takes one quote id, e.g. context chen-shi-3", key="bad.context")
        return Command("context", Query(), words[0])
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
    if head in CONSOLE_BUTTONS and not (head == "context" and rest.strip()):
        return Command("press", argument=head)  # the buttons under the last answer, typed
    if head in ACTIONS:
        return parse_command(f"{head} {rest}")
    raise QuoteBotError(f"unknown command /{head}; try /help", key="bad.command", name=head)
