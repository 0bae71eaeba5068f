"""Loading a library, and keeping its built form on disk so a restart skips the slow work.

Parsing YAML and segmenting quotes with jieba take seconds at scale. Each panel file's part
(its validated panel, quotes and index part; see `parts.py`) is stored under a key made from
its bytes, and the merged library under the keys of its parts; both are loaded back in a
fraction of the time. When one file changes, only it is read and cut again, and the merge
starts from the previous one. A stale or unreadable cache is simply rebuilt: it is never the
source of truth.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .. import __version__
from ..errors import DataError, Problem
from ..library import Library
from ..models import Panel, Speaker, Topic
from ..search import merging
from ..search.index import IndexData
from ..search.synonyms import SHIPPED as SHIPPED_SYNONYMS
from ..search.synonyms import single_words, synonyms_of
from ..search.tokenizer import read_words, words_of
from . import parts
from .columns import QuoteColumns, StoredBytes, TextColumn
from .loader import panel_stats, read_source
from .parts import Cutting, Part, forget_tokenizer, make_parts, names_pinyin, panel_objects, part_file, part_key, read_part
from .progress import Progress
from .sections import Chunks, FileRange, Mapped, map_sections, write_sections
from .shipped import shipped_data_dir

logger = logging.getLogger(__name__)
T = TypeVar("T")

FORMAT = b"PQLIB020"
_ARRAYS = ("post_doc", "post_score", "post_ptr", "doc_len", "deep_folded", "post_tf", "term_files")
_TEXTS = ("ids", "texts", "glosses", "folded")
_SHOWN = ("ids", "texts", "glosses")  # what a search reads of the quotes it returns
_HELD_BYTES = 4 << 20  # texts this small are held in memory: a read is a slice, not a system call
_KEEP_FILES = 8
_RACY_NS = 2_000_000_000  # files changed this close before a manifest was written are read anyway
_STALE_PARTS_SECONDS = 3600  # a part no manifest names is deleted after this long
WORDS_FILE = Path(__file__).parents[1] / "search" / "words.txt"
Synonyms = dict[str, tuple[str, ...]]


def default_cache_dir() -> Path:
    if env := os.environ.get("QUOTES_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "panel-quotes"


def words_and_synonyms(path: Path) -> tuple[list[str], Synonyms, str]:
    """The segmentation words and the synonyms, and a key for them and the code that cuts
    with them; an unreadable or broken words.txt or synonyms.txt is a problem."""
    problems: list[Problem] = []
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
    synonyms: Synonyms = {}
    for name, text in synonym_texts:
        try:
            for word, others in synonyms_of(text, name).items():
                synonyms[word] = tuple(sorted({*synonyms.get(word, ()), *others}))
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    words += single_words(synonyms)
    digest = hashlib.sha256(FORMAT + __version__.encode() + _tokenizer_version())
    digest.update("\n".join(words).encode())
    digest.update(json.dumps(sorted(synonyms.items()), ensure_ascii=False).encode())
    return words, synonyms, digest.hexdigest()[:32]


def _tokenizer_version() -> bytes:
    # Importing jieba costs more than the rest of a cold search; its installed file tells enough.
    spec = importlib.util.find_spec("jieba")
    stat = os.stat(spec.origin) if spec and spec.origin else None
    return f"{stat.st_size}:{stat.st_mtime_ns}".encode() if stat else b"-"


def data_path(path: str | Path | None = None) -> Path:
    """The panels to serve: `path`, else $QUOTES_DATA_DIR, else the shipped ones."""
    return Path(path or os.environ.get("QUOTES_DATA_DIR") or shipped_data_dir())


def fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and change times of the panel files: cheap to compare, to notice an edit."""
    try:
        found = [(str(f), s.st_size, s.st_mtime_ns) for f, s in panel_stats(path)]
        settings = [path / "words.txt", path / "synonyms.txt"]
        return (*found, *((str(f), (s := f.stat()).st_size, s.st_mtime_ns) for f in settings if f.exists()))
    except (DataError, OSError):
        return ()


