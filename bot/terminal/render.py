"""Rendering quotes for a terminal: wrapped to the screen, matched words highlighted."""

from __future__ import annotations

import os
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..chat.replies import Card
from ..errors import QuoteBotError
from ..models import Span
from ..panels.moments import escape_url

if TYPE_CHECKING:
    from ..quotecard import QuoteImage

BOLD_ON, BOLD_OFF = "\033[1;33m", "\033[0m"
PLAIN_ON, PLAIN_OFF = "【", "】"
# Closing punctuation hangs at the end of a line rather than starting the next one.
_NO_LINE_START = frozenset("，。、；：？！）」』】》,.;:?!)")
# Control characters from a data file (ESC above all) would drive the terminal: each shows as
# U+FFFD instead, one for one, so that the offsets of matched spans still hold.
# C0 and C1 controls (tabs and newlines aside), and the bidirectional overrides and isolates
# that would show the rest of a terminal line reversed (U+202A-U+202E, U+2066-U+2069).
_CONTROLS = {c: "\ufffd" for c in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
             if chr(c) not in "\t\n"}


def printable(text: str) -> str:
    """Data text with its control and direction-overriding characters, tabs and newlines aside,
    shown as U+FFFD."""
    return text.translate(_CONTROLS)


def use_color(stream: TextIO) -> bool:
    """Highlight with ANSI colours only on a terminal that wants them (see no-color.org)."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def width_of(char: str) -> int:
    """Columns a character takes: 2 for wide CJK, 0 for combining marks, else 1."""
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
        w = width_of(char)
        if used + w > width and i > start and char not in _NO_LINE_START:
            cut = last_space + 1 if last_space >= start and char.isascii() and char.isalnum() else i
            lines.append((start, cut))
            start, used = cut, sum(width_of(c) for c in text[cut:i])
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


def render_card(card: Card, *, width: int = 78, color: bool = False, label: str = "") -> str:
    """A quote wrapped and indented, then who said it, the topic and the panel under it."""
    on, off = (BOLD_ON, BOLD_OFF) if color else (PLAIN_ON, PLAIN_OFF)
    text = printable(card.quote.text)
    lines = []
    for n, (start, end) in enumerate(wrap(text, width - 4)):
        inside = [(max(s, start) - start, min(e, end) - start) for s, e in card.spans if s < end and e > start]
        prefix = label + " " * max(1, 4 - sum(width_of(c) for c in label)) if n == 0 and label else "    "
        lines.append(prefix + highlight(text[start:end].strip("\n"), inside, on, off).rstrip())
    if card.gloss:  # an English reader: the gloss beneath the original
        gloss = printable(card.gloss)
        lines += [f"    {gloss[start:end].strip()}" for start, end in wrap(gloss, width - 4)]
    said = card.moment
    where = " · ".join(x for x in (*card.where, said.label if said else None) if x)
    lines.append(f"    — {printable(card.who)}")
    lines.append(f"      {printable(where)}")
    if said and said.url:
        lines.append(f"      {escape_url(said.url)}")
    lines.append(f"      {card.quote.ref}")
    return "\n".join(lines)


def render_cards(cards: Sequence[Card], *, width: int = 78, color: bool = False) -> str:
    labels = [f"{n}." if len(cards) > 1 else "" for n in range(1, len(cards) + 1)]
    return "\n\n".join(render_card(c, width=width, color=color, label=label) for c, label in zip(cards, labels))


def table(rows: Sequence[Sequence[str]], header: Sequence[str] = ()) -> str:
    """Rows in columns aligned by display width, under a header when one is given."""
    lines = [list(header), ["-" * sum(width_of(c) for c in h) for h in header]] if header else []
    lines += [[printable(cell) for cell in row] for row in rows]
    widths = [max(sum(width_of(c) for c in row[i]) for row in lines) for i in range(len(lines[0]))] if lines else []
    out = []
    for row in lines:
        cells = [cell + " " * (widths[i] - sum(width_of(c) for c in cell)) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def terminal_width(stream: TextIO) -> int:
    """The columns to wrap quotes in: the terminal's, within reason; 78 when not a terminal."""
    if not stream.isatty():
        return 78
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100) - 2)


def save_picture(image: QuoteImage, path: Path, *, option: str = "--output") -> Path:
    """Write a card's PNG to `path` (a folder: its own file name there); one line naming `option`
    when it cannot be written."""
    if path.is_dir():
        path = path / image.filename
    try:
        path.write_bytes(image.png)
    except OSError as error:
        raise QuoteBotError(f"{option} {path}: cannot write the card: {error.strerror or error}") from None
    return path.resolve()
