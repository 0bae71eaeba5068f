"""One panel file's part of the cache: its validated panel, its quotes as columns, and its
part of the index, stored under a key made from the file's bytes and everything that cuts
its words. A changed panel is read, validated and cut alone; the others' parts are reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..models import Panel, Source, Speaker, Topic
from ..search.cutting import workers_for
from ..search.fold import fold
from ..search.index import PartIndex, index_part
from ..search.tokenizer import HAN, Tokenizer
from .columns import QuoteColumns, StoredBytes, TextColumn
from .loader import PanelData, read_panel, read_source
from .progress import Progress
from .sections import Mapped, map_sections, write_sections

logger = logging.getLogger(__name__)

PART_FORMAT = b"PQPART02"
_LONG_PANEL = 200  # quotes of a panel whose cutting tells its progress (after a quiet second)
MIN_PARALLEL = 4000  # quotes to cut below which one process is quicker than starting others


def part_key(words_key: str, path: str, text: str) -> str:
    """The key of a panel file's part: its name and bytes, and what cuts its words."""
    digest = hashlib.sha256(PART_FORMAT + words_key.encode() + b"\0" + path.encode() + b"\0" + text.encode())
    return digest.hexdigest()[:32]


def part_file(folder: Path, key: str) -> Path:
    return folder / "parts" / f"part-{key}.bin"


class Part:
    """A panel file's part, read back: the panel as a JSON line, its quotes, its index part.

    A merge reads each part several times, each time for something else (its terms, its
    texts, one column), so what needs parsing is parsed only when asked for."""

    def __init__(self, key: str, sections: Mapped) -> None:
        self.key, self._sections = key, sections
        stored = StoredBytes(sections.file())
        self._columns = {name: TextColumn(stored, sections[f"{name}.at"], sections.offsets[name])
                         for name in ("ids", "texts", "glosses", "folded")}
        self.size = len(self._columns["ids"])
        if not self.size == len(self._columns["texts"]) == len(sections["speaker"]) == len(sections["doc_len"]):
            raise ValueError("the columns do not match")
        self.line: str = bytes(sections["panel"]).decode()  # path, panel, speakers and topics as one JSON line

    def column(self, name: str) -> TextColumn:
        """One of its text columns: ids, texts, glosses or folded."""
        return self._columns[name]

    @property
    def folded(self) -> TextColumn:
        return self._columns["folded"]

    @functools.cached_property
    def quotes(self) -> QuoteColumns:
        """Its quotes, speaker and topic numbers within this panel."""
        panel, speakers, topics = _parsed(self.key, lambda: panel_objects(json.loads(self.line)))
        sections, column = self._sections, self._columns
        return QuoteColumns([panel], speakers, topics, column["ids"], column["texts"], column["glosses"],
                            sections["speaker"], sections["topic"], array("i", [0]) * self.size, sections["start"],
                            array("q", [0, self.size]))

    @functools.cached_property
    def index(self) -> PartIndex:
        sections = self._sections
        vocab = bytes(sections["vocab"]).decode().split("\n") if len(sections["vocab"]) else []
        return PartIndex(vocab, sections["doc_len"], sections["local_term"], sections["local_doc"],
                         sections["local_tf"], sections["deep"],
                         _parsed(self.key, lambda: json.loads(bytes(sections["term_pinyin"]))))

    @functools.cached_property
    def pinyin(self) -> dict[str, str]:
        """Of the names of its speakers, titles and topics."""
        return _parsed(self.key, lambda: json.loads(bytes(self._sections["pinyin"])))  # type: ignore[no-any-return]


def _parsed(key: str, parse: Callable[[], Any]) -> Any:
    """What `parse` makes of a part's stored JSON; a damaged part is an OSError, as a part gone
    missing while a merge reads it is."""
    try:
        return parse()
    except (ValueError, KeyError, TypeError) as error:
        raise OSError(f"the cached part {key} is damaged: {error}") from None


# -- making a part --------------------------------------------------------------------------

def _line(panel: PanelData) -> str:
    p = panel.panel
    return json.dumps({
        "path": panel.path,
        "panel": [p.id, p.title, p.event, p.date.isoformat() if p.date else None, p.host, p.location,
                  p.language, [p.source.url, p.source.publisher, p.source.note], p.recording, p.title_en, p.event_en],
        "speakers": [[s.id, s.name, s.title, s.role, s.title_en] for s in panel.speakers],
        "topics": [[t.id, t.name, t.question, t.name_en, t.question_en] for t in panel.topics],
    }, ensure_ascii=False)


def names_pinyin(texts: Sequence[str]) -> dict[str, str]:
    """Pinyin, syllables apart, of names people look things up by (speakers' names and titles,
    topic names)."""
    return {text: _name_pinyin(text) for text in texts if HAN.search(text)}


@functools.lru_cache(maxsize=1 << 14)
def _name_pinyin(text: str) -> str:
    # A library's panels share most of their speakers and titles: each is worked out once.
    from pypinyin import lazy_pinyin  # loaded only when some name is Chinese

    return " ".join(" ".join(lazy_pinyin(text)).split())


