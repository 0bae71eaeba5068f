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
import math
import mmap
import os
import struct
import tempfile
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .. import __version__
from ..errors import DataError
from ..library import Library
from ..models import Panel, Quote, Source, Speaker, Topic
from ..search.fold import fold
from ..search.index import IndexData, build
from ..search.synonyms import SHIPPED as SHIPPED_SYNONYMS
from ..search.synonyms import single_words, synonyms_of
from ..search.tokenizer import HAN, Tokenizer, read_words, words_of
from .loader import PanelData, load_panels, panel_files, read_source
from .progress import Progress
from .shipped import shipped_data_dir

logger = logging.getLogger(__name__)

FORMAT = b"PQLIB016"
_ARRAYS = ("post_doc", "post_score", "post_ptr", "doc_len", "deep_folded")
_MAPPED = 2  # the postings, the bulk of the index, stay in the file until a search reads them
_KEEP_FILES = 8
_TEXTS_PER_SLICE = 4096
_RACY_NS = 2_000_000_000  # files changed this close before a manifest was written are read anyway
WORDS_FILE = Path(__file__).parents[1] / "search" / "words.txt"


def default_cache_dir() -> Path:
    if env := os.environ.get("QUOTES_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "panel-quotes"


def _read_sources(path: Path) -> tuple[list[tuple[str, str]], list[str], dict[str, tuple[str, ...]]]:
    """Every panel file's text, the segmentation words and the synonyms; every unreadable file
    is a problem."""
    files, problems = [], []
    for file in panel_files(path):
        try:
            files.append((str(file), read_source(file)))
        except DataError as error:
            problems += error.problems
    words = read_words(WORDS_FILE)
    synonym_texts = [(str(SHIPPED_SYNONYMS), SHIPPED_SYNONYMS.read_text(encoding="utf-8"))]
    for name in ("words.txt", "synonyms.txt"):
        if path.is_dir() and (path / name).exists():
            try:
                text = read_source(path / name)
            except DataError as error:
                problems += error.problems
                continue
            if name == "words.txt":
                words += words_of(text)
            else:
                synonym_texts.append((str(path / name), text))
    synonyms: dict[str, tuple[str, ...]] = {}
    for name, text in synonym_texts:
        try:
            for word, others in synonyms_of(text, name).items():
                synonyms[word] = tuple(sorted({*synonyms.get(word, ()), *others}))
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    return files, words + single_words(synonyms), synonyms


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


def data_path(path: str | Path | None = None) -> Path:
    """The panels to serve: `path`, else $QUOTES_DATA_DIR, else the shipped ones."""
    return Path(path or os.environ.get("QUOTES_DATA_DIR") or shipped_data_dir())


def fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and change times of the panel files: cheap to compare, to notice an edit."""
    try:
        files = [*panel_files(path), path / "words.txt", path / "synonyms.txt"]
        return tuple((str(f), (s := f.stat()).st_size, s.st_mtime_ns) for f in files if f.exists())
    except (DataError, OSError):
        return ()


def load_library(path: str | Path | None = None, *, cache_dir: Path | None = None,
                 use_cache: bool = True) -> Library:
    """Load, validate and index the panels at `path` (a file or a folder of *.yaml).

    `path` defaults to $QUOTES_DATA_DIR, then to the panels shipped with the bot. Raises
    DataError listing every problem as `file:line: message`.
    """
    where, folder = data_path(path), cache_dir or default_cache_dir()
    if use_cache and (known := _known_key(folder, where)) and (cached := _read_cache(folder / f"library-{known}.bin")):
        return cached  # no file changed since the manifest was written: none is read
    stats = _stats(where)  # before the files are read: a change while they are read is seen next time
    files, words, synonyms = _read_sources(where)
    key = _key(files, words + [f"{word}={','.join(others)}" for word, others in sorted(synonyms.items())])
    cache_file = folder / f"library-{key}.bin"
    if use_cache and (cached := _read_cache(cache_file)) is not None:
        _write_manifest(folder, where, stats, key)
        return cached
    panels = load_panels(files)
    pinyin = _names_pinyin(panels)
    extra = [s.name for p in panels for s in p.speakers] + [t.name for p in panels for t in p.topics]
    jieba_cache = cache_file.parent if use_cache and _writable(cache_file.parent) else None
    tokenizer = Tokenizer(words + [fold(w) for w in extra if len(w) <= 8], cache_dir=jieba_cache)
    texts = [q.text for p in panels for q in p.quotes]
    data = build(texts, [fold(t) for t in texts], tokenizer, [q.text_en for p in panels for q in p.quotes],
                 step=lambda what, total: Progress(what, total, "quotes"))
    if use_cache:
        _write_cache(cache_file, panels, pinyin, data, synonyms)
        _write_manifest(folder, where, stats, key)
    return Library(panels, data, pinyin, synonyms)


# -- the manifest: which cache file the data's files make, known from their sizes and times --

def _code() -> str:
    return f"{FORMAT.decode()}:{__version__}:{_tokenizer_version().decode()}"


def _manifest_file(folder: Path, data: Path) -> Path:
    return folder / f"manifest-{hashlib.sha256(str(data.resolve()).encode()).hexdigest()[:16]}.json"


def _stats(data: Path) -> list[list[Any]]:
    """Name, size and change time of every file the library is made from."""
    files = [*panel_files(data), WORDS_FILE, SHIPPED_SYNONYMS]
    files += [f for f in (data / "words.txt", data / "synonyms.txt") if data.is_dir() and f.exists()]
    return [[str(f), (s := f.stat()).st_size, s.st_mtime_ns] for f in files]


def _known_key(folder: Path, data: Path) -> str | None:
    """The cache key the manifest names, when every file is as it was then. A file changed in
    the last seconds before the manifest was written may have changed again unseen (the same
    size within the same clock tick): then the files are read, as git does with racy entries."""
    try:
        manifest = json.loads(_manifest_file(folder, data).read_text(encoding="utf-8"))
        stats = _stats(data)
    except (OSError, ValueError, DataError):
        return None
    if manifest.get("code") != _code() or manifest.get("files") != stats:
        return None
    if any(mtime >= manifest["written"] - _RACY_NS for _, _, mtime in stats):
        return None
    return str(manifest["key"])


def _write_manifest(folder: Path, data: Path, stats: list[list[Any]], key: str) -> None:
    manifest = {"code": _code(), "files": stats, "written": time.time_ns(), "key": key}
    try:
        with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".tmp-", suffix=".json", delete=False,
                                         encoding="utf-8") as out:
            json.dump(manifest, out, ensure_ascii=False)
        os.replace(out.name, _manifest_file(folder, data))
    except OSError as error:
        logger.info("not writing the cache manifest in %s: %s", folder, error)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _names_pinyin(panels: list[PanelData]) -> dict[str, str]:
    """Pinyin, syllables apart, of the names people look things up by: speakers' names and
    titles, topic names. Computed once here: pypinyin's dictionaries are slow to load."""
    from pypinyin import lazy_pinyin

    texts = {text for p in panels for s in p.speakers for text in (s.name, s.title)}
    texts |= {t.name for p in panels for t in p.topics}
    return {text: " ".join(" ".join(lazy_pinyin(text)).split()) for text in texts if HAN.search(text)}


# -- the stored form ------------------------------------------------------------------------
# A small JSON header, then length-prefixed sections: quote ids and texts as UTF-8 blobs,
# everything numeric as raw arrays. Loading it is a few large reads, not 100,000 small objects.

def _header(panels: list[PanelData], pinyin: dict[str, str], data: IndexData,
            synonyms: dict[str, tuple[str, ...]]) -> bytes:
    return json.dumps({
        "panels": [{
            "path": p.path,
            "panel": [p.panel.id, p.panel.title, p.panel.event, p.panel.date.isoformat() if p.panel.date else None,
                      p.panel.host, p.panel.location, p.panel.language,
                      [p.panel.source.url, p.panel.source.publisher, p.panel.source.note], p.panel.recording,
                      p.panel.title_en, p.panel.event_en],
            "speakers": [[s.id, s.name, s.title, s.role, s.title_en] for s in p.speakers],
            "topics": [[t.id, t.name, t.question, t.name_en, t.question_en] for t in p.topics],
            "quotes": len(p.quotes),
        } for p in panels],
        "pinyin": pinyin, "terms": data.terms, "term_pinyin": data.pinyin, "synonyms": synonyms,
    }, ensure_ascii=False).encode()


def _quote_columns(panels: list[PanelData]) -> dict[str, Any]:
    speaker_at = [{s.id: i for i, s in enumerate(p.speakers)} for p in panels]
    topic_at = [{t.id: i for i, t in enumerate(p.topics)} for p in panels]
    quotes = [(n, q) for n, p in enumerate(panels) for q in p.quotes]
    return {
        "ids": "\n".join(q.id for _, q in quotes).encode(),
        "speaker_index": array("H", (speaker_at[n][q.speaker.id] for n, q in quotes)),
        "topic_index": array("h", (topic_at[n][q.topic.id] if q.topic else -1 for n, q in quotes)),
        "start": array("d", (math.nan if q.start is None else q.start for _, q in quotes)),
        "glosses": "\0".join(q.text_en or "" for _, q in quotes).encode(),
        # In slices of about a megabyte, so that loading never holds all the text twice.
        **{f"texts-{n}": "\0".join(q.text for _, q in quotes[n:n + _TEXTS_PER_SLICE]).encode()
           for n in range(0, max(len(quotes), 1), _TEXTS_PER_SLICE)},
    }


def _write_cache(file: Path, panels: list[PanelData], pinyin: dict[str, str], data: IndexData,
                 synonyms: dict[str, tuple[str, ...]]) -> None:
    sections = [*(getattr(data, name) for name in _ARRAYS), _header(panels, pinyin, data, synonyms),
                *_quote_columns(panels).values()]
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=file.parent, prefix=".tmp-", delete=False) as out:
            out.write(FORMAT)
            for section in sections:
                typecode = section.typecode.encode() if isinstance(section, array) else b"B"
                raw = section.tobytes() if isinstance(section, array) else section
                out.write(struct.pack("<1sQ", typecode, len(raw)))
                out.write(raw)
        os.replace(out.name, file)
        for old in sorted(file.parent.glob("library-*.bin"), key=lambda f: f.stat().st_mtime)[:-_KEEP_FILES]:
            old.unlink(missing_ok=True)
    except OSError as error:
        logger.info("not caching the built library in %s: %s", file.parent, error)


