"""Where every line of a quote card goes: the quote's size chosen so that it fits, the gloss
beneath it, the attribution at the foot. Pure but for measuring text with the card's fonts.

The quote is set as large as fits (`MAX_SIZE` down to `MIN_SIZE`); only when it does not fit
at the smallest size is it cut, with "…", and the card says where the full text is.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from ..chat import catalogue
from ..chat.replies import Card, message
from . import SIZES
from .breaking import Line, break_lines
from .fonts import CardFonts, Face, font, ink

MARGIN = 96
MAX_SIZE, MIN_SIZE, STEP = 64, 30, 2
GLOSS_RATIO, MIN_GLOSS = 0.55, 20
NAME, TITLE, WHERE, FOOT = 36, 26, 22, 19  # the attribution's sizes, in pixels
MARK = 150  # the opening quotation mark above the quote
WHERE_LINES = 2
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Run:
    """One line of text on the card: what it is (`role`), where its top-left is, its face and
    size, its colour's name in the theme, and the character ranges drawn highlighted."""

    role: str  # mark, quote, gloss, name, title, where, foot
    text: str
    x: int
    y: int
    face: Face
    size: int
    colour: str  # text, muted or accent
    width: float
    marks: tuple[tuple[int, int], ...] = ()

    @property
    def box(self) -> tuple[int, int, int, int]:
        """The line's box: left, top, right and bottom (a line's ink lies within it)."""
        return self.x, self.y, self.x + round(self.width), self.y + round(self.size * 1.25)


@dataclass(frozen=True, slots=True)
class CardLayout:
    width: int
    height: int
    runs: tuple[Run, ...]
    quote_size: int
    truncated: bool
    rule: tuple[int, int, int, int]  # the short accent line above the speaker's name

    def lines(self, role: str) -> list[Run]:
        return [run for run in self.runs if run.role == role]

    @property
    def inner(self) -> tuple[int, int, int, int]:
        """The area inside the margins, where every line must lie."""
        return MARGIN, MARGIN // 2, self.width - MARGIN, self.height - MARGIN // 2


@functools.lru_cache(maxsize=64)
def _widths(face: Face, size: int) -> dict[str, float]:
    return {}


def measure(face: Face, size: int, text: str) -> float:
    """The advance of `text` at `size` (basic layout: the sum of its characters')."""
    known = _widths(face, size)
    total = 0.0
    for char in text:
        width = known.get(char)
        if width is None:
            width = known[char] = font(face, size).getlength(char)
        total += width
    return total


def _break(text: str, face: Face, size: int, width: int) -> list[Line]:
    return break_lines(text, width, lambda piece: measure(face, size, piece))


def _leading(text: str) -> float:
    """Line height over size: Chinese wants more air than Latin."""
    return 1.62 if any("\u2e80" <= c <= "\u9fff" for c in text[:80]) else 1.42


def _clip(text: str, face: Face, size: int, width: int) -> str:
    """`text` cut to end in "…" within `width`."""
    while text and measure(face, size, text + ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


@dataclass(frozen=True, slots=True)
class _Fit:
    size: int
    quote: list[Line]
    gloss_size: int
    gloss: list[Line]
    truncated: bool = False


def _fit(text: str, gloss: str | None, fonts: CardFonts, width: int, room: float) -> _Fit:
    """The largest size at which the quote and its gloss fit in `room` pixels of height; else the
    gloss cut to what fits; else the quote cut at the smallest size."""
    q_lead, g_lead = _leading(text), _leading(gloss or "")
    sizes = range(MAX_SIZE, MIN_SIZE - 1, -STEP)
    for size in sizes:
        lines = _break(text, fonts.text, size, width)
        height = len(lines) * size * q_lead
        if height > room:
            continue  # the gloss is broken only under a quote that fits: the longest takes most of the time
        g_size = max(MIN_GLOSS, round(size * GLOSS_RATIO))
        g_lines = _break(gloss, fonts.label, g_size, width) if gloss else []
        if height + (len(g_lines) * g_size * g_lead + size * 0.7 if g_lines else 0) <= room:
            return _Fit(size, lines, g_size, g_lines)
    for size in sizes if gloss else ():  # the whole quote, and as much of the gloss as fits (three lines at least)
        lines = _break(text, fonts.text, size, width)
        keep = int((room - len(lines) * size * q_lead - size * 0.7) // (MIN_GLOSS * g_lead))
        if keep >= 3:
            return _Fit(size, lines, MIN_GLOSS, _break(gloss or "", fonts.label, MIN_GLOSS, width)[:keep], truncated=True)
    lines = _break(text, fonts.text, MIN_SIZE, width)  # too long for any size: cut, with the gloss left out
    keep = max(1, int(room // (MIN_SIZE * q_lead)))
    return _Fit(MIN_SIZE, lines[:keep], MIN_GLOSS, [], truncated=True)


def _marks(line: Line, spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    start, end = line
    return tuple((max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start)


def lay_out(card: Card, fonts: CardFonts, size: str = "square") -> CardLayout:
    """Every line of `card` drawn at `size` (square or portrait), top to bottom."""
    width, height = SIZES[size]
    inner = width - 2 * MARGIN
    language = card.language or catalogue.DEFAULT
    # The foot, from the bottom up: the quote's id (and the note when cut), where it was said,
    # the title, the name, a short accent rule.
    where = _break(" · ".join(card.where), fonts.label, WHERE, inner)
    foot_y = height - MARGIN + 10
    where_y = foot_y - 28 - round(WHERE * 1.45) * min(len(where), WHERE_LINES)
    title_y = where_y - round(TITLE * 1.55)
    name_y = title_y - round(NAME * 1.45) if card.title else where_y - round(NAME * 1.45)
    rule = (MARGIN, name_y - 34, MARGIN + 56, name_y - 30)
    mark = ink(fonts.text, MARK, "“")  # the opening mark's ink, from the top of its line
    top = MARGIN // 2 + (mark[3] - mark[1]) + 14
    room = rule[1] - 48 - top
    text, gloss = card.quote.text, card.gloss
    fit = _fit(text, gloss, fonts, inner, room)
    q_lead, g_lead = _leading(text), _leading(gloss or "")
    block = len(fit.quote) * fit.size * q_lead + (len(fit.gloss) * fit.gloss_size * g_lead + fit.size * 0.7
                                                   if fit.gloss else 0)
    y = top + max(0.0, (room - block) / 2.4)  # a little above the middle of the room: it reads better
    runs = [Run("mark", "“", MARGIN - mark[0], round(y - 14 - mark[3]), fonts.text, MARK, "accent",
                measure(fonts.text, MARK, "“"))]
    cut_quote = fit.truncated and not fit.gloss and fit.quote[-1][1] < len(text.rstrip())
    for n, line in enumerate(fit.quote):
        shown = text[line[0]:line[1]]
        if cut_quote and n == len(fit.quote) - 1:
            shown = _clip(shown, fonts.text, fit.size, inner)
        runs.append(Run("quote", shown, MARGIN, round(y), fonts.text, fit.size, "text",
                        measure(fonts.text, fit.size, shown), _marks(line, card.spans)))
        y += fit.size * q_lead
    if fit.gloss and gloss:
        y += fit.size * 0.7
        for n, line in enumerate(fit.gloss):
            shown = gloss[line[0]:line[1]]
            if fit.truncated and n == len(fit.gloss) - 1:
                shown = _clip(shown, fonts.label, fit.gloss_size, inner)
            runs.append(Run("gloss", shown, MARGIN, round(y), fonts.label, fit.gloss_size, "muted",
                            measure(fonts.label, fit.gloss_size, shown)))
            y += fit.gloss_size * g_lead
    runs.append(Run("name", card.speaker.name, MARGIN, name_y, fonts.bold, NAME, "text",
                    measure(fonts.bold, NAME, card.speaker.name)))
    if card.title:
        title = _one_line(card.title, fonts.label, TITLE, inner)
        runs.append(Run("title", title, MARGIN, title_y, fonts.label, TITLE, "muted", measure(fonts.label, TITLE, title)))
    joined = " · ".join(card.where)
    for n, line in enumerate(where[:WHERE_LINES]):
        shown = joined[line[0]:line[1]]
        if n == WHERE_LINES - 1 and len(where) > WHERE_LINES:
            shown = _clip(shown, fonts.label, WHERE, inner)
        runs.append(Run("where", shown, MARGIN, where_y + n * round(WHERE * 1.45), fonts.label, WHERE, "muted",
                        measure(fonts.label, WHERE, shown)))
    note = catalogue.text(message("card.excerpt" if fit.truncated else "card.foot", ref=card.quote.ref), language)
    note = _one_line(note, fonts.label, FOOT, inner)
    runs.append(Run("foot", note, MARGIN, foot_y, fonts.label, FOOT, "accent" if fit.truncated else "muted",
                    measure(fonts.label, FOOT, note)))
    return CardLayout(width, height, tuple(runs), fit.size, fit.truncated, rule)


def _one_line(text: str, face: Face, size: int, width: int) -> str:
    return text if measure(face, size, text) <= width else _clip(text, face, size, width)