def part_sections(panel: PanelData, tokenizer: Tokenizer, quiet: bool = False,
                  always: Sequence[str] = ()) -> dict[str, Any]:
    """The sections of a validated panel's part file; cutting a long panel's quotes tells its
    progress unless `quiet` (in a worker, beside others)."""
    quotes = panel.quotes
    texts = [q.text for q in quotes]
    folded = [fold(t) for t in texts]
    names = [s.name for s in panel.speakers] + [t.name for t in panel.topics]
    with tokenizer.words_added(fold(w) for w in names if len(w) <= 8):
        step = None if quiet or len(quotes) < _LONG_PANEL else Progress("segmenting quotes", len(quotes), "quotes")
        index = index_part(texts, folded, tokenizer, [q.text_en for q in quotes], step, always)
    columns = QuoteColumns.of([(panel.panel, panel.speakers, panel.topics, quotes)])
    named = sorted({text for s in panel.speakers for text in (s.name, s.title)} | {t.name for t in panel.topics})
    sections: dict[str, Any] = {
        "panel": _line(panel).encode(),
        "pinyin": json.dumps(names_pinyin(named), ensure_ascii=False).encode(),
        "vocab": "\n".join(index.vocab).encode(),
        "term_pinyin": json.dumps(index.pinyin, ensure_ascii=False).encode(),
    }
    for name, column in (("ids", columns.ids), ("texts", columns.texts), ("glosses", columns.glosses),
                         ("folded", TextColumn.of(folded))):
        sections[name], sections[f"{name}.at"] = column.raw()
    for name in ("speaker", "topic", "start"):
        sections[name] = getattr(columns, name)
    for name in ("doc_len", "local_term", "local_doc", "local_tf", "deep"):
        sections[name] = getattr(index, name)
    return sections


def read_part(file: Path, key: str) -> Part | None:
    """A stored part, or None when it is missing or unreadable (it is then made again)."""
    try:
        return Part(key, map_sections(file, PART_FORMAT))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("ignoring unreadable cache %s: %s", file, error)
        return None


def panel_objects(raw: dict[str, Any], keep: Callable[[Any, Any], Any] = lambda a, b: b
                  ) -> tuple[Panel, list[Speaker], list[Topic]]:
    """A panel's objects from its JSON line; `keep` may share equal strings between panels."""
    pid, title, event, date, host, location, language, source, recording, title_en, event_en = raw["panel"]
    import datetime as dt

    pid = keep(pid, pid)
    panel = Panel(pid, keep(title, title), keep(event, event), dt.date.fromisoformat(date) if date else None,
                  keep(host, host), keep(location, location), language, Source(*source), recording,
                  keep(title_en, title_en), keep(event_en, event_en))
    speakers = [Speaker(keep(sid, sid), keep(name, name), keep(title, title), keep(role, role), pid,
                        keep(title_en, title_en)) for sid, name, title, role, title_en in raw["speakers"]]
    topics = [Topic(keep(tid, tid), keep(name, name), keep(question, question), pid, keep(name_en, name_en),
                    keep(question_en, question_en)) for tid, name, question, name_en, question_en in raw["topics"]]
    return panel, speakers, topics


# -- making many parts, on every core when there are many ------------------------------------

@dataclass(frozen=True, slots=True)
class Cutting:
    """What every part of one library is made with: the words jieba learns, their key, and
    the folder the parts are stored in."""

    words: tuple[str, ...]
    words_key: str
    folder: Path
    always: tuple[str, ...] = ()  # words that are terms wherever they are: their pinyin goes in each part


Made = tuple[str, str | None, list[Problem]]  # path, part key (None when the file is broken), problems
_tokenizer: Tokenizer | None = None  # the one this process cuts with
KEEP_TOKENIZER = False  # True in the indexer's worker, which keeps jieba loaded between changes


def make_parts(paths: Sequence[str], size: int, cutting: Cutting, advance: Callable[[int], None]) -> Iterator[Made]:
    """Read, validate, cut and store each panel file's part, in order. With many quotes
    (`size` bytes of files in all) and no other thread running, worker processes do it, each
    with its own jieba; the process that asked never loads it."""
    workers = workers_for(size // 60, MIN_PARALLEL)  # about 60 bytes of YAML a quote
    if workers < 2:
        for path in paths:
            advance(1)
            yield _make(path, cutting)
        return
    import multiprocessing  # only a large build needs it: a search never imports it

    with multiprocessing.get_context("fork").Pool(workers, _forget_tokenizer) as pool:
        for made in pool.imap(functools.partial(_make, cutting=cutting, quiet=True), paths, chunksize=4):
            advance(1)
            yield made


def _forget_tokenizer() -> None:
    global _tokenizer
    _tokenizer = None


def tokenizer_for(cutting: Cutting) -> Tokenizer:
    global _tokenizer
    if _tokenizer is None or _tokenizer.words_key != cutting.words_key:
        _tokenizer = Tokenizer(cutting.words, cache_dir=cutting.folder)
        _tokenizer.words_key = cutting.words_key
    return _tokenizer


def forget_tokenizer() -> None:
    """Let jieba's dictionary go (a hundred megabytes) once the parts are made."""
    _forget_tokenizer()


def _make(path: str, cutting: Cutting, quiet: bool = False) -> Made:
    """One panel file's part, stored: read here (the file may have changed since it was
    looked at: its key is of the bytes read now)."""
    try:
        text = read_source(Path(path))
        key = part_key(cutting.words_key, path, text)
        if not part_file(cutting.folder, key).exists():
            sections = part_sections(read_panel(path, text), tokenizer_for(cutting), quiet, cutting.always)
            write_sections(part_file(cutting.folder, key), PART_FORMAT, sections)
        return path, key, []
    except DataError as error:
        return path, None, error.problems
    except OSError as error:
        return path, None, [Problem(path, None, f"cannot store its part of the cache: {error}")]
    except Exception as error:  # a bug, met on this file: name the file, keep the others
        logger.debug("reading %s failed", path, exc_info=True)
        return path, None, [Problem(path, None, f"cannot be read ({type(error).__name__}: {str(error)[:200]}); "
                                                "this is a bug, LOG_LEVEL=DEBUG shows where")]
