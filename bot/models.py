"""The domain values: panels, speakers, topics, quotes, and what a search returns."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MODERATOR = "moderator"
PANELIST = "panelist"
ROLES = (MODERATOR, PANELIST)
_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """`text` with every lone surrogate (an undecodable byte of a terminal, or a JSON escape
    like \\udc80) replaced by U+FFFD: text that can always be encoded, logged and stored."""
    return _SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a panel's text comes from: a link and a note such as who abridged it."""

    url: str | None = None
    publisher: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Panel:
    id: str
    title: str
    event: str
    date: dt.date | None
    host: str | None
    location: str | None = None
    language: str | None = None
    source: Source = field(default_factory=Source)
    recording: str | None = None  # an http(s) URL of the panel's audio or video
    title_en: str | None = None  # English glosses, shown to English readers beneath the original
    event_en: str | None = None


@dataclass(frozen=True, slots=True)
class Speaker:
    id: str
    name: str
    title: str
    role: str
    panel: str
    title_en: str | None = None

    @property
    def is_moderator(self) -> bool:
        return self.role == MODERATOR

    @property
    def label(self) -> str:
        """陈石 · 峰瑞资本投资合伙人: the name, and the title when there is one."""
        return f"{self.name} · {self.title}" if self.title else self.name


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    question: str | None
    panel: str
    name_en: str | None = None
    question_en: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """One paragraph said by one speaker, in answer to one topic.

    `ref` ("panel-id/quote-id") names a quote across the whole library; `position` is the
    order it was said in within its panel, from 1; `start`, when known, is when it was said,
    in seconds from the start of the panel's recording.
    """

    id: str
    panel: str
    speaker: Speaker
    topic: Topic | None
    text: str
    position: int
    start: float | None = None
    text_en: str | None = None  # an English gloss of `text`: searched by English words, shown to English readers

    @property
    def ref(self) -> str:
        return f"{self.panel}/{self.id}"


@dataclass(frozen=True, slots=True)
class Query:
    """What to look for: free words and optional speaker, topic and panel filters."""

    words: str = ""
    speaker: str | None = None
    topic: str | None = None
    panel: str | None = None

    def __post_init__(self) -> None:
        for name in ("words", "speaker", "topic", "panel"):
            value = getattr(self, name)
            if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
                object.__setattr__(self, name, well_formed(value))

    def describe(self) -> str:
        parts = [repr(self.words)] if self.words else []
        parts += [f"{k}:{v}" for k, v in (("speaker", self.speaker), ("topic", self.topic), ("panel", self.panel)) if v]
        return " ".join(parts) or "anything"


EVERYTHING = Query()
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Hit:
    """A quote found by a search, its relevance score, and the matched spans of its text."""

    quote: Quote
    score: float
    spans: tuple[Span, ...] = ()
    partial_of: tuple[str, ...] = ()  # phrases of the query no quote says: this hit holds parts of them
    found_by: str = ""  # "" (its own words), "speaker" (the words name its speaker), "question" or "title"


@dataclass(frozen=True, slots=True)
class Context:
    """A quote with the moderator's question it answers and its neighbouring paragraphs."""

    quote: Quote
    question: Quote | None
    before: tuple[Quote, ...]
    after: tuple[Quote, ...]