def load_library(path: str | Path | None = None, *, cache_dir: Path | None = None,
                 use_cache: bool = True) -> Library:
    """Load, validate and index the panels at `path` (a file or a folder of *.yaml).

    `path` defaults to $QUOTES_DATA_DIR, then to the panels shipped with the bot. Raises
    DataError listing every problem as `file:line: message`. Without the cache, the library
    is built in a temporary folder that is gone when this returns.
    """
    where = data_path(path)
    if not use_cache:
        with tempfile.TemporaryDirectory(prefix="panel-quotes-") as scratch:
            return open_library(build_library(where, Path(scratch)))  # readable while mapped and open
    folder = cache_dir or default_cache_dir()
    if not _writable(folder):
        if (known := _known_key(folder, where, _stats(where))) and (cached := _read_cache(folder / f"library-{known}.bin")):
            return cached
        logger.info("the cache folder %s cannot be written: building without it", folder)
        return load_library(where, use_cache=False)
    return open_library(build_library(where, folder))


def build_library(path: str | Path | None = None, cache_dir: Path | None = None) -> Path:
    """The library file of the panels at `path`, built (or merged from the last one) unless
    the cache has it: what a worker process does for a running bot, which then only opens it."""
    where, folder = data_path(path), cache_dir or default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)  # before jieba, which keeps its dictionary's cache there
    stats = _stats(where)  # before the files are read: a change while they are read is seen next time
    if (known := _known_key(folder, where, stats)) and _readable(folder / f"library-{known}.bin"):
        return folder / f"library-{known}.bin"  # no file changed since the manifest was written: none is read
    words, synonyms, words_key = words_and_synonyms(where)
    keys = _part_keys(where, folder, stats[:len(stats) - _settings_files(where)], words, words_key, synonyms)
    key = hashlib.sha256((FORMAT.decode() + words_key + "".join(keys)).encode()).hexdigest()[:32]
    cache_file = folder / f"library-{key}.bin"
    if not _readable(cache_file):
        _merge(folder, keys, words_key, synonyms, cache_file, _earlier(folder, where, words_key))
    _write_manifest(folder, where, stats, key, words_key, keys)
    _forget_stale_parts(folder)
    return cache_file


def open_library(file: Path) -> Library:
    """The library stored in `file` (see `build_library`), mapped rather than read."""
    if (library := _read_cache(file)) is None:
        raise OSError(f"cannot read the library file {file}")
    return library


def _readable(file: Path) -> bool:
    try:
        map_sections(file, FORMAT)
    except (OSError, ValueError):
        return False
    return True


def _part_keys(where: Path, folder: Path, stats: list[list[Any]], words: list[str], words_key: str,
               synonyms: Synonyms) -> list[str]:
    """Every panel file's part key, in order, each part made if it is not stored yet: files
    the manifest knows unchanged are not even read. A file it names that may have changed is
    read here, to tell the few that did; the others (a first build) are read where their parts
    are made, on every core when there are many, which finds a part already stored too."""
    known, named = _manifest_parts(folder, where, words_key)
    keys: dict[str, str] = {}
    making: list[str] = []
    problems: list[Problem] = []
    size = 0
    for name, file_size, mtime in stats:
        if (key := known.get((name, file_size, mtime))) and part_file(folder, key).exists():
            keys[name] = key
            continue
        if name in named:
            try:
                key = part_key(words_key, name, read_source(Path(name)))
            except DataError as error:
                problems += error.problems
                continue
            if part_file(folder, key).exists():
                keys[name] = key
                continue
        making.append(name)
        size += file_size
    if making:
        cutting = Cutting(tuple(words), words_key, folder, tuple(single_words(synonyms)))
        with Progress("reading and cutting panel files", len(making), "files") as step:
            for name, made, found in make_parts(making, size, cutting, step.advance):
                problems += found
                if made is not None:
                    keys[name] = made
        if not parts.KEEP_TOKENIZER:
            forget_tokenizer()
    if problems:
        raise DataError(problems)
    return [keys[name] for name, _, _ in stats]


