"""The quote library: the one boundary adapters call to search, pick and explain quotes."""

from __future__ import annotations

import datetime as dt
import functools
import random as random_module
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from .digest import pick as digest_module
from .errors import AmbiguousValueError, QueryError, UnknownValueError
from .models import EVERYTHING, Context, Hit, Panel, Query, Quote, Speaker, Topic
from .panels.columns import QuoteColumns
from .search.fold import compact, fold, fold_query
from .search.index import IndexData
from .search.names import Names
from .search.nearest import nearest
from .search.ranking import Searcher, lazy_numpy
from .search.segment import Piece
from .search.surroundings import Surroundings

if TYPE_CHECKING:
    import numpy

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MAX_PIECES = 32
_MASKS = 64


class Library:
    """Every loaded panel, searchable. Build one with `load_library`.

    Example:
        >>> library = load_library()  # doctest: +SKIP
        >>> library.search(Query("算力", speaker="chen shi"))[0].quote.speaker.name  # doctest: +SKIP
        '陈石'
    """

    def __init__(self, quotes: QuoteColumns, index: IndexData, pinyin: Mapping[str, str],
                 synonyms: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.panels: tuple[Panel, ...] = tuple(quotes.panels)
        self.speakers: tuple[Speaker, ...] = tuple(quotes.speakers)
        self.topics: tuple[Topic, ...] = tuple(quotes.topics)
        self.quotes: QuoteColumns = quotes
        self._searcher = Searcher(index, quotes.texts, synonyms or {})
        self._names = Names(self.speakers, self.topics, self.panels, pinyin)
        self._surroundings = Surroundings(self.topics, self.speakers)
        self._surrounded: OrderedDict[tuple[Piece, ...], dict[int, str]] = OrderedDict()
        self._panel_number = {p.id: n for n, p in enumerate(self.panels)}
        # The moderator's questions are not quotes, unless asked for by speaker.
        asks = [s.is_moderator for s in self.speakers]
        self._answers = bytearray(not asks[s] for s in quotes.speaker)
        self._masks: OrderedDict[tuple[object, ...], bytearray] = OrderedDict()
        self._typed_masks: OrderedDict[tuple[str | None, ...], bytearray] = OrderedDict()  # by the filters typed

    @functools.cached_property
    def _numbers_of(self) -> dict[str, list[int]]:
        """The positions in `speakers` of each speaker id (one person in several panels)."""
        numbers: dict[str, list[int]] = {}
        for n, speaker in enumerate(self.speakers):
            numbers.setdefault(speaker.id, []).append(n)
        return numbers

    @functools.cached_property
    def _topic_number(self) -> dict[tuple[str, str], int]:
        return {(t.panel, t.id): n for n, t in enumerate(self.topics)}

    def _docs(self, key: tuple[str, object]) -> numpy.ndarray:
        """The quotes, in order, of a ("speaker", id), ("panel", id) or ("topic", (panel, id))."""
        np = lazy_numpy()
        kind, value = key
        if kind == "panel":
            panel = self._panel_number[str(value)]
            return np.arange(self.quotes.first[panel], self.quotes.first[panel + 1])
        if kind == "topic":
            column = self.quotes.topic
            numbers = [self._topic_number.get(value, -2)] if isinstance(value, tuple) else []
        else:
            column, numbers = self.quotes.speaker, self._numbers_of.get(str(value), [])
        return np.flatnonzero(np.isin(np.frombuffer(column, dtype=np.int32), numbers))

    @functools.cached_property
    def _questions(self) -> bytearray:
        """A byte per quote, 1 for a moderator's question."""
        return bytearray(1 - answer for answer in self._answers)

    def warm(self) -> None:
        """Build now what searches build on first use (the name tables, the filters' lookups):
        a library reloaded beside a running bot is made ready before it takes over, so the
        first search after it does not stop the others."""
        self._names.warm()
        self._surroundings.folded()
        for ready in (self._numbers_of, self._topic_number, self._questions):
            assert ready is not None

    def refresh(self, newer: Library) -> None:
        """Take over `newer`'s panels and index, so that every front end holding this object
        serves them from the next command on: how data is reloaded without a restart."""
        for name in self.__dict__.keys() | newer.__dict__.keys():
            setattr(self, name, getattr(newer, name))

    def panel(self, panel_id: str) -> Panel:
        return self.panels[self._panel_number[panel_id]]

    # -- filters ---------------------------------------------------------------------------

    def _allowed(self, query: Query) -> bytearray:
        """A byte per quote, 1 where the query's filters allow it; unknown names raise with suggestions."""
        speaker, topic, panel = query.speaker, query.topic, query.panel
        if speaker is None and topic is None and panel is None:
            return self._answers
        if (typed := self._typed_masks.get((speaker, topic, panel))) is not None:
            return typed  # the same filters as typed before: a topic that 2,500 panels share resolves once
        wanted: list[list[tuple[str, object]]] = []
        if speaker is not None:
            wanted.append([("speaker", s) for s in sorted(self._names.speakers(speaker))])
        if topic is not None:
            wanted.append([("topic", t) for t in sorted(self._names.topics(topic))])
        if panel is not None:
            wanted.append([("panel", self._names.panel(panel))])
        if not wanted:
            return self._answers
        key = tuple(tuple(group) for group in wanted)
        if (mask := self._masks.get(key)) is None:
            np = lazy_numpy()
            combined = np.ones(len(self.quotes), dtype=bool) if speaker is not None else \
                np.frombuffer(self._answers, dtype=bool).copy()
            for group in wanted:
                one = np.zeros(len(self.quotes), dtype=bool)
                for filter_key in group:
                    one[self._docs(filter_key)] = True
                combined &= one
            mask = self._masks[key] = bytearray(combined.tobytes())
            if len(self._masks) > _MASKS:
                self._masks.popitem(last=False)
        self._typed_masks[(speaker, topic, panel)] = mask
        if len(self._typed_masks) > _MASKS * 4:
            self._typed_masks.popitem(last=False)
        return mask

    @staticmethod
    def _first(mask: bytearray, limit: int) -> list[int]:
        docs: list[int] = []
        at = mask.find(1)
        while at >= 0 and len(docs) < limit:
            docs.append(at)
            at = mask.find(1, at + 1)
        return docs

    # -- the contract ------------------------------------------------------------------------

    def search(self, query: Query, *, limit: int = 5) -> list[Hit]:
        """The quotes best matching the query's words, best first; its filters narrow them.

        Several words rank quotes that have all of them first. With no words, the filtered
        quotes come in the order they were said. Unknown filter values raise
        UnknownValueError with the closest known names.

        >>> library.search(Query("算力", speaker="chen shi"))[0].quote.speaker.name  # doctest: +SKIP
        '陈石'
        """
        words = query.words
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if len(words) > MAX_QUERY_CHARS:
            raise QueryError(f"the search is {len(words)} characters long; at most {MAX_QUERY_CHARS}",
                             key="bad.too_long", length=len(words), most=MAX_QUERY_CHARS)
        allowed = self._allowed(query)
        named, outright = self._names.named(words) if words.strip() else (frozenset(), False)
        if named and outright:
            return self._by_and_about(named, query, limit)
        pieces = self._searcher.pieces(fold_query(words))[:MAX_PIECES] if words.strip() else []
        if named and not self._searcher.search(self._searcher.wholes(pieces)[0], 1, allowed):
            return self._by_and_about(named, query, limit)  # the start of a title no quote says: 峰瑞
        if not pieces:
            if words.strip():
                return []  # nothing in the query can match: punctuation or emoji only
            return [Hit(self.quotes[d], 0.0) for d in self._first(allowed, limit)]
        pieces, missing = self._searcher.wholes(pieces)
        found = self._searcher.search(pieces, limit, allowed)
        hits = [Hit(self.quotes[d], round(score, 4), tuple(spans), missing) for d, score, spans in found]
        if len(hits) < limit and not missing:
            hits += self._around(pieces, allowed, {d for d, _, _ in found}, limit - len(hits))
        return hits

    def _around(self, pieces: list[Piece], allowed: bytearray, taken: set[int], limit: int) -> list[Hit]:
        """After the quotes that say the words: the answers to a question that says them (a
        moderator's, best match first, or a topic's), then what a speaker whose title says them
        said; each in the order it was said."""
        found = self._surrounded.get(key := tuple(pieces))
        if found is None:
            found = self._surrounded[key] = self._surrounded_by(pieces)
            if len(self._surrounded) > _MASKS * 16:
                self._surrounded.popitem(last=False)
        chosen = [d for d in found if allowed[d] and d not in taken][:limit]
        return [Hit(self.quotes[d], 0.0, found_by=found[d]) for d in chosen]

    def _surrounded_by(self, pieces: list[Piece]) -> dict[int, str]:
        """Every quote whose question or speaker's title holds the pieces, in the order `_around`
        shows them, with which it was."""
        asked = self._searcher.search(pieces, MAX_LIMIT, self._questions)
        topics, speakers = self._surroundings.matching(self._searcher.patterns(pieces))
        found = {d: "question" for question, _, _ in asked for d in self._answers_to(question)}
        for key in topics:
            found.update((int(d), "question") for d in self._docs(("topic", key)) if d not in found)
        for panel, speaker in speakers:
            found.update((int(d), "title") for d in self._docs(("speaker", speaker))
                         if self.quotes.panel_id(d) == panel and d not in found)
        return found

    def _by_and_about(self, speakers: frozenset[str], query: Query, limit: int) -> list[Hit]:
        """Words that name a speaker (陈石, chen shi, 峰瑞): what they said, in the order they
        said it, then the quotes that mention the words."""
        allowed = self._allowed(Query(speaker=query.speaker or query.words, topic=query.topic, panel=query.panel))
        docs = sorted(int(d) for speaker in speakers for d in self._docs(("speaker", speaker)) if allowed[d])
        theirs = [Hit(self.quotes[d], 0.0, found_by="speaker") for d in docs[:limit]]
        pieces = self._searcher.wholes(self._searcher.pieces(fold_query(query.words))[:MAX_PIECES])[0]
        mentions = self._searcher.search(pieces, limit, self._allowed(query)) if pieces else []
        shown = {hit.quote.ref for hit in theirs}
        about = [Hit(self.quotes[d], round(score, 4), tuple(spans)) for d, score, spans in mentions
                 if self.quotes.ref(d) not in shown]
        return (theirs + about)[:limit]

    def _answers_to(self, question: int) -> list[int]:
        """The quotes after a moderator's question, up to the next question."""
        panel, found = self.quotes.panel[question], []
        for doc in range(question + 1, self.quotes.first[panel + 1]):
            if self._questions[doc]:
                break
            found.append(doc)
        return found

    def random(self, query: Query = EVERYTHING, *, rng: random_module.Random | None = None,
               exclude: Collection[str] = ()) -> Quote | None:
        """A random quote among those the query matches, leaving out the refs in `exclude`
        (what a channel has seen already); None when none is left."""
        rng = rng or random_module.Random()
        if query.words.strip():
            hits = self.search(query, limit=MAX_LIMIT)
            left = [h.quote for h in hits if h.quote.ref not in exclude]
            return rng.choice(left) if left else None
        docs = lazy_numpy().flatnonzero(self._allowed(query))
        for _ in range(8):  # a few random draws first: cheap while most quotes are still unseen
            if not len(docs):
                return None
            doc = int(docs[rng.randrange(len(docs))])
            if self.quotes.ref(doc) not in exclude:
                return self.quotes[doc]
        left_docs = [int(d) for d in docs if self.quotes.ref(int(d)) not in exclude]
        return self.quotes[rng.choice(left_docs)] if left_docs else None

    def words_of(self, text: str) -> list[str]:
        """`text` cut into the index's own words, as a search cuts it: 模型同质化 -> 模型, 同质化."""
        return [piece.text for piece in self._searcher.pieces(fold(text)) if piece.kind == "term"]

    def speaker_choices(self, typed: str, *, limit: int = 25) -> list[Speaker]:
        """Speakers whose name, pinyin, id or title holds what was typed, for autocompletion."""
        return self._names.speaker_choices(typed, self.speakers, limit)

    def topic_choices(self, typed: str, *, limit: int = 25) -> list[Topic]:
        """Topics whose name or id holds what was typed, for autocompletion."""
        wanted = compact(typed)
        return [t for t in self.topics if wanted in compact(t.name) or wanted in compact(t.id)][:limit]

    def panel_choices(self, typed: str, *, limit: int = 25) -> list[Panel]:
        wanted = compact(typed)
        return [p for p in self.panels if wanted in compact(p.id) or wanted in compact(p.title)][:limit]

    def digest(self, channel: str, day: dt.date, query: Query = EVERYTHING, log: Sequence[str] = ()) -> Quote | None:
        """The quote of the day for `channel` among those the query's filters allow: the same in
        every process; `log` (what the channel was posted, oldest first) keeps a round free of repeats."""
        docs = lazy_numpy().flatnonzero(self._allowed(query))
        if not len(docs):
            return None
        return self.quote(digest_module.pick(channel, day, [self.quotes.ref(int(d)) for d in docs], log))

    def digest_round(self, query: Query, log: Sequence[str]) -> tuple[int, int]:
        """How far a channel is through its round: (quotes shown in it, quotes its filters allow)."""
        refs = [self.quotes.ref(int(d)) for d in lazy_numpy().flatnonzero(self._allowed(query))]
        return len(digest_module.this_round(log, refs)), len(refs)

    def _docs_named(self, ref: str) -> list[int]:
        """The quotes a `panel/quote-id` or a bare quote id names."""
        panel_id, _, quote_id = ref.rpartition("/")
        if panel_id:
            if (panel := self._panel_number.get(panel_id)) is None:
                return []
            docs: Sequence[int] = range(self.quotes.first[panel], self.quotes.first[panel + 1])
        else:
            docs = self.quotes.ids.containing(quote_id)
        return [d for d in docs if self.quotes.ids[d] == quote_id]

    def _doc(self, ref: str) -> int:
        docs = self._docs_named(ref)
        if len(docs) == 1:
            return docs[0]
        if docs:
            raise AmbiguousValueError("quote", ref, [self.quotes.ref(d) for d in docs])
        quote_id = ref.rpartition("/")[2]
        raise UnknownValueError("quote", ref, nearest(quote_id, self.quotes.ids))

    def quote(self, ref: str) -> Quote:
        """The quote named `panel/quote-id`, or by its bare id when only one panel has it."""
        return self.quotes[self._doc(ref)]

    def context(self, ref: str) -> Context:
        """The quote with the moderator's question it answers and the paragraphs around it."""
        doc = self._doc(ref)
        panel = self.quotes.panel[doc]
        first, end = self.quotes.first[panel], self.quotes.first[panel + 1]
        question = next((self.quotes[d] for d in range(doc - 1, first - 1, -1) if self._questions[d]), None)
        before = (self.quotes[doc - 1],) if doc > first else ()
        after = (self.quotes[doc + 1],) if doc + 1 < end else ()
        return Context(self.quotes[doc], question, before, after)

    def speakers_of(self, query: str, *, limit: int = 3) -> list[Speaker]:
        """Who speaks of `query` at all, best match first: the suggestion when filters leave
        nothing ("no quote from 林莱尼 matches 算力; 陈石 and 马千里 speak of it")."""
        found: dict[tuple[str, str], Speaker] = {}
        for hit in self.search(Query(query), limit=MAX_LIMIT) if query.strip() else []:
            found.setdefault((hit.quote.panel, hit.quote.speaker.id), hit.quote.speaker)
        return list({s.id: s for s in found.values()}.values())[:limit]

    def quote_counts(self) -> dict[tuple[str, str], int]:
        """How many quotes each (panel, speaker id) has."""
        counts: dict[tuple[str, str], int] = {}
        per_speaker = lazy_numpy().bincount(self.quotes.speaker, minlength=len(self.speakers))
        for speaker, count in zip(self.speakers, per_speaker.tolist()):
            counts[(speaker.panel, speaker.id)] = counts.get((speaker.panel, speaker.id), 0) + count
        return counts
