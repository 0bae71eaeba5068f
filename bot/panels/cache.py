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
import time
from array import array
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import DataError
from ..library import Library
from ..models import Panel, Source, Speaker, Topic
from ..search.fold import fold
from ..search.index import IndexData, build
from ..search.synonyms import SHIPPED as SHIPPED_SYNONYMS
from ..search.synonyms import single_words, synonyms_of
from ..search.tokenizer import HAN, Tokenizer, read_words, words_of
from .columns import QuoteColumns, StoredBytes, TextColumn
from .loader import PanelData, load_panels, panel_files, read_source
from .progress import Progress
from .sections import map_sections, write_sections
from .shipped import shipped_data_dir

logger = logging.getLogger(__name__)

FORMAT = b"PQLIB019"
_ARRAYS = ("post_doc", "post_score", "post_ptr", "doc_len", "deep_folded")
_KEEP_FILES = 8
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
                 step=lambda what, total: Progress(what, total, "quotes"), always=single_words(synonyms))
    columns = QuoteColumns.of([(p.panel, p.speakers, p.topics, p.quotes) for p in panels])
    if use_cache:
        _write_cache(cache_file, columns, pinyin, data, synonyms, [p.path for p in panels])
        _write_manifest(folder, where, stats, key)
    return Library(columns, data, pinyin, synonyms)


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
# A small JSON header (panels, speakers, topics, terms), then every column and index array as
# a section of its own (see `sections.py`), mapped when the library is opened.

def _header(pinyin: dict[str, str], data: IndexData, synonyms: dict[str, tuple[str, ...]]) -> bytes:
    return json.dumps({"pinyin": pinyin, "terms": data.terms, "term_pinyin": data.pinyin, "synonyms": synonyms},
                      ensure_ascii=False).encode()


def _panel_lines(columns: QuoteColumns, paths: list[str]) -> bytes:
    """A JSON line a panel, with its speakers and topics: read one at a time, so that opening
    a library of thousands never holds all their raw JSON at once."""
    speakers_of: list[list[Speaker]] = [[] for _ in columns.panels]
    topics_of: list[list[Topic]] = [[] for _ in columns.panels]
    panel_at = {p.id: n for n, p in enumerate(columns.panels)}
    for s in columns.speakers:
        speakers_of[panel_at[s.panel]].append(s)
    for t in columns.topics:
        topics_of[panel_at[t.panel]].append(t)
    return "\n".join(json.dumps({
        "path": path,
        "panel": [p.id, p.title, p.event, p.date.isoformat() if p.date else None, p.host, p.location,
                  p.language, [p.source.url, p.source.publisher, p.source.note], p.recording,
                  p.title_en, p.event_en],
        "speakers": [[s.id, s.name, s.title, s.role, s.title_en] for s in speakers],
        "topics": [[t.id, t.name, t.question, t.name_en, t.question_en] for t in topics],
    }, ensure_ascii=False) for path, p, speakers, topics in zip(paths, columns.panels, speakers_of, topics_of,
                                                                strict=True)).encode()


def _library_sections(columns: QuoteColumns, pinyin: dict[str, str], data: IndexData,
                      synonyms: dict[str, tuple[str, ...]], paths: list[str]) -> dict[str, Any]:
    sections: dict[str, Any] = {"header": _header(pinyin, data, synonyms), "panels": _panel_lines(columns, paths)}
    for name in _ARRAYS:
        sections[name] = getattr(data, name)
    for name in ("ids", "texts", "glosses"):
        sections[name], sections[f"{name}.at"] = getattr(columns, name).raw()
    for name, typecode in (("speaker", "i"), ("topic", "i"), ("panel", "i"), ("start", "d"), ("first", "q")):
        sections[name] = _as_array(getattr(columns, name), typecode)
    return sections


def _as_array(values: Any, typecode: str) -> array:  # type: ignore[type-arg]
    if isinstance(values, array) and values.typecode == typecode:
        return values
    return array(typecode, memoryview(values).cast("B").tobytes()) if isinstance(values, memoryview) \
        else array(typecode, values)


def _write_cache(file: Path, columns: QuoteColumns, pinyin: dict[str, str], data: IndexData,
                 synonyms: dict[str, tuple[str, ...]], paths: list[str]) -> None:
    try:
        write_sections(file, FORMAT, _library_sections(columns, pinyin, data, synonyms, paths))
        for old in sorted(file.parent.glob("library-*.bin"), key=lambda f: f.stat().st_mtime)[:-_KEEP_FILES]:
            old.unlink(missing_ok=True)
    except OSError as error:
        logger.info("not caching the built library in %s: %s", file.parent, error)


def _read_cache(file: Path) -> Library | None:
    try:
        sections = map_sections(file, FORMAT)
        header = json.loads(bytes(sections["header"]))
        stored = StoredBytes(file.open("rb", buffering=0))
        texts = {name: TextColumn(stored, sections[f"{name}.at"], sections.offsets[name])
                 for name in ("ids", "texts", "glosses")}
        columns = [sections[name] for name in ("speaker", "topic", "panel", "start", "first")]
        arrays = {name: sections[name] for name in _ARRAYS}
        if not len(texts["texts"]) == len(texts["ids"]) == len(columns[0]) == len(arrays["doc_len"]):
            raise ValueError("the columns do not match")
        panels, speakers, topics = _objects(bytes(sections["panels"]).decode().split("\n"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, struct.error) as error:
        logger.warning("ignoring unreadable cache %s: %s", file, error)
        return None
    quotes = QuoteColumns(panels, speakers, topics, texts["ids"], texts["texts"], texts["glosses"], *columns)
    data = IndexData(terms=header["terms"], pinyin=header["term_pinyin"], **arrays)
    synonyms = {word: tuple(others) for word, others in header["synonyms"].items()}
    return Library(quotes, data, header["pinyin"], synonyms)


def _objects(lines: list[str]) -> tuple[list[Panel], list[Speaker], list[Topic]]:
    """Panels, speakers and topics from the header. Equal strings (a title, a question, a role
    that many panels repeat) are kept once."""
    once: dict[Any, Any] = {}
    keep = once.setdefault
    panels, speakers, topics = [], [], []
    for line in lines:
        raw = json.loads(line)
        pid, title, event, date, host, location, language, source, recording, title_en, event_en = raw["panel"]
        pid = keep(pid, pid)
        panels.append(Panel(pid, keep(title, title), keep(event, event), dt.date.fromisoformat(date) if date else None,
                            keep(host, host), keep(location, location), language, Source(*source), recording,
                            keep(title_en, title_en), keep(event_en, event_en)))
        speakers += [Speaker(keep(sid, sid), keep(name, name), keep(title, title), keep(role, role), pid,
                             keep(title_en, title_en)) for sid, name, title, role, title_en in raw["speakers"]]
        topics += [Topic(keep(tid, tid), keep(name, name), keep(question, question), pid, keep(name_en, name_en),
                         keep(question_en, question_en)) for tid, name, question, name_en, question_en in raw["topics"]]
    return panels, speakers, topics
