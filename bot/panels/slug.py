"""Stable ids: ASCII slugs made from names, with pinyin for Chinese."""

from __future__ import annotations

import re
import unicodedata

HAN = re.compile(r"[\u3400-\u9fff]")


def slugify(text: str, *, fallback: str = "x") -> str:
    """A lower-case slug of `text`; Chinese characters become their toneless pinyin.

    >>> slugify("陈石")
    'chen-shi'
    """
    from pypinyin import lazy_pinyin  # only ingestion and index building need pinyin

    if not HAN.search(text):  # Tomás -> tomas
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = lazy_pinyin(text)
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")
    return slug or fallback


def unique_slug(text: str, taken: set[str], *, fallback: str = "x") -> str:
    """`slugify(text)`, with -2, -3, ... added until it is not in `taken`; the result is added to it."""
    base = slugify(text, fallback=fallback)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