def _earlier(folder: Path, where: Path, words_key: str) -> Mapped | None:
    """The library the manifest last named, to merge from, when it was cut the same way."""
    try:
        manifest = json.loads(_manifest_file(folder, where).read_text(encoding="utf-8"))
        if manifest.get("code") != _code() or manifest.get("words") != words_key:
            return None
        return map_sections(folder / f"library-{manifest['key']}.bin", FORMAT)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _merge(folder: Path, keys: list[str], words_key: str, synonyms: Synonyms, file: Path,
           earlier: Mapped | None) -> None:
    """Merge the parts named by `keys` into the library file `file`, starting from `earlier`
    where it has them. Parts are opened one at a time, so thousands never hold as many files."""
    header = json.loads(bytes(earlier["header"])) if earlier is not None else {}
    old_keys: list[str] = header.get("parts", [])
    old_at = {key: n for n, key in enumerate(old_keys)} if len(set(old_keys)) == len(old_keys) else {}
    kept_panels = [old_at.get(key, -1) for key in keys]
    removed = sorted(set(old_keys) - set(keys))
    if earlier is not None and (sum(n >= 0 for n in kept_panels) < len(keys) / 2 or len(removed) > len(keys) / 2):
        return _merge(folder, keys, words_key, synonyms, file, None)  # mostly new: a merge from nothing is as quick
    removed_vocab = [_present(_part(folder, key)).index.vocab if _part_exists(folder, key) else None for key in removed]
    if earlier is not None and any(vocab is None for vocab in removed_vocab):
        return _merge(folder, keys, words_key, synonyms, file, None)  # a gone part's file is gone: start afresh
    first = earlier["first"] if earlier is not None else array("q", [0])
    lines = bytes(earlier["panels"]).decode().split("\n") if earlier is not None else []
    sizes, panel_lines, names = [], [], {}
    for key, at in zip(keys, kept_panels, strict=True):
        if at >= 0:
            sizes.append(int(first[at + 1] - first[at]))
            panel_lines.append(lines[at])
        else:
            part = _present(_part(folder, key))
            sizes.append(part.size)
            panel_lines.append(part.line)
            names.update(part.pinyin)
            del part
    raw_panels = _per_line("parsed", panel_lines, json.loads, remember=parts.KEEP_TOKENIZER)
    _check_panel_ids(raw_panels)

    def reader(key: str) -> merging.Read:
        def read() -> tuple[Any, Any]:
            part = _present(_part(folder, key))
            return part.index, part.folded
        return read

    index_parts = [merging.Part(size, None if at >= 0 else reader(key))
                   for key, at, size in zip(keys, kept_panels, sizes, strict=True)]
    earlier_index = None
    if earlier is not None:
        logger.info("%d new or changed panel files merged into %d kept", sum(at < 0 for at in kept_panels),
                    sum(at >= 0 for at in kept_panels))
        earlier_index = merging.Earlier(_index_of(earlier, header), _texts(earlier, "folded"),
                                        [int(first[at]) if at >= 0 else -1 for at in kept_panels],
                                        [vocab for vocab in removed_vocab if vocab is not None])
    with Progress("matching terms", sum(sizes), "quotes") as step:
        data = merging.merge(index_parts, single_words(synonyms), earlier_index, step.advance)
    sections = _assemble(folder, panel_lines, keys, kept_panels, earlier)
    sections["header"] = json.dumps({"pinyin": _pinyin_of(raw_panels, header.get("pinyin", {}) | names),
                                     "terms": data.terms,
                                     "term_pinyin": data.pinyin, "synonyms": synonyms, "parts": keys,
                                     "words": words_key}, ensure_ascii=False).encode()
    for name in _ARRAYS:
        sections[name] = getattr(data, name)
    write_sections(file, FORMAT, sections)
    for old in sorted(file.parent.glob("library-*.bin"), key=lambda f: f.stat().st_mtime)[:-_KEEP_FILES]:
        old.unlink(missing_ok=True)


def _pinyin_of(raw_panels: list[dict[str, Any]], known: dict[str, str]) -> dict[str, str]:
    """The pinyin of the names in the panels (speakers' names and titles, topics' names),
    from the earlier library where it has them."""
    named: set[str] = set()
    for raw in raw_panels:
        named.update(text for _, name, title, *_ in raw["speakers"] for text in (name, title))
        named.update(name for _, name, *_ in raw["topics"])
    ordered = sorted(named)
    return {text: known[text] for text in ordered if text in known} | \
        names_pinyin([text for text in ordered if text not in known])


