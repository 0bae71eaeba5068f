"""Resolving what people type (陈石, chen shi, 峰瑞, 同质化, 泡沫) to speakers, topics and panels."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from ..errors import AmbiguousValueError, UnknownValueError
from ..models import Panel, Speaker, Topic
from .fold import compact
from .nearest import nearest
from .tokenizer import HAN

SUGGESTED = 3  # names an unknown one is answered with
_MIN_HAN, _MIN_LATIN = 2, 5  # the shortest start of a title that names its speaker: 峰瑞, fengrui


def speaker_label(speaker: Speaker) -> str:
    return f"{speaker.name} ({speaker.id})"


def both_scripts(name: str, pinyin: Mapping[str, str]) -> str:
    """A name as an unknown one is answered with: 陈石 (chen shi), so either script is read."""
    return f"{name} ({pinyin[name]})" if name in pinyin else name


class _Table:
    """Loose keys (folded, without spaces or dashes) to the things they name, in tiers: a key
    equal to what was typed, then a part of a name, then a part of what surrounds it (a
    speaker's title, a topic's question)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.exact: dict[str, set[object]] = {}
        self.labels: dict[object, str] = {}  # what an ambiguity lists
        self.shown: dict[object, str] = {}  # what a suggestion shows, in both scripts
        self.tiers: tuple[dict[str, set[object]], ...] = ({}, {})  # partial keys, then surrounding words

    def add(self, value: object, label: str, shown: str, keys: Iterable[str], *, partial: Iterable[str] = (),
            around: Iterable[str] = ()) -> None:
        self.labels[value], self.shown[value] = label, shown
        for table, found in ((self.exact, keys), (self.tiers[0], partial), (self.tiers[1], around)):
            for key in set(found) - {""}:
                table.setdefault(key, set()).add(value)

    def resolve(self, value: str) -> frozenset[object]:
        wanted = compact(value)
        if wanted in self.exact:
            return frozenset(self.exact[wanted])
        for tier in self.tiers:
            values = {v for key, found in tier.items() if wanted and wanted in key for v in found}
            if len(values) == 1 or (values and len({self.labels[v] for v in values}) == 1):
                return frozenset(values)
            if values:
                raise AmbiguousValueError(self.kind, value, sorted({self.labels[v] for v in values}))
        raise UnknownValueError(self.kind, value, self.closest(wanted))

    def closest(self, wanted: str) -> list[str]:
        """The known names nearest to what was typed, always some: by spelling, in either script."""
        keys = {key: found for key, found in [*self.exact.items(), *self.tiers[0].items()]}
        near = nearest(wanted, keys, n=SUGGESTED * 4, cutoff=0.5) or nearest(wanted, keys, n=SUGGESTED * 4, cutoff=0.0)
        names = dict.fromkeys(self.shown[v] for key in near for v in sorted(keys[key], key=str))
        return list(names)[:SUGGESTED]


class Names:
    """The speakers, topics and panels of a library, ready to be looked up by what people type.

    Speakers match by id, name, or pinyin with or without spaces, by a unique part of a name
    (千里), and then by a unique part of their title or its pinyin (峰瑞, fengrui); topics by
    id, name, pinyin or a distinctive part of the name (同质化), then by a word of their
    question (泡沫); panels by id or title. Unknown names raise UnknownValueError with the
    closest known ones, in both scripts.
    """

    def __init__(self, speakers: Iterable[Speaker], topics: Iterable[Topic], panels: Iterable[Panel],
                 pinyin: Mapping[str, str]) -> None:
        self._pinyin = dict(pinyin)
        self._given = (tuple(speakers), tuple(topics), tuple(panels))  # each table is made on first use
        self._cache: dict[tuple[str, str], frozenset[object]] = {}
        self._named: dict[str, tuple[frozenset[str], bool]] = {}  # what `named` said of words typed before

    @functools.cached_property
    def _speakers(self) -> _Table:
        table, pinyin = _Table("speaker"), self._pinyin
        added: set[tuple[str, str, str, str | None]] = set()
        for s in self._given[0]:
            if (s.id, s.name, s.title, s.title_en) in added:  # the same speaker on another panel: the same keys
                continue
            added.add((s.id, s.name, s.title, s.title_en))
            keys = [compact(s.id), compact(s.name), compact(pinyin.get(s.name, ""))]
            title = [compact(s.title), compact(pinyin.get(s.title, "")), compact(s.title_en or "")]
            table.add(s.id, speaker_label(s), both_scripts(s.name, pinyin), keys, partial=keys, around=title)
        return table

    @functools.cached_property
    def _titles(self) -> dict[str, set[str]]:
        """The starts of titles (where company names go) to speaker ids."""
        titles: dict[str, set[str]] = {}
        for key, ids in self._speakers.tiers[1].items():
            titles.setdefault(key, set()).update(ids)  # type: ignore[arg-type]
        return titles

    @functools.cached_property
    def _topics(self) -> _Table:
        table, pinyin = _Table("topic"), self._pinyin
        for t in self._given[1]:
            keys = [compact(t.id), compact(t.name), compact(pinyin.get(t.name, "")), compact(t.name_en or "")]
            shown = both_scripts(t.name, pinyin) + (f" · {t.name_en}" if t.name_en else "")
            table.add((t.panel, t.id), t.name, shown, keys, partial=keys[1:],
                      around=[compact(t.question or ""), compact(t.question_en or "")])
        return table

    @functools.cached_property
    def _panels(self) -> _Table:
        table = _Table("panel")
        for p in self._given[2]:
            keys = [compact(p.id), compact(p.title), compact(p.title_en or "")]
            table.add(p.id, p.id, f"{p.id} ({p.title})", keys, partial=keys)
        return table

    def warm(self) -> None:
        """Build every table now (they are built on first use otherwise)."""
        for table in (self._speakers, self._titles, self._topics, self._panels):
            assert table is not None

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
            keys = (compact(s.name), compact(s.id), compact(self._pinyin.get(s.name, "")), compact(s.title),
                    compact(self._pinyin.get(s.title, "")))
            if s.id not in found and any(wanted in key for key in keys):
                found[s.id] = s
        return list(found.values())[:limit]

    def named(self, words: str) -> tuple[frozenset[str], bool]:
        """The speaker ids that words typed as a search name, and whether outright: a name, its
        pinyin or an id name outright; the start of one speaker's title (峰瑞, 华院, fengrui:
        where a company goes) names them only when no quote says the words themselves (the
        caller knows). Anything else names nobody: 投资, a word inside a title, is a word."""
        if (known := self._named.get(words)) is not None:
            return known
        if len(self._named) > 4096:
            self._named.clear()
        wanted = compact(words)
        ids: set[str] = set(self._speakers.exact.get(wanted, ()))  # type: ignore[arg-type]
        outright = bool(ids)
        if not ids and len(wanted) >= (_MIN_HAN if HAN.search(wanted) else _MIN_LATIN):
            ids = {i for key, found in self._titles.items() if key.startswith(wanted) for i in found}
            ids = ids if len(ids) == 1 else set()
        found = self._named[words] = (frozenset(ids), outright)
        return found

    def speakers(self, value: str) -> frozenset[str]:
        """The ids of the speakers `value` names (one id may speak on several panels)."""
        return self._lookup(self._speakers, value)  # type: ignore[return-value]

    def topics(self, value: str) -> frozenset[tuple[str, str]]:
        """The (panel, topic id) pairs `value` names."""
        return self._lookup(self._topics, value)  # type: ignore[return-value]

    def panel(self, value: str) -> str:
        (panel_id,) = self._lookup(self._panels, value)
        return panel_id  # type: ignore[return-value]
