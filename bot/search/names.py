"""Resolving what people type (陈石, chen shi, ChenShi, 同质化) to speakers, topics and panels."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TypeVar

from ..errors import AmbiguousValueError, UnknownValueError
from ..models import Panel, Speaker, Topic
from .fold import compact

T = TypeVar("T")


def speaker_label(speaker: Speaker) -> str:
    return f"{speaker.name} ({speaker.id})"


class _Table:
    """Loose keys (folded, without spaces or dashes) to the things they name."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.exact: dict[str, set[object]] = {}
        self.labels: dict[str, str] = {}
        self.partial: dict[str, set[object]] = {}  # keys a part of the input may match

    def add(self, keys: Iterable[str], value: object, label: str, *, partial: Iterable[str] = ()) -> None:
        for key in set(keys) - {""}:
            self.exact.setdefault(key, set()).add(value)
            self.labels[key] = label
        for key in set(partial) - {""}:
            self.partial.setdefault(key, set()).add(value)
            self.labels.setdefault(key, label)

    def resolve(self, value: str) -> frozenset[object]:
        wanted = compact(value)
        if wanted in self.exact:
            return frozenset(self.exact[wanted])
        matches = {key: found for key, found in (self.partial or self.exact).items() if wanted and wanted in key}
        values = {v for found in matches.values() for v in found}
        if (values and len({self.labels[k] for k in matches}) == 1) or len(values) == 1:
            return frozenset(values)
        if values:
            raise AmbiguousValueError(self.kind, value, sorted({self.labels[k] for k in matches}))
        keys = difflib.get_close_matches(wanted, list(self.labels), n=6, cutoff=0.4)
        raise UnknownValueError(self.kind, value, list(dict.fromkeys(self.labels[k] for k in keys))[:3])


class Names:
    """The speakers, topics and panels of a library, ready to be looked up by what people type.

    Speakers match by id, name, or pinyin with or without spaces, or by a unique part of a
    name (千里); topics by id, name, or a distinctive part of the name (同质化); panels by id
    or title. Unknown names raise UnknownValueError with the closest known ones.
    """

    def __init__(self, speakers: Iterable[Speaker], topics: Iterable[Topic], panels: Iterable[Panel],
                 pinyin: Mapping[str, str]) -> None:
        self._speakers, self._topics, self._panels = _Table("speaker"), _Table("topic"), _Table("panel")
        for s in speakers:
            keys = [compact(s.id), compact(s.name), compact(pinyin.get(s.name, ""))]
            self._speakers.add(keys, s.id, speaker_label(s), partial=keys)
        for t in topics:
            self._topics.add([compact(t.id), compact(t.name)], (t.panel, t.id), t.name, partial=[compact(t.name)])
        for p in panels:
            self._panels.add([compact(p.id), compact(p.title)], p.id, p.id)
        self._cache: dict[tuple[str, str], frozenset[object]] = {}
        self._pinyin = dict(pinyin)

    def _lookup(self, table: _Table, value: str) -> frozenset[object]:
        key = (table.kind, value)
        if key not in self._cache:
            self._cache[key] = table.resolve(value)  # errors are not cached: they are cheap and rare
            if len(self._cache) > 4096:
                self._cache.clear()
        return self._cache[key]

    def speaker_choices(self, typed: str, speakers: Iterable[Speaker], limit: int) -> list[Speaker]:
        """Speakers matching a partial input on name, pinyin, id or title; one per id."""
        wanted = compact(typed)
        found: dict[str, Speaker] = {}
        for s in speakers:
            keys = (compact(s.name), compact(s.id), compact(self._pinyin.get(s.name, "")), compact(s.title))
            if s.id not in found and any(wanted in key for key in keys):
                found[s.id] = s
        return list(found.values())[:limit]

    def speakers(self, value: str) -> frozenset[str]:
        """The ids of the speakers `value` names (one id may speak on several panels)."""
        return self._lookup(self._speakers, value)  # type: ignore[return-value]

    def topics(self, value: str) -> frozenset[tuple[str, str]]:
        """The (panel, topic id) pairs `value` names."""
        return self._lookup(self._topics, value)  # type: ignore[return-value]

    def panel(self, value: str) -> str:
        (panel_id,) = self._lookup(self._panels, value)
        return panel_id  # type: ignore[return-value]
