"""Finding a font that really draws Chinese, once per process: QUOTES_CARD_FONT, else fontconfig,
else the places Debian's fonts-noto-cjk puts Noto CJK.

A font that lacks 中 draws every Chinese character as its missing-glyph box: such a font is never
chosen, and with none left the card says so in one line (`NoCardFont`) instead of drawing boxes.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..errors import QuoteBotError

ENV = "QUOTES_CARD_FONT"
INSTALL = "install fonts-noto-cjk (Debian, Ubuntu) or set QUOTES_CARD_FONT to a .ttf/.otf/.ttc that has Chinese"
KNOWN = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts/google-noto-cjk",
         "/usr/share/fonts/truetype/noto", "/System/Library/Fonts")
_PROBE = "中文"  # what a CJK font must draw
_MISSING = "\U0010fffd"  # a private-use code point no font maps: it draws the font's .notdef
_FACES = 16  # a collection's faces looked through for its Simplified Chinese one
Font = ImageFont.FreeTypeFont


class NoCardFont(QuoteBotError):
    """No installed font draws Chinese: a card would be boxes."""


@dataclass(frozen=True, slots=True)
class Face:
    """One face of a font file (a .ttc holds several: JP, KR, SC, TC...)."""

    path: str
    index: int = 0


@dataclass(frozen=True, slots=True)
class CardFonts:
    """The faces a card is drawn with: the quote's (a serif CJK face when there is one), the
    labels' and the speaker's name (bold when the family has it)."""

    text: Face
    label: Face
    bold: Face


@functools.lru_cache(maxsize=256)
def font(face: Face, size: int) -> Font:
    """The face at `size` pixels, loaded once per process (basic layout: Chinese needs no shaping,
    and widths then add up, which line breaking relies on)."""
    return ImageFont.truetype(face.path, size, index=face.index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=64)
def ink(face: Face, size: int, text: str) -> tuple[int, int, int, int]:
    """Where `text` puts ink, drawn from (0, 0) as the top-left of its line: left, top, right, bottom."""
    drawn = font(face, size)
    canvas = Image.new("L", (round(drawn.getlength(text)) + size, size * 2))
    ImageDraw.Draw(canvas).text((0, 0), text, font=drawn, fill=255, anchor="la")
    return canvas.getbbox() or (0, 0, 0, 0)


@functools.lru_cache(maxsize=64)
def _notdef(face: Face, size: int) -> tuple[tuple[int, int], bytes]:
    mask = font(face, size).getmask(_MISSING)
    return mask.size, bytes(mask)


def missing(face: Face, text: str, size: int = 32) -> list[str]:
    """The characters of `text` that `face` draws as its missing-glyph (.notdef) box."""
    notdef = _notdef(face, size)
    drawn = font(face, size)
    gone = []
    for char in dict.fromkeys(text):
        if char.isspace():
            continue
        mask = drawn.getmask(char)
        if (mask.size, bytes(mask)) == notdef:
            gone.append(char)
    return gone


def draws_chinese(face: Face) -> bool:
    try:
        return not missing(face, _PROBE)
    except OSError:  # not a font Pillow can open
        return False


def _simplified(path: str) -> Face:
    """The Simplified Chinese face of a collection (Noto CJK's is the third), else its first."""
    if not path.lower().endswith((".ttc", ".otc")):
        return Face(path)
    for index in range(_FACES):
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family and (" SC" in family or "Simplified" in family or family.endswith("GB")):
            return Face(path, index)
    return Face(path)


def _fc_match(pattern: str) -> Face | None:
    """What fontconfig picks for `pattern`; None without fontconfig."""
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", pattern], capture_output=True, text=True,
                               timeout=10, check=False).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if len(found) < 2 or not found[0]:
        return None
    return Face(found[0], int(found[1]) if found[1].isdigit() else 0)


def _known(kind: str, weight: str) -> Face | None:
    for folder in KNOWN:
        for name in (f"Noto{kind}CJK-{weight}.ttc", f"Noto{kind}CJKsc-{weight}.otf", f"Noto{kind}SC-{weight}.otf"):
            if (Path(folder) / name).is_file():
                return _simplified(str(Path(folder) / name))
    return None


def from_setting(value: str) -> Face:
    """QUOTES_CARD_FONT's face, or a ValueError saying what is wrong with it."""
    path = Path(value.strip()).expanduser()
    if not path.is_file():
        raise ValueError("no such font file")
    face = _simplified(str(path))
    if not draws_chinese(face):
        raise ValueError("this font does not draw Chinese (its characters would be boxes)")
    return face


def _chinese(*candidates: Face | None) -> Face | None:
    return next((face for face in candidates if face is not None and draws_chinese(face)), None)


@functools.lru_cache(maxsize=8)
def _discover(setting: str) -> CardFonts | None:
    if setting.strip():
        face = from_setting(setting)
        return CardFonts(face, face, face)
    sans = _chinese(_fc_match("sans-serif:lang=zh-cn"), _known("Sans", "Regular"))
    if sans is None:
        return None
    text = _chinese(_fc_match("serif:lang=zh-cn"), _known("Serif", "Regular")) or sans
    bold = _chinese(_fc_match("sans-serif:lang=zh-cn:weight=bold"), _known("Sans", "Bold")) or sans
    if Path(bold.path).name == Path(sans.path).name:
        bold = sans  # fontconfig had no bold of the family and offered the regular again
    return CardFonts(text, sans, bold)


def card_fonts(env: Mapping[str, str] = os.environ) -> CardFonts:
    """The fonts cards are drawn with, found once per process; `NoCardFont` names the fix."""
    setting = env.get(ENV, "")
    try:
        found = _discover(setting)
    except ValueError as error:
        raise NoCardFont(f"{ENV}={setting!r}: {error}", key="card.bad_font", name=ENV) from None
    if found is None:
        raise NoCardFont(f"no font that draws Chinese is installed, so quote cards are off: {INSTALL}",
                         key="card.no_font")
    return found


def font_problem(env: Mapping[str, str] = os.environ) -> str | None:
    """One line for `check` when cards cannot be drawn, else None."""
    try:
        card_fonts(env)
    except NoCardFont as error:
        return str(error)
    return None
