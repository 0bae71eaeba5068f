"""jieba's dictionary as labelling Chinese questions needs it: word counts, and noun and verb tags.

jieba itself would load its dictionary (half a second) and jieba.posseg would read it a second
time for the tags, which together cost more than ingesting a three-hour transcript. The words,
counts and the few tags labelling needs are kept in one small file under the cache folder,
keyed by the dictionary's size and time, and text is cut with jieba's own method over them
(`segment.cut_han`).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import marshal
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...search.segment import cut_han
from ...search.tokenizer import read_words

JARGON_COUNT = 1000  # about what jieba gives a word added without a count

logger = logging.getLogger(__name__)
KEPT_TAGS = frozenset(("n", "nz", "vn", "nr", "ns", "nt", "nrt", "j", "i", "s", "an", "eng", "v"))
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Dictionary:
    counts: dict[str, int]
    tags: dict[str, str]  # only the tags in KEPT_TAGS
    log_total: float
    longest: int

    def cut(self, han: str) -> list[str]:
        """A run of Chinese characters cut into words the way jieba cuts it without its HMM."""
        return cut_han(han, self.counts, self.longest, self.log_total)

    def rarity(self, word: str) -> float:
        return self.log_total - math.log(self.counts.get(word) or 1)


def _dictionary_file() -> Path:
    spec = importlib.util.find_spec("jieba")  # without importing jieba, which costs a tenth of a second
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("jieba")
    return Path(spec.origin).with_name("dict.txt")


def _read(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    counts: dict[str, int] = {}
    tags: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                counts[parts[0]] = int(parts[1])
                if len(parts) == 3 and parts[2] in KEPT_TAGS:
                    tags[parts[0]] = parts[2]
    return counts, tags


@functools.cache
def dictionary() -> Dictionary:
    """jieba's dictionary, from the cache folder when it is there."""
    from ..cache import WORDS_FILE, default_cache_dir

    path = _dictionary_file()
    stat = path.stat()
    cached = default_cache_dir() / f"jieba-words-{_FORMAT}-{stat.st_size}-{stat.st_mtime_ns}.marshal"
    try:
        counts, tags = marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        counts, tags = _read(path)
        _store(cached, (counts, tags))
    for word in read_words(WORDS_FILE):  # the project's own jargon, as the index adds it: 大模型, 文生图
        counts[word] = JARGON_COUNT
        tags.setdefault(word, "n")
    return Dictionary(counts, tags, math.log(sum(counts.values()) or 1), max(map(len, counts), default=1))


def _store(path: Path, value: tuple[dict[str, int], dict[str, str]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as out:
            out.write(marshal.dumps(value))
        os.replace(out.name, path)
    except OSError as error:
        logger.info("not caching jieba's dictionary in %s: %s", path.parent, error)
