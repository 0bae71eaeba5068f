"""What the library holds, as tables: speakers, topics and panels with their counts."""

from __future__ import annotations

from ..library import Library
from .replies import Listing, message

# The columns of each listing; a speaker's paragraphs are their quotes, or a moderator's questions.
SPEAKER_COLUMNS = ("id", "name", "title", "role", "paragraphs", "panel")
TOPIC_COLUMNS = ("id", "name", "quotes", "panel")
PANEL_COLUMNS = ("id", "title", "event", "date", "quotes", "questions")
COLUMNS = {"speakers": SPEAKER_COLUMNS, "topics": TOPIC_COLUMNS, "panels": PANEL_COLUMNS}


def speaker_rows(library: Library) -> list[list[str]]:
    counts = library.quote_counts()
    return [[s.id, s.name, s.title, s.role, str(counts.get((s.panel, s.id), 0)), s.panel] for s in library.speakers]


def topic_rows(library: Library) -> list[list[str]]:
    counts: dict[tuple[str, str], int] = {}
    for q in library.quotes:
        if q.topic and not q.speaker.is_moderator:
            counts[(q.panel, q.topic.id)] = counts.get((q.panel, q.topic.id), 0) + 1
    return [[t.id, t.name, str(counts.get((t.panel, t.id), 0)), t.panel] for t in library.topics]


def panel_rows(library: Library) -> list[list[str]]:
    """Each panel with its quotes (what panelists said) and questions (the moderator's paragraphs)."""
    said: dict[str, list[int]] = {p.id: [0, 0] for p in library.panels}
    for q in library.quotes:
        said[q.panel][q.speaker.is_moderator] += 1
    return [[p.id, p.title, p.event, p.date.isoformat() if p.date else "", str(said[p.id][0]), str(said[p.id][1])]
            for p in library.panels]


ROWS = {"speakers": speaker_rows, "topics": topic_rows, "panels": panel_rows}


def listing(library: Library, kind: str) -> Listing:
    """`kind` is speakers, topics or panels."""
    rows = tuple(tuple(row) for row in ROWS[kind](library))
    return Listing(kind, message(f"list.{kind}", count=len(rows)), COLUMNS[kind], rows)
