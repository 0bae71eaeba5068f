"""Reading panel YAML files into validated domain values, with file:line for every problem."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import DataError, Problem
from ..models import ROLES, Panel, Quote, Source, Speaker, Topic
from .moments import is_web_url
from .yamlfile import Mapping, parse_yaml, shown

T = TypeVar("T")
logger = logging.getLogger(__name__)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PANEL_FILE_SUFFIXES = (".yaml", ".yml")
MAX_URL = 2000  # characters in a recording URL; real ones are far shorter
MAX_QUOTE = 5000  # characters in a quote: a long answer is several quotes
MAX_FIELD = 1000  # characters in a name, title, question or note
MAX_FILE_BYTES = 8 * 2**20  # a panel file, or words.txt; the shipped panel is 40 KB

_FIELDS = {
    "file": ({"panel", "speakers", "topics", "quotes"}, {"panel", "speakers", "quotes"}),
    "panel": ({"id", "title", "title_en", "event", "event_en", "date", "host", "location", "language", "source",
               "recording"}, {"id", "title"}),
    "source": ({"url", "publisher", "note"}, set()),
    "speaker": ({"id", "name", "title", "title_en", "role"}, {"id", "name", "role"}),
    "topic": ({"id", "name", "name_en", "question", "question_en"}, {"id", "name"}),
    "quote": ({"id", "speaker", "topic", "text", "text_en", "start"}, {"id", "speaker", "text"}),
}


@dataclass(frozen=True, slots=True)
class PanelData:
    """One panel file, validated: the panel and its speakers, topics and quotes in order."""

    path: str
    panel: Panel
    speakers: tuple[Speaker, ...]
    topics: tuple[Topic, ...]
    quotes: tuple[Quote, ...]


def panel_files(path: Path) -> list[Path]:
    """The panel files at `path`: the file itself, or every *.yaml below a folder, sorted.
    A folder that cannot be read or a link to nothing is a problem, never silently skipped."""
    return [file for file, _ in panel_stats(path)]


def panel_stats(path: Path) -> list[tuple[Path, os.stat_result]]:
    """`panel_files`, each with its size and change time: one look at each file."""
    if path.is_file():
        return [(path, path.stat())]
    if not path.is_dir():
        raise DataError([Problem(str(path), None, "no such file or folder")])
    problems: list[Problem] = []
    files: list[tuple[Path, os.stat_result]] = []
    folders = [str(path)]
    while folders:  # symlinked folders are not followed
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            problems.append(Problem(str(error.filename or folder), None, f"cannot read this folder: {error.strerror}"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif Path(entry.name).suffix in PANEL_FILE_SUFFIXES:
                try:
                    stat = entry.stat()
                except OSError:
                    if entry.is_symlink():
                        problems.append(Problem(entry.path, None, "is a link to a file that does not exist"))
                    continue
                if entry.is_file():
                    files.append((Path(entry.path), stat))
    if problems:
        raise DataError(problems)
    if not files:
        raise DataError([Problem(str(path), None, "no panel files (*.yaml) in this folder")])
    return sorted(files)


def read_source(file: Path, limit: int = MAX_FILE_BYTES) -> str:
    """A data file's text, or a DataError naming it (and the line of a byte that is not UTF-8).
    A file over `limit` bytes is refused before it is read."""
    try:
        size = file.stat().st_size
        if size > limit:
            raise DataError([Problem(str(file), None, f"is {size / 2**20:.1f} MB; a data file may be at most "
                                                      f"{limit / 2**20:.0f} MB (split a panel's quotes into several panels)")])
        raw = file.read_bytes()[:limit + 1]  # the file may have grown since
    except OSError as error:
        raise DataError([Problem(str(file), None, f"cannot read: {error.strerror or error}")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError([Problem(str(file), line, f"not UTF-8 (byte 0x{raw[error.start]:02x}); save the file as "
                                                  "UTF-8, or convert it: iconv -f GB18030 -t UTF-8")]) from None


class _Checker:
    """Collects every problem of one file instead of stopping at the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def mapping(self, value: Any, what: str, line: int | None) -> Mapping | None:
        if not isinstance(value, Mapping):
            self.add(line, f"{what} must be a mapping of fields, not {_kind(value)}")
            return None
        allowed, required = _FIELDS[what.split()[0]]
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.add(value.key_lines[key], f"unknown field {key!r} in {what}{hint}")
        for key in sorted(required - value.keys()):
            self.add(value.line, f"{what} has no {key!r}")
        return value

    def text(self, data: Mapping, key: str, what: str, *, required: bool = True,
             limit: int = MAX_FIELD) -> str | None:
        value = data.get(key)
        line = data.key_lines.get(key, data.line)
        if value is None:
            if required and key in data:
                self.add(line, f"{what}: {key!r} is empty")
            return None
        if not isinstance(value, str):
            self.add(line, f"{what}: {key!r} must be text, not {_kind(value)}; put it in quotes")
            return None
        value = value.strip()
        if required and not value:
            self.add(line, f"{what}: {key!r} is empty")
        if len(value) > limit:
            advice = "; split it into several quotes" if key == "text" else ""
            self.add(line, f"{what}: {key!r} is {len(value):,} characters long; at most {limit:,}{advice}")
        return value  # the file fails; kept, so that what refers to it is not reported as well

    def reference(self, data: Mapping, key: str, known: dict[str, T], what: str, *, required: bool = True) -> T | None:
        """The speaker or topic that `data[key]` names, reporting an unknown id."""
        ident = self.text(data, key, what, required=required)
        if ident and ident not in known:
            self.add(data.key_lines[key], f"{what} names unknown {key} {ident!r}" + _closest(ident, known))
        return known.get(ident or "")

    def url(self, data: Mapping, key: str, what: str) -> str | None:
        """An optional http(s) URL: printable, no spaces, at most MAX_URL characters."""
        value = self.text(data, key, what, required=False, limit=MAX_URL)
        if not value or len(value) > MAX_URL:
            return None
        line = data.key_lines[key]
        if not is_web_url(value):
            self.add(line, f"{what}: {key!r} must be an http or https URL with no spaces, not {value!r}")
            return None
        return value

    def seconds(self, data: Mapping, key: str, what: str) -> float | None:
        """An optional time in a recording: a finite int or float of 0 or more, as a float."""
        value = data.get(key)
        if value is None:
            return None
        seconds = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            with contextlib.suppress(OverflowError):  # an int too big for a float stays None
                seconds = float(value)
        if seconds is None or not math.isfinite(seconds) or seconds < 0:
            self.add(data.key_lines[key], f"{what}: {key!r} must be seconds from the start of the recording "
                                          f"(a number of 0 or more), not {_kind(value)}")
            return None
        return seconds

    def slug(self, data: Mapping, what: str) -> str | None:
        value = self.text(data, "id", what)
        if value and not SLUG.match(value):
            self.add(data.key_lines["id"], f"{what}: id {value!r} must be a slug of a-z, 0-9 and dashes")
            return None
        return value

    def entries(self, data: Mapping, key: str, kind: str) -> Iterator[tuple[Mapping, str | None, bool]]:
        """Each mapping in the list `key`, its id, and whether that id is valid and new."""
        seen: dict[str, int] = {}
        for item, line in self.items(data, key):
            raw = self.mapping(item, kind, line)
            if raw is not None:
                ident = self.slug(raw, kind)
                yield raw, ident, ident is not None and _unique(self, seen, ident, kind, line)

    def items(self, data: Mapping, key: str) -> list[tuple[Any, int]]:
        value = data.get(key)
        line = data.key_lines.get(key, data.line)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(line, f"{key!r} must be a list, not {_kind(value)}")
            return []
        # Items that are not mappings have no line of their own; the list's line is the best.
        return [(item, getattr(item, "line", line)) for item in value]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dt.date, int, float)):
        return f"the {type(value).__name__} {shown(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return shown(value)


