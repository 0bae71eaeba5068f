"""The command language shared by the console and the chat adapters: `算力 speaker:陈石`."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_TOKEN = re.compile(
    r"""(?P<key>[^\s:：]+)[:：]\s*(?P<value>"[^"]*"|“[^”]*”|'[^']*'|「[^」]*」|\S*)"""
    r"""|(?P<quoted>"[^"]*"|“[^”]*”)|(?P<word>\S+)""")


@dataclass(frozen=True, slots=True)
class Command:
    """`action` is search, random, help, speakers, topics, panels or context; `argument`
    carries the quote id for context."""

    action: str
    query: Query = EVERYTHING
    argument: str = ""


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
                raise QuoteBotError(f"{match['key']}: needs a value, e.g. {match['key']}:陈石")
            if name in filters:
                raise QuoteBotError(f"{name} is given twice")
            filters[name] = value
        elif n == 0 and match["word"] and match["word"].lower() in ACTIONS:
            action = ACTIONS[match["word"].lower()]
        else:
            words.append(_unquote(match[0]))
    query = Query(" ".join(w for w in words if w), **filters)
    if action == "digest":
        if not words or words[0].lower() not in DIGEST_ACTIONS:
            raise QuoteBotError("digest takes subscribe [HH:MM] [Area/City] [topic:..] [speaker:..], unsubscribe, "
                                "status or preview")
        return Command("digest", Query(speaker=query.speaker, topic=query.topic, panel=query.panel),
                       " ".join(words).strip())
    if action == "context":
        if len(words) != 1 or filters:
            raise QuoteBotError("context takes one quote id, e.g. context chen-shi-3")
        return Command("context", Query(), words[0])
    if action in ("help", "speakers", "topics", "panels") and (words or filters):
        action = "search"  # `help me` or `topics 算力` read as a search, not a command
        query = Query(text.strip())
    if action == "search" and not query.words:
        action = "random"
    return Command(action, query)


def parse_console_line(line: str) -> Command:
    """A console line: `/quote ...`, `/help`, `/quit`, `/speakers`, or bare words to search."""
    stripped = line.strip()
    if not stripped.startswith("/"):
        return parse_command(stripped) if stripped else Command("help")
    head, _, rest = stripped[1:].partition(" ")
    head = head.lower()
    if head in ("quote", "q"):
        return parse_command(rest)
    if head in ("quit", "exit", "q!"):
        return Command("quit")
    if head in ACTIONS:
        return parse_command(f"{head} {rest}")
    raise QuoteBotError(f"unknown command /{head}; try /help")
