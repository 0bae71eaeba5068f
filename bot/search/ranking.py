"""Answering a search over an index: the query's pieces resolved to postings, the top k ranked.

Quotes that match more pieces rank first, then by the sum of their BM25 scores. A one-piece
search walks the impact-ordered postings and stops at the k-th quote the filters allow; a
search of several pieces narrows the shortest list to the quotes that hold every piece, with
vectorised look-ups, and ranks only those when there are enough of them. When every piece is
in a sixteenth of the quotes or more, that list is long and a threshold walk over the heads of
all the lists finds the same answer, reading a fraction of them. Each path is checked against
plain BM25 in tests/test_ranking.py.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
import re
from array import array
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..models import Span
from .english import query_term as english_term
from .fold import fold, fold_width_and_case
from .index import IndexData, idf, impact, is_substring_term, word_pattern
from .segment import Piece, segment
from .tokenizer import HAN

if TYPE_CHECKING:
    import numpy

_RESOLVED_CACHE = 512
_PIECES_CACHE = 4096
_WALK = 64  # postings a filtered one-piece search reads one by one before vectorising
_SMALL = 1024  # postings in all that a search of several pieces adds up without numpy
_BROAD, _DENSE_CACHE = 16, 16  # terms in over 1/16 of the quotes keep their scores dense, 16 at most
_READ_RATHER_THAN_SCAN = 64  # a phrase's quotes are read one by one when a term in it is in under 1/64 of them
_FIRST_READ = 512  # postings of each list the threshold walk reads first, then twice as many each round
SYNONYM_WEIGHT = 0.6  # a quote that says another word for a query word scores this much of saying it


@functools.cache
def lazy_numpy() -> Any:
    # numpy is imported on the first search that needs it, so a plain search starts faster.
    import numpy

    return numpy


class Texts(Protocol):
    """The quotes' texts, quote i at [i], and a quick way to find those that hold a string."""

    def __getitem__(self, doc: int) -> str: ...
    def __len__(self) -> int: ...
    def containing(self, needle: str) -> list[int]: ...


class Postings:
    """A resolved query piece: its quotes and scores in impact order, and the regular
    expression (`pattern`, a source string) that finds it in folded text."""

    __slots__ = ("docs", "label", "pattern", "scores")

    def __init__(self, label: str, docs: Sequence[int], scores: Sequence[float], pattern: str) -> None:
        self.label, self.docs, self.scores, self.pattern = label, docs, scores, pattern


_NOWHERE = Postings("", array("i"), array("f"), "(?!)")  # a word no quote holds