def _sections(stream: BinaryIO, mapped: int = 0) -> Iterator[Any]:
    """The sections of a cache file, one at a time, each a bytes blob or an array.

    The first `mapped` arrays are not read: their (typecode, offset, size) comes instead, to
    be mapped from the file, so that only the pages a search touches take memory.
    """
    if stream.read(len(FORMAT)) != FORMAT:
        raise ValueError("not a library cache of this version")
    while head := stream.read(9):
        typecode, size = struct.unpack("<1sQ", head)
        if mapped and typecode != b"B":
            mapped -= 1
            yield typecode.decode(), stream.tell(), size
            stream.seek(size, os.SEEK_CUR)
        elif typecode == b"B":
            blob = stream.read(size)
            if len(blob) != size:
                raise ValueError("truncated")
            yield blob
        else:
            values = array(typecode.decode())
            values.fromfile(stream, size // values.itemsize)  # EOFError when truncated
            yield values


def _read_cache(file: Path) -> Library | None:
    try:
        with file.open("rb") as stream:
            sections = _sections(stream, mapped=_MAPPED)
            arrays = [next(sections) for _ in _ARRAYS]
            header = json.loads(next(sections))
            ids = next(sections).decode().split("\n")
            speaker_index, topic_index, starts = next(sections), next(sections), next(sections)
            glosses = next(sections).decode().split("\0")
            texts = [text for blob in sections for text in blob.decode().split("\0")]
        if not len(texts) == len(ids) == len(starts) == len(glosses):
            raise ValueError("the texts or start times do not match the ids")
        with file.open("rb") as stream:
            whole = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        for n, (typecode, offset, size) in enumerate(arrays[:_MAPPED]):
            arrays[n] = memoryview(whole)[offset:offset + size].cast(typecode)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, StopIteration, struct.error) as error:
        logger.warning("ignoring unreadable cache %s: %s", file, error)
        return None
    panels, at = [], 0
    positions = list(range(max((raw["quotes"] for raw in header["panels"]), default=0) + 1))  # shared ints
    for raw in header["panels"]:
        pid, title, event, date, host, location, language, source, recording, title_en, event_en = raw["panel"]
        panel = Panel(pid, title, event, dt.date.fromisoformat(date) if date else None, host, location,
                      language, Source(*source), recording, title_en, event_en)
        speakers = [Speaker(sid, name, title, role, pid, title_en) for sid, name, title, role, title_en in raw["speakers"]]
        topics = [Topic(tid, name, question, pid, name_en, question_en)
                  for tid, name, question, name_en, question_en in raw["topics"]]
        quotes = []
        for n in range(at, at + raw["quotes"]):
            topic, start = topic_index[n], starts[n]
            quotes.append(Quote(ids[n], pid, speakers[speaker_index[n]], topics[topic] if topic >= 0 else None,
                                texts[n], positions[n - at + 1], None if math.isnan(start) else start,
                                glosses[n] or None))
        at += raw["quotes"]
        panels.append(PanelData(raw["path"], panel, tuple(speakers), tuple(topics), tuple(quotes)))
    data = IndexData(terms=header["terms"], pinyin=header["term_pinyin"], **dict(zip(_ARRAYS, arrays)))
    synonyms = {word: tuple(others) for word, others in header["synonyms"].items()}
    return Library(panels, data, header["pinyin"], synonyms)