def _present(part: Part | None) -> Part:
    if part is None:
        raise OSError("a part of the cache was removed while the library was being merged")
    return part


def _part(folder: Path, key: str) -> Part | None:
    return read_part(part_file(folder, key), key)


def _part_exists(folder: Path, key: str) -> bool:
    return part_file(folder, key).exists()


def _check_panel_ids(raw_panels: Sequence[dict[str, Any]]) -> None:
    first_file: dict[str, str] = {}
    problems = []
    for raw in raw_panels:
        pid, path = raw["panel"][0], raw["path"]
        if pid in first_file:
            problems.append(Problem(path, None, f"panel id {pid!r} is already used by {first_file[pid]}"))
        else:
            first_file[pid] = path
    if problems:
        raise DataError(problems)


def _assemble(folder: Path, lines: list[str], keys: list[str], kept: list[int],
              earlier: Mapped | None) -> dict[str, Any]:
    """The merged library's panels and quote columns, each panel's taken from the earlier
    library when it had it (neighbours together, the texts copied file to file), else from
    its part."""
    import numpy as np

    pieces: dict[str, list[Any]] = {name: [] for name in (*(f"{t}.at" for t in _TEXTS), "speaker", "topic", "start")}
    shift = dict.fromkeys(_TEXTS, 0)
    speaker_count, topic_count, sizes = array("I"), array("I"), []
    speakers_before = topics_before = 0
    if earlier is not None:
        old_first = np.frombuffer(earlier["first"], dtype=np.int64)
        old_speakers = np.concatenate([[0], np.cumsum(np.frombuffer(earlier["speaker_count"], dtype=np.uint32))])
        old_topics = np.concatenate([[0], np.cumsum(np.frombuffer(earlier["topic_count"], dtype=np.uint32))])
        old_texts = {name: _texts(earlier, name) for name in _TEXTS}
        old_starts = {name: np.frombuffer(earlier[f"{name}.at"], dtype=np.int64) for name in _TEXTS}
        old_speaker, old_topic = np.frombuffer(earlier["speaker"], dtype=np.int32), np.frombuffer(earlier["topic"], dtype=np.int32)
    for key, at in zip(keys, kept, strict=True):
        if at >= 0 and earlier is not None:
            a, b = int(old_first[at]), int(old_first[at + 1])
            speakers, topics = int(earlier["speaker_count"][at]), int(earlier["topic_count"][at])
            for name in _TEXTS:
                pieces[f"{name}.at"].append(old_starts[name][a + 1:b + 1] - old_starts[name][a] + shift[name])
                shift[name] += int(old_starts[name][b] - old_starts[name][a])
            pieces["speaker"].append(old_speaker[a:b] - np.int32(old_speakers[at]) + np.int32(speakers_before))
            topic = old_topic[a:b]
            pieces["topic"].append(np.where(topic >= 0, topic - np.int32(old_topics[at]) + np.int32(topics_before), -1))
            pieces["start"].append(np.frombuffer(earlier["start"], dtype=np.float64)[a:b])
        else:
            part = _present(_part(folder, key))
            a, b = 0, part.size
            speakers, topics = len(part.quotes.speakers), len(part.quotes.topics)
            for name in _TEXTS:
                starts = np.frombuffer(part.column(name).starts_between(0, part.size), dtype=np.int64)
                pieces[f"{name}.at"].append(starts[1:] + shift[name])
                shift[name] += int(starts[-1])
            pieces["speaker"].append(np.asarray(part.quotes.speaker, dtype=np.int32) + np.int32(speakers_before))
            topic = np.asarray(part.quotes.topic, dtype=np.int32)
            pieces["topic"].append(np.where(topic >= 0, topic + np.int32(topics_before), -1))
            pieces["start"].append(np.array(part.quotes.start, dtype=np.float64))
        sizes.append(b - a)
        speakers_before, topics_before = speakers_before + speakers, topics_before + topics
        speaker_count.append(speakers)
        topic_count.append(topics)

    def chunks(name: str) -> Iterator[bytes | FileRange]:
        run: list[int] = []  # earlier panels kept side by side: one copy
        for key, at in [*zip(keys, kept, strict=True), ("", -1)]:
            if at >= 0 and run and run[-1] == at - 1:
                run.append(at)
                continue
            if run:
                yield old_texts[name].stored_between(int(old_first[run[0]]), int(old_first[run[-1] + 1]))
            run = [at] if at >= 0 else []
            if at < 0 and key:
                part = _present(_part(folder, key))
                yield part.column(name).raw_between(0, part.size)[0]

    joined = {name: np.concatenate([np.zeros(0, dtype), *pieces[name]]).astype(dtype, copy=False)
              for name, dtype in (*((f"{t}.at", np.int64) for t in _TEXTS), ("speaker", np.int32), ("topic", np.int32),
                                  ("start", np.float64))}
    sections: dict[str, Any] = {"panels": "\n".join(lines).encode()}
    for name in _TEXTS:
        sections[name] = Chunks(shift[name], chunks(name))
        sections[f"{name}.at"] = np.concatenate([[0], joined[f"{name}.at"]]).astype(np.int64)
    sections |= {"speaker": joined["speaker"], "topic": joined["topic"], "start": joined["start"],
                 "panel": np.repeat(np.arange(len(sizes), dtype=np.int32), sizes),
                 "first": np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64),
                 "speaker_count": speaker_count, "topic_count": topic_count}
    return sections


