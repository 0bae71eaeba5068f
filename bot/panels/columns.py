"""A library's quotes as columns: numbers in arrays, texts end to end in one buffer.

A quote object is made only when one is asked for, so 100,000 quotes cost a few arrays and
buffers (mapped from the cache file when there is one, read page by page as searches touch
them), not 100,000 objects and their strings.
"""

from __future__ import annotations

import bisect
import math
import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO, overload

from ..models import Panel, Quote, Speaker, Topic
from .sections import FileRange

_SCAN = 1 << 22  # bytes of a stored column a scan reads at a time
KEPT_QUOTES = 20_000  # a library this small keeps each quote once made (a few megabytes at most)


class StoredBytes:
    """Bytes of a file read when asked for, with `pread`: unlike a map, reading a quote here
    and there leaves nothing of the file in the process's memory (a mapped page-cache folio
    can be hundreds of kilobytes, mapped whole for one byte)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file  # kept open as long as a column reads from it
        self._fd = file.fileno()

    def __getitem__(self, span: slice) -> bytes:
        return os.pread(self._fd, span.stop - span.start, span.start)

    def fileno(self) -> int:
        return self._fd


Buffer = bytes | StoredBytes


class TextColumn(Sequence[str]):
    """Texts stored end to end as UTF-8; text i is bytes [starts[i], starts[i+1]) after `base`."""

    __slots__ = ("_base", "_buffer", "_starts")

    def __init__(self, buffer: Buffer, starts: Sequence[int], base: int = 0) -> None:
        self._buffer, self._starts, self._base = buffer, starts, base

    @classmethod
    def of(cls, texts: Iterable[str]) -> TextColumn:
        starts, parts, at = array("q", [0]), [], 0
        for text in texts:
            raw = text.encode()
            parts.append(raw)
            at += len(raw)
            starts.append(at)
        return cls(b"".join(parts), starts)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, doc: int) -> str: ...
    @overload
    def __getitem__(self, doc: slice) -> list[str]: ...

    def __getitem__(self, doc: int | slice) -> str | list[str]:
        if isinstance(doc, slice):
            return [self[n] for n in range(*doc.indices(len(self)))]
        if doc < 0:
            doc += len(self)
        if not 0 <= doc < len(self):
            raise IndexError(doc)
        return self._buffer[self._base + self._starts[doc]:self._base + self._starts[doc + 1]].decode()

    def __iter__(self) -> Iterator[str]:
        return (self[n] for n in range(len(self)))

    def between(self, first: int, end: int) -> list[str]:
        """Texts [first, end), read in one go."""
        starts, base = self._starts, self._base
        raw = self._buffer[base + starts[first]:base + starts[end]]
        at = starts[first]
        return [raw[starts[n] - at:starts[n + 1] - at].decode() for n in range(first, end)]

    def raw_between(self, first: int, end: int) -> tuple[bytes, array[int]]:
        """The UTF-8 bytes of texts [first, end), and where each starts in them (and the end)."""
        starts, base = self._starts, self._base
        at = starts[first]
        return self._buffer[base + at:base + starts[end]], array("q", (starts[n] - at for n in range(first, end + 1)))

    def stored_between(self, first: int, end: int) -> bytes | FileRange:
        """The UTF-8 bytes of texts [first, end): where they are in a file, when they are in one."""
        starts, base = self._starts, self._base
        if isinstance(self._buffer, StoredBytes):
            return FileRange(self._buffer.fileno(), base + starts[first], starts[end] - starts[first])
        return self._buffer[base + starts[first]:base + starts[end]]

    def starts_between(self, first: int, end: int) -> array[int]:
        """Where each of texts [first, end) starts, and where the last ends, from 0."""
        starts = self._starts
        at = starts[first]
        return array("q", (starts[n] - at for n in range(first, end + 1)))

    def raw(self) -> tuple[bytes, array[int]]:
        """The UTF-8 bytes and the start of each text in them, as stored."""
        starts = self._starts
        return self._buffer[self._base:self._base + starts[-1]], array("q", starts)

    def containing(self, needle: str) -> list[int]:
        """The texts that hold `needle`, in order: runs of whole texts a few megabytes long
        read at a time and searched as bytes (UTF-8 never matches inside another character)."""
        raw, starts, base, found = needle.encode(), self._starts, self._base, []
        if not raw:
            return list(range(len(self)))
        first, count = 0, len(self)
        while first < count:
            end = min(max(bisect.bisect_right(starts, starts[first] + _SCAN, first + 1), first + 1), count)
            offset = starts[first]
            chunk = self._buffer[base + offset:base + starts[end]]
            at = chunk.find(raw)
            while at >= 0:
                doc = bisect.bisect_right(starts, offset + at, first, end + 1) - 1
                if offset + at + len(raw) <= starts[doc + 1]:
                    found.append(doc)
                    at = chunk.find(raw, starts[doc + 1] - offset)
                else:
                    at = chunk.find(raw, at + 1)  # across two texts' ends: no match
            first = end
        return found


class QuoteColumns(Sequence[Quote]):
    """The quotes of a library, made when read. `speaker[i]` and `topic[i]` (-1 for none) are
    positions in `speakers` and `topics`; `first[p]` is panel p's first quote."""

    def __init__(self, panels: Sequence[Panel], speakers: Sequence[Speaker], topics: Sequence[Topic],
                 ids: TextColumn, texts: TextColumn, glosses: TextColumn, speaker: Sequence[int],
                 topic: Sequence[int], panel: Sequence[int], start: Sequence[float],
                 first: Sequence[int] | None = None) -> None:
        self.panels, self.speakers, self.topics = panels, speakers, topics
        self.ids, self.texts, self.glosses = ids, texts, glosses
        self.speaker, self.topic, self.panel, self.start = speaker, topic, panel, start
        if first is None:
            counts = [0] * len(panels)
            for p in panel:
                counts[p] += 1
            first = array("q", [0])
            for count in counts:
                first.append(first[-1] + count)
        self.first = first
        self._made: dict[int, Quote] = {}  # a small library keeps the quotes it has made

    @classmethod
    def of(cls, parts: Sequence[tuple[Panel, Sequence[Speaker], Sequence[Topic], Sequence[Quote]]]) -> QuoteColumns:
        """Columns of quotes given as objects, panel by panel."""
        speakers = [s for _, panel_speakers, _, _ in parts for s in panel_speakers]
        topics = [t for _, _, panel_topics, _ in parts for t in panel_topics]
        speaker_at = {(s.panel, s.id): n for n, s in enumerate(speakers)}
        topic_at = {(t.panel, t.id): n for n, t in enumerate(topics)}
        quotes = [(n, q) for n, (_, _, _, panel_quotes) in enumerate(parts) for q in panel_quotes]
        return cls([p for p, _, _, _ in parts], speakers, topics, TextColumn.of(q.id for _, q in quotes),
                   TextColumn.of(q.text for _, q in quotes), TextColumn.of(q.text_en or "" for _, q in quotes),
                   array("i", (speaker_at[(q.panel, q.speaker.id)] for _, q in quotes)),
                   array("i", (topic_at[(q.panel, q.topic.id)] if q.topic else -1 for _, q in quotes)),
                   array("i", (n for n, _ in quotes)),
                   array("d", (math.nan if q.start is None else q.start for _, q in quotes)))

    def __len__(self) -> int:
        return len(self.speaker)

    @overload
    def __getitem__(self, doc: int) -> Quote: ...
    @overload
    def __getitem__(self, doc: slice) -> list[Quote]: ...

    def __getitem__(self, doc: int | slice) -> Quote | list[Quote]:
        if isinstance(doc, slice):
            return [self[n] for n in range(*doc.indices(len(self)))]
        if doc < 0:
            doc += len(self)
        if (made := self._made.get(doc)) is not None:
            return made
        speaker, topic, start = self.speakers[self.speaker[doc]], self.topic[doc], self.start[doc]
        quote = Quote(self.ids[doc], speaker.panel, speaker, self.topics[topic] if topic >= 0 else None,
                      self.texts[doc], doc - self.first[self.panel[doc]] + 1, None if math.isnan(start) else start,
                      self.glosses[doc] or None)
        if len(self) <= KEPT_QUOTES:
            self._made[doc] = quote
        return quote

    def __iter__(self) -> Iterator[Quote]:
        return (self[n] for n in range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same quotes (a tuple, or columns stored elsewhere)."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def ref(self, doc: int) -> str:
        """`panel-id/quote-id` of quote `doc`, without making the quote."""
        return f"{self.panels[self.panel[doc]].id}/{self.ids[doc]}"

    def panel_id(self, doc: int) -> str:
        return self.panels[self.panel[doc]].id

    def doc_of(self, quote: Quote, panel: int) -> int:
        """The number of `quote`, a quote of panel number `panel`."""
        return self.first[panel] + quote.position - 1
