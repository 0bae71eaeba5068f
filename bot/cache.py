"""Loading a library, and keeping its built form on disk so a restart skips the slow work.

Parsing YAML and segmenting every quote with jieba take seconds at scale; the built library
(validated panels, index arrays) is stored under a key made from the data files' bytes and
the code's version, and loaded back in a fraction of that. A stale or unreadable cache is
simply rebuilt: it is never the source of truth.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import logging
import os
import struct
import tempfile
from array import array
from pathlib import Path
from typing import Any

from . import __version__
from .errors import DataError, Problem
from .fold import fold
from .index import IndexData, build
from .library import Library
from .loader import PanelData, load_panels, panel_files
from .models import Panel, Quote, Source, Speaker, Topic
from .settings import shipped_data_dir
from .tokenizer import Tokenizer, read_words

logger = logging.getLogger(__name__)

FORMAT = b"PQLIB004"
_ARRAYS = ("post_ptr", "post_doc", "post_score", "doc_len", "char_ptr", "char_doc")
_KEEP_FILES = 8
WORDS_FILE = Path(__file__).with_name("words.txt")


def default_cache_dir() -> Path:
    if env := os.environ.get("QUOTES_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "panel-quotes"


def _read_sources(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    files = []
    problems = []
    for file in panel_files(path):
        try:
            files.append((str(file), file.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(file), None, f"cannot read: {error}"))
    if problems:
        raise DataError(problems)
    words = read_words(WORDS_FILE)
    if path.is_dir():
        words += read_words(path / "words.txt")
    return files, words


def _tokenizer_version() -> bytes:
    # Importing jieba costs more than the rest of a cold search; its installed file tells enough.
    spec = importlib.util.find_spec("jieba")
    stat = os.stat(spec.origin) if spec and spec.origin else None
    return f"{stat.st_size}:{stat.st_mtime_ns}".encode() if stat else b"-"


def _key(files: list[tuple[str, str]], words: list[str]) -> str:
    digest = hashlib.sha256(FORMAT + __version__.encode() + _tokenizer_version())
    digest.update("\n".join(words).encode())
    for name, text in files:
        digest.update(b"\0" + Path(name).name.encode() + b"\0" + text.encode())
    return digest.hexdigest()[:32]


def load_library(path: str | Path | None = None, *, cache_dir: Path | None = None,
                 use_cache: bool = True) -> Library:
    """Load, validate and index the panels at `path` (a file or a folder of *.yaml).

    `path` defaults to $QUOTES_DATA_DIR, then to the panels shipped with the bot. Raises
    DataError listing every problem as `file:line: message`.
    """
    data_path = Path(path or os.environ.get("QUOTES_DATA_DIR") or shipped_data_dir())
    files, words = _read_sources(data_path)
    key = _key(files, words)
    cache_file = (cache_dir or default_cache_dir()) / f"library-{key}.bin"
    if use_cache and (cached := _read_cache(cache_file)) is not None:
        return cached
    panels = load_panels(files)
    pinyin = _names_pinyin(panels)
    extra = [s.name for p in panels for s in p.speakers] + [t.name for p in panels for t in p.topics]
    jieba_cache = cache_file.parent if use_cache and _writable(cache_file.parent) else None
    tokenizer = Tokenizer(words + [fold(w) for w in extra if len(w) <= 8], cache_dir=jieba_cache)
    texts = [q.text for p in panels for q in p.quotes]
    data = build(texts, [fold(t) for t in texts], tokenizer)
    if use_cache:
        _write_cache(cache_file, panels, pinyin, data)
    return Library(panels, data, pinyin)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _names_pinyin(panels: list[PanelData]) -> dict[str, str]:
    from pypinyin import lazy_pinyin

    return {s.name: "".join(lazy_pinyin(s.name)) for p in panels for s in p.speakers}


# -- the stored form ------------------------------------------------------------------------

def _panel_to_json(data: PanelData) -> dict[str, Any]:
    p = data.panel
    return {
        "path": data.path,
        "panel": [p.id, p.title, p.event, p.date.isoformat() if p.date else None, p.host, p.location,
                  p.language, [p.source.url, p.source.publisher, p.source.note]],
        "speakers": [[s.id, s.name, s.title, s.role] for s in data.speakers],
        "topics": [[t.id, t.name, t.question] for t in data.topics],
        "quotes": [[q.id, q.speaker.id, q.topic.id if q.topic else None, q.text, q.position, q.turn]
                   for q in data.quotes],
    }


def _panel_from_json(raw: dict[str, Any]) -> PanelData:
    pid, title, event, date, host, location, language, source = raw["panel"]
    panel = Panel(pid, title, event, dt.date.fromisoformat(date) if date else None, host, location,
                  language, Source(*source))
    speakers = {sid: Speaker(sid, name, title, role, pid) for sid, name, title, role in raw["speakers"]}
    topics = {tid: Topic(tid, name, question, pid) for tid, name, question in raw["topics"]}
    quotes = tuple(Quote(qid, pid, speakers[sid], topics[tid] if tid else None, text, position, turn)
                   for qid, sid, tid, text, position, turn in raw["quotes"])
    return PanelData(raw["path"], panel, tuple(speakers.values()), tuple(topics.values()), quotes)


def _write_cache(file: Path, panels: list[PanelData], pinyin: dict[str, str], data: IndexData) -> None:
    header = json.dumps({
        "panels": [_panel_to_json(p) for p in panels],
        "pinyin": pinyin,
        "terms": data.terms, "chars": data.chars, "term_pinyin": data.pinyin, "folded": data.folded,
    }, ensure_ascii=False).encode()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=file.parent, prefix=".tmp-", delete=False) as out:
            out.write(FORMAT + struct.pack("<Q", len(header)) + header)
            for name in _ARRAYS:
                values: array[Any] = getattr(data, name)
                out.write(struct.pack("<1sQ", values.typecode.encode(), len(values)))
                out.write(values.tobytes())
        os.replace(out.name, file)
        for old in sorted(file.parent.glob("library-*.bin"), key=lambda f: f.stat().st_mtime)[:-_KEEP_FILES]:
            old.unlink(missing_ok=True)
    except OSError as error:
        logger.info("not caching the built library in %s: %s", file.parent, error)


def _read_cache(file: Path) -> Library | None:
    try:
        with file.open("rb") as stream:
            if stream.read(len(FORMAT)) != FORMAT:
                return None
            (size,) = struct.unpack("<Q", stream.read(8))
            header = json.loads(stream.read(size))
            arrays = {}
            for name in _ARRAYS:
                typecode, count = struct.unpack("<1sQ", stream.read(9))
                values = array(typecode.decode())
                values.frombytes(stream.read(count * values.itemsize))
                arrays[name] = values
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, struct.error) as error:
        logger.warning("ignoring unreadable cache %s: %s", file, error)
        return None
    panels = [_panel_from_json(raw) for raw in header["panels"]]
    folded = {int(doc): text for doc, text in header["folded"].items()}
    data = IndexData(terms=header["terms"], chars=header["chars"], pinyin=header["term_pinyin"], folded=folded,
                     **arrays)
    return Library(panels, data, header["pinyin"])