def _texts(sections: Mapped, name: str) -> TextColumn:
    return TextColumn(StoredBytes(sections.file()), sections[f"{name}.at"], sections.offsets[name])


def _index_of(sections: Mapped, header: dict[str, Any]) -> IndexData:
    return IndexData(terms=header["terms"], pinyin=header["term_pinyin"], **{name: sections[name] for name in _ARRAYS})


# -- the manifest: which cache file the data's files make, known from their sizes and times --

def _code() -> str:
    return f"{FORMAT.decode()}:{__version__}:{_tokenizer_version().decode()}"


def _manifest_file(folder: Path, data: Path) -> Path:
    return folder / f"manifest-{hashlib.sha256(str(data.resolve()).encode()).hexdigest()[:16]}.json"


_last_lines: dict[str, dict[bytes, Any]] = {}  # what this process last made of each panel's JSON line


def _per_line(kind: str, lines: list[str], make: Callable[[str], T], remember: bool = True) -> list[T]:
    """`make` of each line, or what it made of the same line for the library before: a reload
    changes one panel of thousands, and the rest are not parsed again. Only the last library's
    lines are remembered (by a digest of each), and only where `remember` says this process
    will be asked again."""
    before, now = _last_lines.pop(kind, {}), {}
    made = []
    for line in lines:
        key = hashlib.blake2b(line.encode(), digest_size=16).digest()
        found = now[key] = before[key] if key in before else make(line)
        made.append(found)
    if remember:
        _last_lines[kind] = now
    return made


def warm_merge(path: Path, folder: Path) -> None:
    """What the first merge of a running bot's worker would do first, done ahead: numpy
    imported and the current library's panels parsed (the library is normally up to date, and
    only looked up)."""
    import numpy  # noqa: F401

    sections = map_sections(build_library(path, folder), FORMAT)
    _per_line("parsed", bytes(sections["panels"]).decode().split("\n"), json.loads)


def _stats(data: Path) -> list[list[Any]]:
    """Name, size and change time of every file the library is made from."""
    stats = [[str(f), s.st_size, s.st_mtime_ns] for f, s in panel_stats(data)]
    files = [WORDS_FILE, SHIPPED_SYNONYMS]
    files += [f for f in (data / "words.txt", data / "synonyms.txt") if data.is_dir() and f.exists()]
    return stats + [[str(f), (s := f.stat()).st_size, s.st_mtime_ns] for f in files]


