"""Resolving what people type (陈石, chen shi, ChenShi, 同质化) to speakers, topics and panels."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from .errors import AmbiguousValueError, UnknownValueError
from .fold import compact
from .models import Panel, Speaker, Topic


def _closest(value: str, labels: Mapping[str, str]) -> list[str]:
    """Up to three display labels whose keys look like `value`."""
    keys = difflib.get_close_matches(compact(value), list(labels), n=6, cutoff=0.4)
    return list(dict.fromkeys(labels[k] for k in keys))[:3]


def speaker_label(speaker: Speaker) -> str:
    return f"{speaker.name} ({speaker.id})"


def resolve_speaker(value: str, speakers: Iterable[Speaker], pinyin: Mapping[str, str]) -> frozenset[str]:
    """The ids of the speakers `value` names: by id, name, or pinyin with or without spaces.

    A unique part of a name (千里) is accepted too. `pinyin` maps a name to its toneless pinyin.
    """
    by_key: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for s in speakers:
        for key in {compact(s.id), compact(s.name), compact(pinyin.get(s.name, ""))} - {""}:
            by_key.setdefault(key, set()).add(s.id)
            labels[key] = speaker_label(s)
    wanted = compact(value)
    if wanted in by_key:
        return frozenset(by_key[wanted])
    partial = {sid for key, ids in by_key.items() if wanted and wanted in key for sid in ids}
    if len(partial) == 1:
        return frozenset(partial)
    if len(partial) > 1:
        raise AmbiguousValueError("speaker", value, sorted({labels[k] for k in by_key if wanted in k}))
    raise UnknownValueError("speaker", value, _closest(value, labels))


def resolve_topic(value: str, topics: Iterable[Topic]) -> frozenset[tuple[str, str]]:
    """The (panel, topic id) pairs `value` names: by id, name, or a distinctive part of the name."""
    by_key: dict[str, set[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    names: dict[tuple[str, str], str] = {}
    for t in topics:
        for key in {compact(t.id), compact(t.name)}:
            by_key.setdefault(key, set()).add((t.panel, t.id))
            labels[key] = t.name
        names[(t.panel, t.id)] = t.name
    wanted = compact(value)
    if wanted in by_key:
        return frozenset(by_key[wanted])
    partial = {ref for ref, name in names.items() if wanted and wanted in compact(name)}
    if partial and len({names[r] for r in partial}) == 1:
        return frozenset(partial)
    if partial:
        raise AmbiguousValueError("topic", value, sorted({names[r] for r in partial}))
    raise UnknownValueError("topic", value, _closest(value, labels))


def resolve_panel(value: str, panels: Iterable[Panel]) -> str:
    """The id of the panel `value` names, by id or title."""
    labels: dict[str, str] = {}
    for p in panels:
        labels[compact(p.id)] = p.id
        labels[compact(p.title)] = p.id
    wanted = compact(value)
    if wanted in labels:
        return labels[wanted]
    raise UnknownValueError("panel", value, _closest(value, labels))