class Searcher:
    """Ranked searches over an `IndexData` whose document i is `texts[i]`."""

    def __init__(self, data: IndexData, texts: Texts, synonyms: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._data, self._texts = data, texts
        self._synonyms = synonyms or {}
        self._term_id = {term: i for i, term in enumerate(data.terms)}
        ptr = data.post_ptr
        # A term no quote says (a synonym) is known to be absent, but cuts no query.
        self._df = {term: df for term, i in self._term_id.items() if (df := ptr[i + 1] - ptr[i])}
        self._max_len = max((len(t) for t in data.terms if HAN.search(t)), default=1)
        self._log_total = math.log(sum(self._df.values()) or 1)
        self._pinyin = {key: tuple(terms) for key, terms in data.pinyin.items()}
        self._docs, self._scores = memoryview(data.post_doc), memoryview(data.post_score)
        self._n_docs = len(texts)
        # The few quotes that fold beyond width and case (traditional characters), folded once.
        self._deep = {doc: fold(texts[doc]) for doc in data.deep_folded}
        self._avg_len = sum(data.doc_len) / self._n_docs if self._n_docs else 1.0
        self._resolved: OrderedDict[Piece, Postings] = OrderedDict()
        self._pieces: dict[str, list[Piece]] = {}
        self._finders: dict[tuple[str, ...], re.Pattern[str]] = {}
        self._ascii_terms: list[str] | None = None
        self._buffer: numpy.ndarray | None = None
        self._dense_cache: OrderedDict[Postings, numpy.ndarray] = OrderedDict()

    def folded(self, doc: int) -> str:
        return self._deep.get(doc) or fold_width_and_case(self._texts[doc])

    def pieces(self, folded_query: str) -> list[Piece]:
        """The query cut into pieces; the same queries come back often, so the cut is kept."""
        found = self._pieces.get(folded_query)
        if found is None:
            if len(self._pieces) >= _PIECES_CACHE:
                self._pieces.clear()
            found = self._pieces[folded_query] = self._with_synonyms(
                folded_query, segment(folded_query, self._df, self._pinyin, self._max_len, self._log_total))
        return found

    def _with_synonyms(self, folded_query: str, pieces: list[Piece]) -> list[Piece]:
        """Each piece with the other words for it; a query that is one synonym of several
        words (open source, 生成式 ai) becomes one piece."""
        if not self._synonyms:
            return pieces
        whole = " ".join(folded_query.split())
        if " " in whole and (others := self._synonyms.get(whole)):
            return [Piece("phrase", whole, synonyms=others)]
        return [Piece(p.kind, p.text, p.alternatives, p.part_of, others) if (others := self._synonyms_of(p)) else p
                for p in pieces]

    def _synonyms_of(self, piece: Piece) -> tuple[str, ...]:
        """A piece's synonyms: by its text, or for an English word by its stem (investors: investor)."""
        if found := self._synonyms.get(piece.text):
            return found
        if piece.kind == "prefix" and piece.text.isalpha():
            return self._by_stem.get(english_term(piece.text) or "", ())
        return ()

    @functools.cached_property
    def _by_stem(self) -> dict[str, tuple[str, ...]]:
        """English synonyms by their stems, so that investors finds the group of investor; made
        on the first English word that needs it (the stemmer is not loaded at start)."""
        return {english_term(w) or w: others for w, others in self._synonyms.items() if w.isascii() and w.isalpha()}

    # -- resolving pieces to postings ---------------------------------------------------------

    def _postings(self, piece: Piece) -> Postings:
        found = self._resolved.get(piece)
        if found is None:
            found = self._resolved[piece] = self._resolve(piece)
            if len(self._resolved) > _RESOLVED_CACHE:
                self._resolved.popitem(last=False)
        else:
            self._resolved.move_to_end(piece)
        return found

    def _resolve(self, piece: Piece) -> Postings:
        if piece.synonyms:
            exact = self._resolve(Piece(piece.kind, piece.text, piece.alternatives))
            others = [self._scaled(self._word(word), SYNONYM_WEIGHT) for word in piece.synonyms]
            return self._any_of(piece.text, [exact, *(p for p in others if len(p.docs))])
        if piece.kind == "phrase":
            return self._word(piece.text)
        if piece.kind == "term":
            i = self._term_id[piece.text]
            lo, hi = self._data.post_ptr[i], self._data.post_ptr[i + 1]
            return Postings(piece.text, self._docs[lo:hi], self._scores[lo:hi], _pattern(piece.text))
        if piece.kind == "substring":
            return self._computed(piece.text)
        alternatives = piece.alternatives if piece.kind == "pinyin" else self._prefixed(piece.text)
        if not alternatives:
            return Postings(piece.text, array("i"), array("f"), _pattern(piece.text))
        return self._any_of(piece.text, [self._postings(Piece("term", t)) for t in alternatives])

    def _word(self, word: str) -> Postings:
        """A synonym's quotes: an index term, Chinese found as a substring, a Latin word of the
        glosses, or a phrase looked for only in the quotes that hold each of its words."""
        if word in self._term_id:
            return self._postings(Piece("term", word))
        if HAN.search(word) and not re.search(r"[\sa-z0-9]", word):
            return self._postings(Piece("substring", word))
        parts = word.split()
        if len(parts) == 1:  # a Latin word that is no term is in no quote: perhaps in a gloss
            english = english_term(word) if word.isalpha() else None
            return self._postings(Piece("term", english)) if english in self._term_id else _NOWHERE
        holding = [self._word(part) for part in parts]
        if not all(len(p.docs) for p in holding):
            return _NOWHERE
        candidates = set(holding[0].docs).intersection(*(p.docs for p in holding[1:]))
        finds = re.compile(pattern := _phrase_pattern(word)).findall
        counts = [(doc, tf) for doc in sorted(candidates) if (tf := len(finds(self.folded(doc))))]
        return self._ranked(word, counts, pattern)

    @staticmethod
    def _scaled(postings: Postings, weight: float) -> Postings:
        return Postings(postings.label, postings.docs, array("f", (s * weight for s in postings.scores)), postings.pattern)

    def _prefixed(self, prefix: str) -> tuple[str, ...]:
        if self._ascii_terms is None:
            self._ascii_terms = sorted(t for t in self._data.terms if not HAN.search(t) and ":" not in t)
        return tuple(t for t in self._ascii_terms if t.startswith(prefix))[:64]

    def _computed(self, text: str) -> Postings:
        """Postings for Chinese no term covers (a character, a phrase), found by scanning.

        Folding changes no Chinese character but traditional ones, so the scan reads the
        original texts, and the folded text only of quotes that had traditional characters.
        """
        pattern = _pattern(text)
        finds = re.compile(pattern).findall
        deep = self._deep
        holding = sorted({*self._may_hold(text), *deep})
        counts = [(doc, tf) for doc in holding if (tf := len(finds(deep.get(doc) or self._texts[doc])))]
        return self._ranked(text, counts, pattern)

    def _may_hold(self, text: str) -> Sequence[int]:
        """The quotes that may hold `text`. A quote that holds it holds every Chinese term
        inside it too, and those quotes are known: when the rarest such term is rare enough,
        only its quotes are read. Otherwise every text is searched."""
        inside = {text[a:b] for a in range(len(text)) for b in range(a + 2, min(len(text), a + self._max_len) + 1)}
        rarest = min((t for t in inside if t in self._df and is_substring_term(t)), key=self._df.__getitem__,
                     default=None)
        if rarest is None or self._df[rarest] * _READ_RATHER_THAN_SCAN > self._n_docs:
            return self._texts.containing(text)
        return self._postings(Piece("term", rarest)).docs

    def _ranked(self, label: str, counts: list[tuple[int, int]], pattern: str) -> Postings:
        """Postings from (quote, count) pairs, in impact order."""
        weight, lengths = idf(self._n_docs, len(counts)), self._data.doc_len
        ranked = sorted((-impact(weight, tf, lengths[doc], self._avg_len), doc) for doc, tf in counts)
        return Postings(label, array("i", (d for _, d in ranked)), array("f", (-s for s, _ in ranked)), pattern)

    def _any_of(self, label: str, alternatives: list[Postings]) -> Postings:
        """Pinyin or a word prefix stands for several terms; a quote scores by its best one."""
        if len(alternatives) == 1:
            return alternatives[0]
        np = lazy_numpy()
        docs = np.concatenate([np.frombuffer(p.docs, dtype=np.int32) for p in alternatives])
        scores = np.concatenate([np.frombuffer(p.scores, dtype=np.float32) for p in alternatives])
        order = np.lexsort((-scores, docs))  # per quote, its best score first
        docs, scores = docs[order], scores[order]
        first = np.ones(len(docs), dtype=bool)
        first[1:] = docs[1:] != docs[:-1]
        docs, scores = docs[first], scores[first]
        order = np.lexsort((docs, -scores))

        pattern = "|".join(p.pattern for p in sorted(alternatives, key=lambda p: -len(p.label)))
        return Postings(label, array("i", docs[order].tobytes()), array("f", scores[order].tobytes()), pattern)

    def wholes(self, pieces: list[Piece]) -> tuple[list[Piece], tuple[str, ...]]:
        """A phrase some quote says stands alone: its words are dropped. A phrase no quote says
        gives way to its words, and is returned as missing (the hits hold only parts of it)."""
        phrases = {p.part_of for p in pieces if p.part_of}
        if not phrases:
            return pieces, ()
        whole = {p.text: p for p in pieces if p.text in phrases and not p.part_of}  # with their synonyms
        missing = {phrase for phrase in phrases
                   if not len(self._postings(whole.get(phrase) or Piece("substring", phrase)).docs)}

        def kept(piece: Piece) -> bool:
            if piece.text in phrases:  # a whole: kept when some quote says it
                return piece.text not in missing
            return not piece.part_of or piece.part_of in missing  # a part: when its whole is missing

        return [p for p in pieces if kept(p)], tuple(sorted(missing))

    def patterns(self, pieces: list[Piece]) -> tuple[str, ...]:
        """The regular expressions that find each piece in folded text."""
        return tuple(self._postings(p).pattern for p in pieces)

    # -- ranking ---------------------------------------------------------------------------

    def search(self, pieces: list[Piece], k: int, allowed: bytearray) -> list[tuple[int, float, list[Span]]]:
        """The k best quotes for `pieces` among those `allowed` marks with 1, best first."""
        postings = [self._postings(p) for p in pieces]
        postings = [p for p in postings if len(p.docs)] if len(postings) > 1 else postings
        if not postings or k <= 0:
            return []
        if len(postings) == 1:
            ranked = self._top_of_one(postings[0], k, allowed)
        else:
            ranked = self._top_of_many(postings, k, allowed)
        finder = self._finder(tuple(p.pattern for p in postings))
        return [(doc, score, _spans(finder, self.folded(doc))) for doc, score in ranked]

    def _finder(self, patterns: tuple[str, ...]) -> re.Pattern[str]:
        """One expression for all the pieces, longest first, so a match is a whole piece."""
        found = self._finders.get(patterns)
        if found is None:
            if len(self._finders) >= _PIECES_CACHE:
                self._finders.clear()
            found = self._finders[patterns] = re.compile("|".join(sorted(patterns, key=len, reverse=True)))
        return found

    @staticmethod
    def _top_of_one(postings: Postings, k: int, allowed: bytearray) -> list[tuple[int, float]]:
        docs, scores = postings.docs, postings.scores
        out = []
        for i in range(min(len(docs), _WALK)):
            if allowed[docs[i]]:
                out.append((docs[i], scores[i]))
                if len(out) == k:
                    return out
        if len(docs) <= _WALK:
            return out
        # A narrow filter: find the allowed quotes in one vectorised pass instead.
        np = lazy_numpy()
        doc_array = np.frombuffer(docs, dtype=np.int32)
        picked = np.flatnonzero(np.frombuffer(allowed, dtype=bool)[doc_array])[:k]
        return [(int(doc_array[i]), float(scores[i])) for i in picked]

    def _top_of_many(self, postings: list[Postings], k: int, allowed: bytearray) -> list[tuple[int, float]]:
        if sum(len(p.docs) for p in postings) <= _SMALL:
            return self._top_of_few(postings, k, allowed)
        np = lazy_numpy()
        ordered = sorted(postings, key=lambda p: len(p.docs))
        lists = [(np.frombuffer(p.docs, dtype=np.int32), np.frombuffer(p.scores, dtype=np.float32)) for p in ordered]
        mask = np.frombuffer(allowed, dtype=bool)
        if len(lists[0][0]) * _BROAD >= self._n_docs and len(lists) <= _DENSE_CACHE // 2:
            # Every piece is broad, so every list has its scores spread over every quote.
            dense = [d for p, (docs, scores) in zip(ordered, lists) if (d := self._dense(p, docs, scores)) is not None]
            if (found := _top_by_threshold(np, lists, dense, k, mask)) is not None:
                return found
        return self._top_of_all(np, ordered, lists, k, mask)

    def _top_of_all(self, np: Any, ordered: list[Postings], lists: list[tuple[Any, Any]], k: int,
                    mask: numpy.ndarray) -> list[tuple[int, float]]:
        """Every quote of the shortest list looked at: quotes holding every piece rank first,
        and all of them are in it. Narrow it down one list at a time, looking scores up in a
        scratch array (or a broad term's dense one)."""
        if self._buffer is None:
            self._buffer = np.zeros(self._n_docs, dtype=np.float32)
        scratch = self._buffer
        docs, scores = lists[0]
        keep = mask[docs]
        docs, total = docs[keep], scores[keep].astype(np.float64)
        for other, (other_docs, other_scores) in zip(ordered[1:], lists[1:]):
            if not len(docs):
                break
            if (dense := self._dense(other, other_docs, other_scores)) is not None:
                found = dense[docs]
            else:
                scratch[other_docs] = other_scores
                found = scratch[docs]
                scratch[other_docs] = 0
            holds = found > 0  # every BM25 impact is positive
            docs, total = docs[holds], total[holds] + found[holds]
        if len(docs) >= k:
            return _best(docs, total, k)
        return self._best_partial(lists, k, mask)

    def _dense(self, postings: Postings, docs: numpy.ndarray, scores: numpy.ndarray) -> numpy.ndarray | None:
        """A broad term's scores spread over every quote, kept for the next search that needs
        them: reading one beats writing and clearing tens of thousands of entries each time."""
        if len(docs) * _BROAD < self._n_docs:
            return None
        dense = self._dense_cache.get(postings)
        if dense is None:
            np = lazy_numpy()
            dense = self._dense_cache[postings] = np.zeros(self._n_docs, dtype=np.float32)
            dense[docs] = scores
            if len(self._dense_cache) > _DENSE_CACHE:
                self._dense_cache.popitem(last=False)
        else:
            self._dense_cache.move_to_end(postings)
        return dense

    @staticmethod
    def _top_of_few(postings: list[Postings], k: int, allowed: bytearray) -> list[tuple[int, float]]:
        """Short lists: adding them up in a dict beats numpy's fixed cost per call."""
        total: dict[int, float] = {}
        count: dict[int, int] = {}
        for p in postings:
            for doc, score in zip(p.docs, p.scores):
                if allowed[doc]:
                    total[doc] = total.get(doc, 0.0) + score
                    count[doc] = count.get(doc, 0) + 1
        best = heapq.nlargest(k, total, key=lambda doc: (count[doc], total[doc], -doc))
        return [(doc, total[doc]) for doc in best]

    def _best_partial(self, lists: list[tuple[Any, Any]], k: int, mask: numpy.ndarray) -> list[tuple[int, float]]:
        """Fewer than k quotes hold every piece: rank all that hold any, more pieces first."""
        np = lazy_numpy()
        total = np.zeros(self._n_docs, dtype=np.float64)
        count = np.zeros(self._n_docs, dtype=np.int16)
        for docs, scores in lists:
            total[docs] += scores
            count[docs] += 1
        held = np.concatenate([docs for docs, _ in lists])  # a quote once for each piece it holds
        held = held[mask.take(held)]
        keys = count.take(held) * 1e6 + total.take(held)
        if len(held) > k * len(lists):
            # The k best quotes are among the k×pieces best entries; every entry as good as the
            # k-th of them is kept, so that ties still go to the lower quotes.
            floor = keys[np.argpartition(-keys, k * len(lists) - 1)[:k * len(lists)]].min()
            keep = keys >= floor
            held, keys = held[keep], keys[keep]
        ranked = _best(*_distinct(np, held, keys), k)
        return [(doc, float(total[doc])) for doc, _ in ranked]


def _top_by_threshold(np: Any, lists: list[tuple[Any, Any]], dense: list[numpy.ndarray], k: int,
                      mask: numpy.ndarray) -> list[tuple[int, float]] | None:
    """The k best quotes holding every piece, when every piece's score can be looked up.

    Read the best postings of every list together, a few and then twice as many each round,
    and score each quote read in full (Fagin's threshold algorithm). A quote still unread
    scores at most the next score of each list; with its own score in one list instead, that
    bound cuts the list: further down, no quote unread can reach the k-th best found. Once
    what is left above a cut costs less to read than another round, it is read, and the best
    k of all are the answer, exactly what a pass over every quote gives. Broad words' scores
    are flat, so a cut often ends the walk long before the lists' next scores alone would.
    None when a narrow filter leaves fewer than k quotes after as many postings as that pass
    would read: the caller makes the pass.
    """
    size, at, floor = max(_FIRST_READ, 4 * k), 0, -math.inf
    docs, totals = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
    while True:
        end = at + size
        read = np.concatenate([listed[at:end] for listed, _ in lists])
        docs, totals = _above(np, docs, totals, *_held_by_all(np, read[mask[read]], dense), floor)
        if any(end >= len(listed) for listed, _ in lists):  # a list read whole: nothing unread holds its piece
            return _best(docs, totals, k) if len(docs) >= k else None
        if len(docs) >= k:
            floor = float(np.partition(totals, len(totals) - k)[len(totals) - k])
            unread = [float(scores[end]) for _, scores in lists]
            left, n = min((_cut(lists[n][1], n, unread, floor) - end, n) for n in range(len(lists)))
            if left <= 2 * size * len(lists):  # cheaper than the next round
                if left > 0:
                    read = lists[n][0][end:end + left]
                    docs, totals = _above(np, docs, totals, *_held_by_all(np, read[mask[read]], dense), floor)
                return _best(docs, totals, k)
        elif end * len(lists) >= len(lists[0][0]):
            return None
        at, size = end, size * 2


def _held_by_all(np: Any, docs: numpy.ndarray, dense: list[numpy.ndarray]) -> tuple[Any, Any]:
    """Of these quotes, those holding every piece, and their totals, added up in the order a
    pass over every quote adds them (so that the sums are the same to the last bit)."""
    looked_up = [scores.take(docs) for scores in dense]
    holds = np.logical_and.reduce([score > 0 for score in looked_up])  # every BM25 impact is positive
    total = looked_up[0][holds].astype(np.float64)
    for score in looked_up[1:]:
        total += score[holds]
    return docs[holds], total


def _above(np: Any, docs: numpy.ndarray, totals: numpy.ndarray, more_docs: numpy.ndarray,
           more_totals: numpy.ndarray, floor: float) -> tuple[Any, Any]:
    """The quotes found so far and those just found that reach `floor`, each once (a quote
    may be read in several lists)."""
    docs, totals = np.concatenate([docs, more_docs]), np.concatenate([totals, more_totals])
    if floor > -math.inf:
        keep = totals >= floor
        docs, totals = docs[keep], totals[keep]
    return _distinct(np, docs, totals)


def _distinct(np: Any, docs: numpy.ndarray, keys: numpy.ndarray) -> tuple[Any, Any]:
    """Each quote once, with its key (the same wherever it was found). Sorting is much faster
    than `numpy.unique`, whose hashing takes a third of a second for a million quotes."""
    order = np.argsort(docs)
    docs, keys = docs[order], keys[order]
    first = np.ones(len(docs), dtype=bool)
    first[1:] = docs[1:] != docs[:-1]
    return docs[first], keys[first]


def _cut(scores: numpy.ndarray, n: int, unread: list[float], floor: float) -> int:
    """How far down list n a quote not yet read could still reach `floor`: with its score
    there and, in every other list, at most that list's next score. The sum is made in the
    order `_held_by_all` makes it, so that a bound is never below the total it bounds."""
    bound = list(unread)

    def short(at: int) -> bool:
        bound[n] = float(scores[at])
        total = 0.0
        for score in bound:
            total += score
        return total < floor

    return bisect.bisect_left(range(len(scores)), True, key=short)


def _best(docs: numpy.ndarray, keys: numpy.ndarray, k: int) -> list[tuple[int, float]]:
    """The k quotes of highest key, best first; of equal keys, the lower quote first, also at
    the k-th place (where a plain partition would pick any of them)."""
    np = lazy_numpy()
    if len(docs) > k:
        kth = np.partition(keys, len(keys) - k)[len(keys) - k]
        above, tied = keys > kth, keys == kth
        tied_docs = np.sort(docs[tied])[:k - int(above.sum())]
        docs = np.concatenate([docs[above], tied_docs])
        keys = np.concatenate([keys[above], np.full(len(tied_docs), kth, dtype=keys.dtype)])
    order = np.lexsort((docs, -keys))
    return [(int(docs[i]), float(keys[i])) for i in order]


def _pattern(text: str) -> str:
    """Chinese matches anywhere, an ASCII word only whole."""
    return re.escape(text) if HAN.search(text) else word_pattern(text)


def _phrase_pattern(words: str) -> str:
    """Words in sequence, each standing whole where it is Latin, any spaces between them."""
    return r"\s*".join(_pattern(word) for word in words.split())


def _spans(finder: re.Pattern[str], folded: str) -> list[Span]:
    """Where the pieces match, neighbouring matches joined into one highlight."""
    spans: list[Span] = []
    for match in finder.finditer(folded):
        start, end = match.span()
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans
