"""Painting a card's layout with Pillow, and the cached entry point `render_card_image`.

A card is a pure function of the quote, its panel, the reader's language, the highlighted
words, the size and the theme (and the fonts): rendered once per process for each, then
served from the cache.
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageDraw

from ..chat.replies import Card
from . import SIZES, THEMES, QuoteImage
from .fonts import CardFonts, card_fonts, font
from .layout import CardLayout, Run, lay_out, measure

FORMAT = 1  # the look of a card: part of every cache key (STYLE 23)
CACHED = 256  # cards kept per process (about 100 kB each)
RAMP = 63  # shades between two colours in the palette
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Theme:
    background: tuple[int, int, int]
    text: tuple[int, int, int]
    muted: tuple[int, int, int]
    accent: tuple[int, int, int]
    marker: tuple[int, int, int]  # behind highlighted words


PALETTES = {
    "light": Theme((250, 247, 242), (33, 33, 36), (110, 108, 104), (178, 74, 44), (246, 222, 200)),
    "dark": Theme((24, 25, 30), (236, 234, 228), (150, 150, 156), (226, 150, 92), (72, 52, 38)),
}


def draw(layout: CardLayout, theme: str = "light") -> Image.Image:
    """The card as an RGB image."""
    colours = PALETTES[theme]
    image = Image.new("RGB", (layout.width, layout.height), colours.background)
    pen = ImageDraw.Draw(image)
    pen.rectangle(layout.rule, fill=colours.accent)
    for run in layout.runs:
        _draw_run(pen, run, colours)
    return image


def _draw_run(pen: ImageDraw.ImageDraw, run: Run, colours: Theme) -> None:
    face = font(run.face, run.size)
    colour = getattr(colours, run.colour)
    if not run.marks:
        pen.text((run.x, run.y), run.text, font=face, fill=colour, anchor="la")
        return
    at, x = 0, float(run.x)
    for start, end in (*run.marks, (len(run.text), len(run.text))):
        for piece, fill, marked in ((run.text[at:start], colour, False), (run.text[start:end], colours.accent, True)):
            if not piece:
                continue
            advance = measure(run.face, run.size, piece)
            if marked:  # a highlighter's stroke under the lower half of the words
                pen.rectangle((round(x), run.y + round(run.size * 0.62), round(x + advance), run.y + round(run.size * 1.2)),
                              fill=colours.marker)
            pen.text((x, run.y), piece, font=face, fill=fill, anchor="la")
            x += advance
        at = end


@functools.lru_cache(maxsize=len(PALETTES))
def _palette(theme: str) -> Image.Image:
    """Every colour a card of `theme` can hold: each colour's ramp from the background (the
    anti-aliased edges of its letters), and the accent's from the highlighter's marker."""
    colours = PALETTES[theme]
    ramps = [(colours.background, colours.text), (colours.background, colours.muted),
             (colours.background, colours.accent), (colours.marker, colours.accent)]
    values: list[int] = []
    for start, end in ramps:
        for step in range(RAMP):
            values += [round(a + (b - a) * step / (RAMP - 1)) for a, b in zip(start, end)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(values)
    return palette


def png(image: Image.Image, theme: str = "light") -> bytes:
    """PNG bytes of a card in its theme's palette of 252 colours: the same pixels a third the size,
    and encoded four times as fast as RGB."""
    out = io.BytesIO()
    image.quantize(palette=_palette(theme), dither=Image.Dither.NONE).save(out, "PNG", compress_level=3)
    return out.getvalue()


def file_name(card: Card) -> str:
    """`aigc-summit-2023-roundtable-ma-qian-li-6.png`: the quote's ref, safe in any file system."""
    return _UNSAFE_NAME.sub("-", card.quote.ref)[:100].strip("-.") + ".png"


def alt_text(card: Card) -> str:
    """What a screen reader says for the card: the quote and who said it (escaped by each front end)."""
    return f"{card.quote.text} — {card.who}"


@functools.lru_cache(maxsize=CACHED)
def _render(card: Card, size: str, theme: str, fonts: CardFonts, version: int) -> QuoteImage:
    layout = lay_out(card, fonts, size)
    return QuoteImage(png(draw(layout, theme), theme), layout.width, layout.height, alt_text(card), file_name(card),
                      layout.truncated)


def render_card_image(card: Card, size: str = "square", theme: str = "light",
                      env: Mapping[str, str] = os.environ) -> QuoteImage:
    """`card` as a PNG, cached per (quote, panel, reader's language, highlights, size, theme).

    Example:
        >>> render_card_image(chat.card("chen-shi-3"), "portrait", "dark").png[:4]  # doctest: +SKIP
        b'\\x89PNG'

    Raises `NoCardFont` (a QuoteBotError) when no installed font draws Chinese.
    """
    if size not in SIZES or theme not in THEMES:
        raise ValueError(f"size is one of {', '.join(SIZES)} and theme one of {', '.join(THEMES)}")
    return _render(card, size, theme, card_fonts(env), FORMAT)
