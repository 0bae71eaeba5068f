"""Text folding shared by the index and the query: one canonical form for matching.

Folding maps traditional to simplified Chinese, full-width letters and digits to ASCII, upper
to lower case and Latin letters with accents or tone marks to their base letter (é to e, à to a,
so that `suàn lì` is pinyin and `Elodie` finds Élodie), and keeps the length of the text, so
that a match found in the folded text is a span of the original text too (the adapters
highlight it there).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Full-width letters, digits and the symbols that occur inside words (Ｃ＋＋, ３．５); full-width
# punctuation such as ，and （ never matches anything, so it is left alone, which keeps
# ordinary Chinese text unchanged by folding.
_WIDTH_CHARS = ("０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
                "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＃％＆＋－．＿")
_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in _WIDTH_CHARS}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_FULL_WIDTH = re.compile(f"[{re.escape(_WIDTH_CHARS)}]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _base_letters() -> dict[int, int]:
    """Latin letters with marks (U+00C0-U+024F, pinyin's ǎ and ǜ among them) to their base
    letter, where that is one ASCII letter; ß, æ or ø have none and stay."""
    table = {}
    for point in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(point))[0]
        if base != chr(point) and base.isascii() and base.isalpha():
            table[point] = ord(base.lower())
    return table


_BASE = _base_letters()
_QUERY_BASE = {**_BASE, **{ord(c): ord("ü") for c in "üǖǘǚǜÜǕǗǙǛ"}}  # a query keeps ü: in pinyin it is v
_MARKED = re.compile("[" + "".join(map(chr, _BASE)) + "]")
_MARKED_QUERY = re.compile("[" + "".join(map(chr, _QUERY_BASE)) + "]")


@functools.lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    # Loaded on first use: a query in ASCII never pays for OpenCC's dictionaries.
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def _char_to_simplified(char: str) -> str:
    converted = _converter().convert(char)
    return converted if len(converted) == 1 else char


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese, keeping one character per character."""
    if not _HAN.search(text):
        return text
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length; fall back to character by character.
    return "".join(_char_to_simplified(c) for c in text)


_CHUNK = 1 << 16


def _lower_keeping_length(text: str) -> str:
    if len(text) > _CHUNK:  # str.lower() briefly needs 12 bytes a character: go in slices
        return "".join(_lower_keeping_length(text[i:i + _CHUNK]) for i in range(0, len(text), _CHUNK))
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def clean(text: str) -> str:
    """Replace control and invisible format characters with spaces."""
    return _CONTROL.sub(" ", text)


def fold_width_and_case(text: str) -> str:
    """The cheap part of `fold`: enough for most text, which `fold` then leaves unchanged."""
    if _FULL_WIDTH.search(text):
        text = text.translate(_WIDTH)
    return _lower_keeping_length(text)


def fold(text: str) -> str:
    """Fold `text` for matching: width, case, accents, traditional characters, control characters.

    >>> fold("ＧＰＴ４ 數智人 Élodie")
    'gpt4 数智人 elodie'
    """
    folded = _lower_keeping_length(clean(text).translate(_WIDTH))
    if _MARKED.search(folded):
        folded = folded.translate(_BASE)
    return to_simplified(folded)


def fold_query(text: str) -> str:
    """`fold` for what people type: the same, except that ü (with or without its tone) stays ü,
    which the search reads as pinyin's v (lǜ -> lv) or else as u."""
    if not text.isascii():  # é typed as e + U+0301 (macOS, the web) is é
        text = unicodedata.normalize("NFC", text)
    folded = _lower_keeping_length(clean(text).translate(_WIDTH))
    if _MARKED_QUERY.search(folded):
        folded = folded.translate(_QUERY_BASE)
    return to_simplified(folded)


@functools.lru_cache(maxsize=65536)  # names and titles repeat across panels: fold each once
def compact(text: str) -> str:
    """A key for names typed loosely: folded, without spaces, dashes, dots or underscores."""
    folded = fold(unicodedata.normalize("NFKC", text))
    return re.sub(r"[\s\-_.·・]+", "", folded)
