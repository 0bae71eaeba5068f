"""English words of the quotes' glosses (`text_en`), as the index keeps them: stemmed, stop words out.

`investment`, `investors` and `invest` all come to the stem `invest` (the Snowball English
stemmer), kept as the term `en:invest` beside the Chinese terms of the same quote, so that an
English search finds the Chinese quote whose gloss says it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .fold import fold

PREFIX = "en:"
_WORD = re.compile(r"[a-z][a-z0-9]*(?:'[a-z]+)?")
# Words too common to search by (a short list in the spirit of Snowball's English stop words).
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves s t don
""".split())


@functools.cache
def _stemmer() -> Any:
    import snowballstemmer  # loaded on the first English word: a Chinese search never pays for it

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """The English words of `text`, folded (lower case, accents off), possessives cut (Chen's)."""
    return [w.split("'")[0] for w in _WORD.findall(fold(text))]


def terms(text: str) -> list[str]:
    """The index terms of an English text: each word that is not a stop word, stemmed, as `en:` terms."""
    return [PREFIX + stem(w) for w in words(text) if w not in STOP_WORDS]


def query_term(word: str) -> str | None:
    """The term an English query word looks for, or None for a stop word."""
    return None if word in STOP_WORDS else PREFIX + stem(word)