def _panel(check: _Checker, data: Mapping) -> Panel | None:
    meta = check.mapping(data.get("panel"), "panel", data.key_lines.get("panel", data.line))
    if meta is None:
        return None
    panel_id = check.slug(meta, "panel")
    title = check.text(meta, "title", "panel")
    date = meta.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            check.add(meta.key_lines["date"], f"panel: date {date!r} must be YYYY-MM-DD")
            date = None
    elif (date is not None and not isinstance(date, dt.date)) or isinstance(date, dt.datetime):
        check.add(meta.key_lines["date"], f"panel: date must be YYYY-MM-DD, not {_kind(date)}")
        date = None
    source = Source()
    if meta.get("source") is not None:
        raw = check.mapping(meta["source"], "source", meta.key_lines["source"])
        if raw is not None:
            source = Source(*(check.text(raw, k, "source", required=False) for k in ("url", "publisher", "note")))
    optional = {k: check.text(meta, k, "panel", required=False)
                for k in ("event", "host", "location", "language", "title_en", "event_en")}
    recording = check.url(meta, "recording", "panel")
    if panel_id is None or title is None:
        return None
    return Panel(panel_id, title, optional["event"] or "", date, optional["host"], optional["location"],
                 optional["language"], source, recording, optional["title_en"] or None, optional["event_en"] or None)


def _unique(check: _Checker, seen: dict[str, int], value: str | None, what: str, line: int) -> bool:
    if value is None:
        return False
    if value in seen:
        check.add(line, f"{what} id {value!r} is used twice (first at line {seen[value]})")
        return False
    seen[value] = line
    return True


def read_panel(path: str, text: str) -> PanelData:
    """Validate one panel file's text; raise DataError listing every problem in it."""
    document, problems = parse_yaml(path, text)
    if document is None and problems:
        raise DataError(problems)
    check = _Checker(path)
    check.problems.extend(problems)
    data = check.mapping(document, "file", 1) if document is not None else None
    if data is None:
        if document is None:
            check.add(None, "the file is empty")
        raise DataError(check.problems)
    panel = _panel(check, data)
    panel_id = panel.id if panel else "?"

    speakers: dict[str, Speaker] = {}
    for raw, sid, usable in check.entries(data, "speakers", "speaker"):
        name = check.text(raw, "name", f"speaker {sid}")
        title = check.text(raw, "title", f"speaker {sid}", required=False) or ""
        title_en = check.text(raw, "title_en", f"speaker {sid}", required=False) or None
        role = check.text(raw, "role", f"speaker {sid}")
        if role is not None and role not in ROLES:
            check.add(raw.key_lines["role"], f"speaker {sid}: role must be moderator or panelist, not {role!r}")
        elif usable and sid and name and role:
            speakers[sid] = Speaker(sid, name, title, role, panel_id, title_en)

    topics: dict[str, Topic] = {}
    for raw, tid, usable in check.entries(data, "topics", "topic"):
        name = check.text(raw, "name", f"topic {tid}")
        question = check.text(raw, "question", f"topic {tid}", required=False)
        name_en, question_en = (check.text(raw, k, f"topic {tid}", required=False) for k in ("name_en", "question_en"))
        if usable and tid and name:
            topics[tid] = Topic(tid, name, question or None, panel_id, name_en or None, question_en or None)

    quotes: list[Quote] = []
    for raw, qid, usable in check.entries(data, "quotes", "quote"):
        said = check.text(raw, "text", f"quote {qid}", limit=MAX_QUOTE)
        gloss = check.text(raw, "text_en", f"quote {qid}", required=False, limit=MAX_QUOTE * 3)
        speaker = check.reference(raw, "speaker", speakers, f"quote {qid}")
        topic = check.reference(raw, "topic", topics, f"quote {qid}", required=False)
        start = check.seconds(raw, "start", f"quote {qid}")
        if usable and qid and said and speaker and (topic or not raw.get("topic")):
            quotes.append(Quote(qid, panel_id, speaker, topic, said, len(quotes) + 1, start, gloss or None))
    if not quotes and not check.problems:
        check.add(data.line, "the panel has no quotes")
    if check.problems:
        raise DataError(check.problems)
    assert panel is not None
    return PanelData(path, panel, tuple(speakers.values()), tuple(topics.values()), tuple(quotes))


def _closest(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
