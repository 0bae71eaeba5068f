"""The quote library: the one boundary adapters call to search, pick and explain quotes."""

from __future__ import annotations

import datetime as dt
import difflib
import random as random_module
from collections.abc import Callable, Mapping, Sequence

from . import digest as digest_module
from . import names
from .errors import AmbiguousValueError, QueryError, UnknownValueError
from .fold import fold
from .index import Index
from .loader import PanelData
from .models import Context, Hit, Panel, Quote, Speaker, Topic

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100


class Library:
    """Every loaded panel, searchable. Build one with `load_library`.

    Example:
        >>> library = load_library()  # doctest: +SKIP
        >>> library.search("算力", speaker="chen shi")[0].quote.speaker.name  # doctest: +SKIP
        '陈石'
    """

    def __init__(self, panels: Sequence[PanelData], index: Index, pinyin: Mapping[str, str]) -> None:
        self.panels: tuple[Panel, ...] = tuple(p.panel for p in panels)
        self.speakers: tuple[Speaker, ...] = tuple(s for p in panels for s in p.speakers)
        self.topics: tuple[Topic, ...] = tuple(t for p in panels for t in p.topics)
        self.quotes: tuple[Quote, ...] = tuple(q for p in panels for q in p.quotes)
        self._index = index
        self._pinyin = dict(pinyin)
        self._by_ref = {q.ref: i for i, q in enumerate(self.quotes)}
        self._by_id: dict[str, list[int]] = {}
        self._docs_of: dict[object, list[int]] = {}
        for doc, quote in enumerate(self.quotes):
            self._by_id.setdefault(quote.id, []).append(doc)
            for key in self._filter_keys(quote):
                self._docs_of.setdefault(key, []).append(doc)
        self._panel_of = {p.id: p for p in self.panels}

    @staticmethod
    def _filter_keys(quote: Quote) -> list[object]:
        keys: list[object] = [("speaker", quote.speaker.id), ("panel", quote.panel)]
        if quote.topic:
            keys.append(("topic", (quote.panel, quote.topic.id)))
        if not quote.speaker.is_moderator:
            keys.append("answers")
        return keys

    def panel(self, panel_id: str) -> Panel:
        return self._panel_of[panel_id]

    # -- filters ---------------------------------------------------------------------------

    def _candidates(self, speaker: str | None, topic: str | None, panel: str | None) -> tuple[list[int], Callable[[int], bool]]:
        """The documents the filters allow (smallest precomputed list) and a test for each."""
        sets: list[list[int]] = []
        checks: list[Callable[[int], bool]] = []
        quotes = self.quotes
        if speaker is not None:
            ids = names.resolve_speaker(speaker, self.speakers, self._pinyin)
            sets.append(sorted(d for sid in ids for d in self._docs_of.get(("speaker", sid), [])))
            checks.append(lambda d: quotes[d].speaker.id in ids)
        else:  # the moderator's questions are not quotes, unless asked for by speaker
            sets.append(self._docs_of.get("answers", []))
            checks.append(lambda d: not quotes[d].speaker.is_moderator)
        if topic is not None:
            refs = names.resolve_topic(topic, self.topics)
            sets.append(sorted(d for ref in refs for d in self._docs_of.get(("topic", ref), [])))
            checks.append(lambda d: (t := quotes[d].topic) is not None and (t.panel, t.id) in refs)
        if panel is not None:
            panel_id = names.resolve_panel(panel, self.panels)
            sets.append(self._docs_of.get(("panel", panel_id), []))
            checks.append(lambda d: quotes[d].panel == panel_id)
        smallest = min(sets, key=len)
        if len(checks) == 1:
            return smallest, checks[0]
        return [d for d in smallest if all(c(d) for c in checks)], lambda d: all(c(d) for c in checks)

    # -- the contract ------------------------------------------------------------------------

    def search(self, query: str = "", *, speaker: str | None = None, topic: str | None = None,
               panel: str | None = None, limit: int = 5) -> list[Hit]:
        """The quotes best matching `query`, best first; filters narrow them.

        Several words rank quotes that have all of them first. With no words, the filtered
        quotes come in the order they were said. Unknown filter values raise
        UnknownValueError with the closest known names.
        """
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"the search is {len(query)} characters long; at most {MAX_QUERY_CHARS}")
        among, allowed = self._candidates(speaker, topic, panel)
        pieces = self._index.pieces(fold(query)) if query.strip() else []
        if not pieces:
            if query.strip():
                return []  # nothing in the query can match: punctuation or emoji only
            return [Hit(self.quotes[d], 0.0) for d in among[:limit]]
        found = self._index.search(pieces, limit, allowed, among)
        return [Hit(self.quotes[d], round(score, 4), tuple(spans)) for d, score, spans in found]

    def random(self, query: str = "", *, speaker: str | None = None, topic: str | None = None,
               panel: str | None = None, rng: random_module.Random | None = None) -> Quote | None:
        """A random quote among those the query and filters match; None when none does."""
        rng = rng or random_module.Random()
        if query.strip():
            hits = self.search(query, speaker=speaker, topic=topic, panel=panel, limit=MAX_LIMIT)
            return rng.choice(hits).quote if hits else None
        among, _ = self._candidates(speaker, topic, panel)
        return self.quotes[rng.choice(among)] if among else None

    def digest(self, channel: str, day: dt.date, *, speaker: str | None = None, topic: str | None = None,
               panel: str | None = None) -> Quote | None:
        """The quote of the day for `channel`: the same in every process, no repeats in a cycle."""
        among, _ = self._candidates(speaker, topic, panel)
        if not among:
            return None
        ref = digest_module.pick(channel, day, [self.quotes[d].ref for d in among])
        return self.quotes[self._by_ref[ref]]

    def quote(self, ref: str) -> Quote:
        """The quote named `panel/quote-id`, or by its bare id when only one panel has it."""
        if ref in self._by_ref:
            return self.quotes[self._by_ref[ref]]
        docs = self._by_id.get(ref, [])
        if len(docs) == 1:
            return self.quotes[docs[0]]
        if docs:
            raise AmbiguousValueError("quote", ref, [self.quotes[d].ref for d in docs])
        raise UnknownValueError("quote", ref, difflib.get_close_matches(ref, [*self._by_ref, *self._by_id], n=3))

    def context(self, ref: str) -> Context:
        """The quote with the moderator's question it answers and the paragraphs around it."""
        quote = self.quote(ref)
        doc = self._by_ref[quote.ref]
        same_panel = [d for d in (doc - 1, doc + 1) if 0 <= d < len(self.quotes) and self.quotes[d].panel == quote.panel]
        question = None
        for d in range(doc - 1, -1, -1):
            candidate = self.quotes[d]
            if candidate.panel != quote.panel:
                break
            if candidate.speaker.is_moderator:
                question = candidate
                break
        before = tuple(self.quotes[d] for d in same_panel if d < doc)
        after = tuple(self.quotes[d] for d in same_panel if d > doc)
        return Context(quote, question, before, after)

    def quote_counts(self) -> dict[tuple[str, str], int]:
        """How many quotes each (panel, speaker id) has."""
        counts: dict[tuple[str, str], int] = {}
        for q in self.quotes:
            counts[(q.panel, q.speaker.id)] = counts.get((q.panel, q.speaker.id), 0) + 1
        return counts
