"""The search index: BM25 impacts in impact order, so a top-k search stops early.

Every term's postings are sorted by their BM25 score, best first. A one-word search reads
the first few postings that pass the filters; a search of several words runs Fagin's
threshold algorithm over the lists and stops once no unseen quote can beat the k-th best.
Chinese terms match as substrings of the folded text (模型 finds 大模型, 应用层 finds 应用层面),
ASCII terms as whole words.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .segment import Piece, segment
from .tokenizer import HAN, Tokenizer

K1, B = 1.2, 0.75
MAX_TERM_CHARS = 16
_LAZY_TERMS = 512

Span = tuple[int, int]


def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])")


@dataclass(slots=True)
class IndexData:
    """What an index is made of, in a form that is cheap to store and to load."""

    terms: list[str]
    post_ptr: array  # type: ignore[type-arg]  # term i's postings are [ptr[i], ptr[i+1])
    post_doc: array  # type: ignore[type-arg]
    post_score: array  # type: ignore[type-arg]
    doc_len: array  # type: ignore[type-arg]
    chars: str  # every Chinese character of the texts; char i's quotes are [ptr[i], ptr[i+1])
    char_ptr: array  # type: ignore[type-arg]
    char_doc: array  # type: ignore[type-arg]
    pinyin: dict[str, list[str]]
    folded: list[str]


def build(folded: Sequence[str], tokenizer: Tokenizer) -> IndexData:
    """Index already folded texts (quote i is document i)."""
    import ahocorasick  # the substring matcher is only needed to build
    from pypinyin import lazy_pinyin

    token_lists = [tokenizer.tokenize(text) for text in folded]
    vocab = sorted({t for tokens in token_lists for t in tokens if len(t) <= MAX_TERM_CHARS})
    han_terms = [t for t in vocab if HAN.search(t)]
    automaton = ahocorasick.Automaton()
    for term in han_terms:
        automaton.add_word(term, term)
    if han_terms:
        automaton.make_automaton()
    patterns: dict[str, re.Pattern[str]] = {}

    counts: dict[str, list[tuple[int, int]]] = defaultdict(list)
    doc_chars: dict[str, list[int]] = defaultdict(list)
    doc_len = array("I", (max(1, len(tokens)) for tokens in token_lists))
    for doc, (text, tokens) in enumerate(zip(folded, token_lists)):
        present = {term for _, term in automaton.iter(text)} if han_terms else set()
        for term in present:
            counts[term].append((doc, text.count(term)))
        for word in {t for t in tokens if not HAN.search(t) and len(t) <= MAX_TERM_CHARS}:
            pattern = patterns.get(word) or patterns.setdefault(word, _word_pattern(word))
            if tf := len(pattern.findall(text)):
                counts[word].append((doc, tf))
        for char in set(HAN.findall(text)):
            doc_chars[char].append(doc)

    n_docs = len(folded)
    avg_len = sum(doc_len) / n_docs if n_docs else 1.0
    terms = [t for t in vocab if counts.get(t)]
    post_ptr, post_doc, post_score = array("q", [0]), array("i"), array("f")
    for term in terms:
        postings = counts[term]
        idf = _idf(n_docs, len(postings))
        scored = sorted(((-_impact(idf, tf, doc_len[doc], avg_len), doc) for doc, tf in postings))
        post_doc.extend(doc for _, doc in scored)
        post_score.extend(-score for score, _ in scored)
        post_ptr.append(len(post_doc))
    chars = "".join(sorted(doc_chars))
    char_ptr, char_doc = array("q", [0]), array("i")
    for char in chars:
        char_doc.extend(doc_chars[char])
        char_ptr.append(len(char_doc))
    pinyin: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if HAN.fullmatch(term[0]) and len(term) > 1 and all(HAN.match(c) for c in term):
            pinyin["".join(lazy_pinyin(term))].append(term)
    return IndexData(terms, post_ptr, post_doc, post_score, doc_len, chars, char_ptr, char_doc,
                     dict(pinyin), list(folded))


def _idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def _impact(idf: float, tf: int, length: int, avg_len: float) -> float:
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_len))


class _Term:
    """A resolved query piece: its postings in impact order and its score in any quote."""

    __slots__ = ("docs", "label", "score_of", "scores", "spans")

    def __init__(self, label: str, docs: Sequence[int], scores: Sequence[float],
                 score_of: Callable[[int], float], spans: Callable[[str], list[Span]]) -> None:
        self.label, self.docs, self.scores, self.score_of, self.spans = label, docs, scores, score_of, spans


class Index:
    """Answers ranked searches over the documents of an `IndexData`."""

    def __init__(self, data: IndexData) -> None:
        self._data = data
        self._term_id = {term: i for i, term in enumerate(data.terms)}
        ptr = data.post_ptr
        self._df = {term: ptr[i + 1] - ptr[i] for term, i in self._term_id.items()}
        self._max_len = max((len(t) for t in data.terms if HAN.search(t)), default=1)
        self._log_total = math.log(sum(self._df.values()) or 1)
        self._pinyin = {key: tuple(terms) for key, terms in data.pinyin.items()}
        self._char_id = {char: i for i, char in enumerate(data.chars)}
        self._docs = memoryview(data.post_doc)
        self._scores = memoryview(data.post_score)
        self._n_docs = len(data.folded)
        self._avg_len = sum(data.doc_len) / self._n_docs if self._n_docs else 1.0
        self._terms: OrderedDict[Piece, _Term] = OrderedDict()
        self._ascii_terms: list[str] | None = None

    @property
    def size(self) -> int:
        return self._n_docs

    def folded(self, doc: int) -> str:
        return self._data.folded[doc]

    def pieces(self, folded_query: str) -> list[Piece]:
        return segment(folded_query, self._df, self._pinyin, self._max_len, self._log_total)

    # -- resolving pieces ------------------------------------------------------------------

    def _term(self, piece: Piece) -> _Term:
        term = self._terms.get(piece)
        if term is None:
            term = self._resolve(piece)
            self._terms[piece] = term
            if len(self._terms) > _LAZY_TERMS:
                self._terms.popitem(last=False)
        else:
            self._terms.move_to_end(piece)
        return term

    def _matcher(self, text: str) -> tuple[Callable[[int], int], Callable[[str], list[Span]]]:
        """How often `text` occurs in a document, and where in a given text."""
        folded = self._data.folded
        if HAN.search(text):
            def spans(t: str) -> list[Span]:
                out, at = [], t.find(text)
                while at >= 0:
                    out.append((at, at + len(text)))
                    at = t.find(text, at + len(text))
                return out

            return (lambda doc: folded[doc].count(text)), spans
        # An ASCII term is a whole word; a word the index lacks is the prefix of one (gpt: gpt4).
        tail = r"(?![a-z0-9])" if text in self._df else r"[a-z0-9]*"
        pattern = re.compile(r"(?<![a-z0-9])" + re.escape(text) + tail)
        return (lambda doc: len(pattern.findall(folded[doc]))), (lambda t: [m.span() for m in pattern.finditer(t)])

    def _scorer(self, count: Callable[[int], int], df: int) -> Callable[[int], float]:
        idf, doc_len, avg_len = _idf(self._n_docs, df), self._data.doc_len, self._avg_len

        def score_of(doc: int) -> float:
            tf = count(doc)
            return _impact(idf, tf, doc_len[doc], avg_len) if tf else 0.0

        return score_of

    def _resolve(self, piece: Piece) -> _Term:
        if piece.kind == "term":
            i = self._term_id[piece.text]
            lo, hi = self._data.post_ptr[i], self._data.post_ptr[i + 1]
            count, spans = self._matcher(piece.text)
            return _Term(piece.text, self._docs[lo:hi], self._scores[lo:hi], self._scorer(count, hi - lo), spans)
        if piece.kind == "substring":
            return self._computed(piece.text, self._candidates(piece.text))
        alternatives = piece.alternatives if piece.kind == "pinyin" else self._prefixed(piece.text)
        if not alternatives:
            return self._computed(piece.text, [])
        return self._any_of(piece.text, [self._term(Piece("term", t)) for t in alternatives])

    def _candidates(self, text: str) -> Sequence[int]:
        """The quotes holding the rarest character of `text`: a superset of those holding it."""
        ptr = self._data.char_ptr
        ids = []
        for char in text:
            if HAN.match(char):
                if (i := self._char_id.get(char)) is None:
                    return []
                ids.append(i)
        if not ids:
            return []
        rarest = min(ids, key=lambda i: ptr[i + 1] - ptr[i])
        return self._data.char_doc[ptr[rarest]:ptr[rarest + 1]]

    def _prefixed(self, prefix: str) -> tuple[str, ...]:
        if self._ascii_terms is None:
            self._ascii_terms = sorted(t for t in self._data.terms if not HAN.search(t))
        return tuple(t for t in self._ascii_terms if t.startswith(prefix))[:64]

    def _computed(self, text: str, candidates: Iterable[int]) -> _Term:
        """A term the index does not list, scored over the quotes that may contain it."""
        count, spans = self._matcher(text)
        matching = [doc for doc in candidates if count(doc)]
        score_of = self._scorer(count, len(matching))
        ranked = sorted(((score_of(doc), doc) for doc in matching), key=lambda p: (-p[0], p[1]))
        return _Term(text, array("i", (d for _, d in ranked)), array("f", (s for s, _ in ranked)), score_of, spans)

    def _any_of(self, label: str, terms: list[_Term]) -> _Term:
        """Pinyin and word prefixes stand for several terms; a quote scores by its best one."""
        if len(terms) == 1:
            return terms[0]
        best: dict[int, float] = {}
        for term in terms:
            for doc, score in zip(term.docs, term.scores):
                if score > best.get(doc, -1.0):
                    best[doc] = score
        ranked = sorted(best.items(), key=lambda p: (-p[1], p[0]))

        def score_of(doc: int) -> float:
            return max(term.score_of(doc) for term in terms)

        def spans(text: str) -> list[Span]:
            return [span for term in terms for span in term.spans(text)]

        return _Term(label, array("i", (d for d, _ in ranked)), array("f", (s for _, s in ranked)), score_of, spans)

    # -- ranking -----------------------------------------------------------------------------

    def search(self, pieces: list[Piece], k: int, allowed: Callable[[int], bool],
               among: Sequence[int] | None = None) -> list[tuple[int, float, list[Span]]]:
        """The k best documents for `pieces` that `allowed` accepts, best first.

        Documents that match more pieces rank first, then by the sum of BM25 scores. `among`,
        when given, lists every document `allowed` can accept, so a narrow filter can be
        scored directly instead of walking long postings.
        """
        terms = [self._term(p) for p in pieces]
        if not terms or k <= 0:
            return []
        longest = sum(len(t.docs) for t in terms)
        if among is not None and len(among) * len(terms) * 4 < longest:
            ranked = self._score_each(terms, among, k)
        elif len(terms) == 1:
            ranked = self._top_of_one(terms[0], k, allowed)
        else:
            ranked = self._threshold(terms, k, allowed)
        folded = self._data.folded
        return [(doc, score, _merge(s for t in terms for s in t.spans(folded[doc]))) for doc, score in ranked]

    @staticmethod
    def _top_of_one(term: _Term, k: int, allowed: Callable[[int], bool]) -> list[tuple[int, float]]:
        out = []
        for doc, score in zip(term.docs, term.scores):
            if allowed(doc):
                out.append((doc, float(score)))
                if len(out) == k:
                    break
        return out

    @staticmethod
    def _score_each(terms: list[_Term], among: Sequence[int], k: int) -> list[tuple[int, float]]:
        heap: list[tuple[int, float, int]] = []
        for doc in among:
            scores = [s for s in (t.score_of(doc) for t in terms) if s > 0]
            if scores:
                item = (len(scores), sum(scores), -doc)
                if len(heap) < k:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
        return [(-d, s) for _, s, d in sorted(heap, reverse=True)]

    @staticmethod
    def _threshold(terms: list[_Term], k: int, allowed: Callable[[int], bool]) -> list[tuple[int, float]]:
        heap: list[tuple[int, float, int]] = []
        seen: set[int] = set()
        depth, longest = 0, max(len(t.docs) for t in terms)
        while depth < longest:
            for term in terms:
                if depth >= len(term.docs):
                    continue
                doc = term.docs[depth]
                if doc in seen:
                    continue
                seen.add(doc)
                if not allowed(doc):
                    continue
                scores = [s for s in (t.score_of(doc) for t in terms) if s > 0]
                item = (len(scores), sum(scores), -doc)
                if len(heap) < k:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
            depth += 1
            if len(heap) == k:
                # The best a quote not seen yet can do: in every list still running, just below
                # the quotes read so far.
                live = [t.scores[depth] for t in terms if depth < len(t.docs)]
                if (heap[0][0], heap[0][1]) >= (len(live), sum(live)):
                    break
        return [(-d, s) for _, s, d in sorted(heap, reverse=True)]


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