def _known_key(folder: Path, data: Path, stats: list[list[Any]]) -> str | None:
    """The cache key the manifest names, when every file is as it was then. A file changed in
    the last seconds before the manifest was written may have changed again unseen (the same
    size within the same clock tick): then the files are read, as git does with racy entries."""
    try:
        manifest = json.loads(_manifest_file(folder, data).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("code") != _code() or manifest.get("files") != stats:
        return None
    if any(mtime >= manifest["written"] - _RACY_NS for _, _, mtime in stats):
        return None
    return str(manifest["key"])


def _settings_files(data: Path) -> int:
    """How many of `_stats`'s files, at its end, are not panel files."""
    return 2 + sum(data.is_dir() and (data / name).exists() for name in ("words.txt", "synonyms.txt"))


def _manifest_parts(folder: Path, data: Path, words_key: str) -> tuple[dict[tuple[str, int, int], str], set[str]]:
    """The part key of each panel file the manifest knows, by its name, size and change time
    (none of files changed too close to the manifest's writing to be sure of); and the names
    of all the files it knows."""
    try:
        manifest = json.loads(_manifest_file(folder, data).read_text(encoding="utf-8"))
        if manifest.get("code") != _code() or manifest.get("words") != words_key:
            return {}, set()
        racy = manifest["written"] - _RACY_NS
        return ({(name, size, mtime): key for (name, size, mtime), key in zip(manifest["files"], manifest["parts"])
                 if mtime < racy}, {name for name, _, _ in manifest["files"]})
    except (OSError, ValueError, KeyError, TypeError):
        return {}, set()


def _write_manifest(folder: Path, data: Path, stats: list[list[Any]], key: str, words_key: str,
                    parts: list[str]) -> None:
    manifest = {"code": _code(), "files": stats, "written": time.time_ns(), "key": key, "words": words_key,
                "parts": parts}
    try:
        with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".tmp-", suffix=".json", delete=False,
                                         encoding="utf-8") as out:
            out.write(json.dumps(manifest, ensure_ascii=False))  # dump() streams through closures: cyclic garbage
        os.replace(out.name, _manifest_file(folder, data))
    except OSError as error:
        logger.info("not writing the cache manifest in %s: %s", folder, error)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _forget_stale_parts(folder: Path) -> None:
    """Delete the parts no manifest names that have not been used for an hour (another data
    folder's parts, or panels long changed)."""
    named: set[str] = set()
    try:
        for manifest in folder.glob("manifest-*.json"):
            named.update(json.loads(manifest.read_text(encoding="utf-8")).get("parts", []))
        limit = time.time() - _STALE_PARTS_SECONDS
        for part in (folder / "parts").glob("part-*.bin"):
            if part.stem.removeprefix("part-") not in named and part.stat().st_mtime < limit:
                part.unlink(missing_ok=True)
    except (OSError, ValueError) as error:
        logger.info("not cleaning the cache in %s: %s", folder, error)


# -- opening a stored library ---------------------------------------------------------------

def _read_cache(file: Path) -> Library | None:
    try:
        sections = map_sections(file, FORMAT)
        header = json.loads(bytes(sections["header"]))
        stored = StoredBytes(sections.file())
        small = sum(len(sections[name]) for name in _SHOWN) <= _HELD_BYTES
        texts = {name: TextColumn(bytes(sections[name]), sections[f"{name}.at"]) if small and name in _SHOWN
                 else TextColumn(stored, sections[f"{name}.at"], sections.offsets[name]) for name in _TEXTS}
        columns = [sections[name] for name in ("speaker", "topic", "panel", "start", "first")]
        if not len(texts["texts"]) == len(texts["ids"]) == len(columns[0]) == len(sections["doc_len"]):
            raise ValueError("the columns do not match")
        panels, speakers, topics = _objects(bytes(sections["panels"]).decode().split("\n"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("ignoring unreadable cache %s: %s", file, error)
        return None
    quotes = QuoteColumns(panels, speakers, topics, texts["ids"], texts["texts"], texts["glosses"], *columns)
    synonyms = {word: tuple(others) for word, others in header["synonyms"].items()}
    return Library(quotes, _index_of(sections, header), header["pinyin"], synonyms)


def _objects(lines: list[str]) -> tuple[list[Panel], list[Speaker], list[Topic]]:
    """Panels, speakers and topics, a JSON line a panel. Equal strings (a title, a question, a
    role that many panels repeat) are kept once."""
    once: dict[Any, Any] = {}
    panels, speakers, topics = [], [], []
    for panel, panel_speakers, panel_topics in _per_line(
            "objects", lines, lambda line: panel_objects(json.loads(line), once.setdefault)):
        panels.append(panel)
        speakers += panel_speakers
        topics += panel_topics
    return panels, speakers, topics
