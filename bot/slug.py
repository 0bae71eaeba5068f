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
