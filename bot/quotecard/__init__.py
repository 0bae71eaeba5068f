"""Quote cards: one quote as a shareable PNG, typeset by the rules of Chinese typography.

`breaking` cuts lines (pure), `fonts` finds a font that draws Chinese, `layout` places every
line of a card (pure but for measuring), `draw` paints it with Pillow. This module holds the
value a chat reply carries, without importing Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass

SIZES = {"square": (1080, 1080), "portrait": (1080, 1350)}
THEMES = ("light", "dark")


@dataclass(frozen=True, slots=True)
class QuoteImage:
    """A rendered card: the PNG's bytes, its alt text (the quote and who said it), a file name
    made of the quote's id, and whether the text had to be cut to fit (the card says so)."""

    png: bytes
    width: int
    height: int
    alt: str
    filename: str
    truncated: bool = False
