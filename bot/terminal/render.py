"""Rendering quotes for a terminal: wrapped to the screen, matched words highlighted."""

from __future__ import annotations

import os
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TextIO

from ..library import Library
from ..models import Hit, Quote, Span
from ..panels.moments import escape_url, moment

BOLD_ON, BOLD_OFF = "\033[1;33m", "\033[0m"
PLAIN_ON, PLAIN_OFF = "【", "】"
# Closing punctuation hangs at the end of a line rather than starting the next one.
_NO_LINE_START = frozenset("，。、；：？！）」』】》,.;:?!)")
# Control characters from a data file (ESC above all) would drive the terminal: each shows as
# U+FFFD instead, one for one, so that the offsets of matched spans still hold.
_CONTROLS = {c: "\ufffd" for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n"}


def printable(text: str) -> str:
    """Data text with its control characters, tabs and newlines aside, shown as U+FFFD."""
    return text.translate(_CONTROLS)


def use_color(stream: TextIO) -> bool:
    """Highlight with ANSI colours only on a terminal that wants them (see no-color.org)."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Cut `text` into lines no wider than `width` columns, as (start, end) offsets.

    Chinese may break between any two characters; a Latin word moves whole to the next
    line when it fits there.
    """
    lines: list[tuple[int, int]] = []
    start, used, last_space = 0, 0, -1
    for i, char in enumerate(text):
        w = _width(char)
        if used + w > width and i > start and char not in _NO_LINE_START:
            cut = last_space + 1 if last_space >= start and char.isascii() and char.isalnum() else i
            lines.append((start, cut))
            start, used = cut, sum(_width(c) for c in text[cut:i])
            last_space = -1
        if char == " ":
            last_space = i
        used += w
    lines.append((start, len(text)))
    return [(s, e) for s, e in lines if text[s:e].strip()]


def highlight(text: str, spans: Sequence[Span], on: str, off: str) -> str:
    out, at = [], 0
    for start, end in spans:
        out += [text[at:start], on, text[start:end], off]
        at = end
    out.append(text[at:])
    return "".join(out)


def render_quote(library: Library, quote: Quote, spans: Sequence[Span] = (), *, width: int = 78,
                 color: bool = False, label: str = "") -> str:
    """A quote wrapped and indented, then who said it, the topic and the panel under it."""
    on, off = (BOLD_ON, BOLD_OFF) if color else (PLAIN_ON, PLAIN_OFF)
    text = printable(quote.text)
    lines = []
    for n, (start, end) in enumerate(wrap(text, width - 4)):
        inside = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
        prefix = (label or "").ljust(4) if n == 0 else "    "
        lines.append(prefix + highlight(text[start:end].strip("\n"), inside, on, off).rstrip())
    speaker = quote.speaker
    who = f"{speaker.name} · {speaker.title}" if speaker.title else speaker.name
    panel = library.panel(quote.panel)
    said = moment(panel, quote)
    where = " · ".join(x for x in (quote.topic.name if quote.topic else None, panel.title,
                                   panel.date.isoformat() if panel.date else None, said.label if said else None) if x)
    lines.append(f"    — {printable(who)}")
    lines.append(f"      {printable(where)}")
    if said and said.url:
        lines.append(f"      {escape_url(said.url)}")
    lines.append(f"      {quote.ref}")
    return "\n".join(lines)


def render_hits(library: Library, hits: Iterable[Hit], *, width: int = 78, color: bool = False) -> str:
    hits = list(hits)
    labels = [f"{n}." if len(hits) > 1 else "" for n in range(1, len(hits) + 1)]
    return "\n\n".join(render_quote(library, h.quote, h.spans, width=width, color=color, label=label)
                       for h, label in zip(hits, labels))


def table(rows: Sequence[Sequence[str]], header: Sequence[str] = ()) -> str:
    """Rows in columns aligned by display width, under a header when one is given."""
    lines = [list(header), ["-" * len(h) for h in header]] if header else []
    lines += [list(row) for row in rows]
    widths = [max(sum(_width(c) for c in row[i]) for row in lines) for i in range(len(lines[0]))] if lines else []
    out = []
    for row in lines:
        cells = [cell + " " * (widths[i] - sum(_width(c) for c in cell)) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


# The columns of each listing; a speaker's paragraphs are their quotes, or a moderator's questions.
SPEAKER_COLUMNS = ("id", "name", "title", "role", "paragraphs", "panel")
TOPIC_COLUMNS = ("id", "name", "quotes", "panel")
PANEL_COLUMNS = ("id", "title", "event", "date", "quotes", "questions")


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


def terminal_width(stream: TextIO) -> int:
    """The columns to wrap quotes in: the terminal's, within reason; 78 when not a terminal."""
    if not stream.isatty():
        return 78
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100) - 2)
