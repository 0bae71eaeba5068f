"""The one place jieba cuts text: folded quote text into index terms.

Only building an index needs this. Queries are cut against the index's own vocabulary
(see `segment.py`), so answering a search never pays for loading jieba's dictionary.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

_WORDLIKE = re.compile(r"\w")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Tokenizer:
    """jieba in search mode, with the library's own words (names, topics, jargon) added."""

    def __init__(self, words: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        import jieba

        self.words_key = ""  # what `words` came from, for a caller that keeps one tokenizer
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        if cache_dir is not None:
            self._jieba.tmp_dir = str(cache_dir)
        for word in words:
            if word.strip():
                self._jieba.add_word(word.strip())

    def warm(self) -> None:
        """Load the dictionary now (it loads on the first cut otherwise)."""
        self._jieba.check_initialized()

    @contextlib.contextmanager
    def words_added(self, words: Iterable[str]) -> Iterator[None]:
        """`words` known while the block runs (one panel's names), then forgotten exactly, so
        that each panel is cut the same whichever panels were cut before it."""
        jieba = self._jieba
        jieba.check_initialized()
        before, total = {}, jieba.total
        try:
            for word in dict.fromkeys(w.strip() for w in words if w.strip()):
                before[word] = jieba.FREQ.get(word)
                jieba.add_word(word)
            yield
        finally:
            for word, freq in before.items():
                jieba.FREQ[word] = freq or 0  # 0: a prefix only, as jieba marks the starts of its words
            jieba.total = total

    def tokenize(self, folded: str) -> list[str]:
        """Search-mode terms of already folded text, without punctuation and spaces."""
        return [t for t in self._jieba.cut_for_search(folded) if _WORDLIKE.search(t) and not t.isspace()]


def read_words(path: Path) -> list[str]:
    """Extra words for segmentation, one per line, `#` starting a comment."""
    return words_of(path.read_text(encoding="utf-8")) if path.is_file() else []


def words_of(text: str) -> list[str]:
    """The words of a words.txt: the first on each line, `#` starting a comment."""
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word.split()[0])
    return words
