"""Merging panel files' parts into one index, from nothing or from the previous merge.

Chinese terms match as substrings of every quote, and BM25 weighs each term by how many
quotes have it, so a panel's postings cannot simply be appended: the merge finds the new
Chinese terms in every quote and scores every posting again. From the previous merge that is
a scan for the few terms a changed panel brings, and vectorised arithmetic over the rest:
a fraction of a second at 100,000 quotes, where segmenting them all again takes half a minute.
"""

from __future__ import annotations

import bisect
import contextlib
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .cutting import workers_for
from .index import K1, MAX_TERM_CHARS, B, IndexData, PartIndex, index_part, is_substring_term, term_pinyin
from .tokenizer import HAN, Tokenizer

if TYPE_CHECKING:
    import numpy

_SCAN_DOCS = 2048  # quotes joined into one string for the substring matcher at a time
_RUN = 4096  # neighbouring kept quotes read from the earlier merge at a time
_FEW_TERMS = 32  # new terms looked for one by one in the stored texts; more, in one pass over them


Read = Callable[[], tuple[PartIndex, "Stored"]]


@dataclass(slots=True)
class Part:
    """A panel file's part: its number of quotes, and how to read its part of the index and
    its folded texts (where Chinese terms are found), none of which a part the earlier merge
    had needs. Parts are read one at a time, twice: a merge never holds them all."""

    size: int
    read: Read | None = None

    def contents(self) -> tuple[PartIndex, Stored]:
        assert self.read is not None, "a part the earlier merge did not have can be read"
        return self.read()


class Stored(Protocol):
    """Texts read a run at a time, or searched for a string where they are stored."""

    def between(self, first: int, end: int) -> list[str]: ...
    def containing(self, needle: str) -> list[int]: ...
    def __getitem__(self, doc: int) -> str: ...


@dataclass(slots=True)
class Earlier:
    """The merge a new one starts from. `kept[i]` is, for the new merge's part i, the first
    quote it had in the earlier merge, or -1 for a part that is new; `removed` holds the
    vocabularies of the earlier parts that are gone (changed or deleted files)."""

    data: IndexData
    folded: Stored
    kept: list[int]
    removed: list[list[str]]


class _Texts:
    """Texts held in a list (one panel indexed alone)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts

    def between(self, first: int, end: int) -> list[str]:
        return list(self._texts[first:end])

    def containing(self, needle: str) -> list[int]:
        return [n for n, text in enumerate(self._texts) if needle in text]

    def __getitem__(self, doc: int) -> str:
        return self._texts[doc]


def merge(parts: Sequence[Part], always: Collection[str] = (), earlier: Earlier | None = None,
          advance: Callable[[int], None] = lambda count: None) -> IndexData:
    """One index over `parts`, in order (the quotes of part 0 first). The result is the same
    whether it starts from `earlier` or from nothing; `advance` is told of quotes scanned."""
    np = _numpy()
    kept = earlier.kept if earlier else [-1] * len(parts)
    counts = _vocabulary(parts, kept, always, earlier)
    terms = sorted(term for term, count in counts.items() if count > 0)
    term_id = {term: n for n, term in enumerate(terms)}
    sizes = [part.size for part in parts]
    base = [0]
    for size in sizes:
        base.append(base[-1] + size)
    found: list[tuple[Any, Any, Any]] = []  # (terms, quotes, counts) arrays
    deep = array("i")
    old_terms: set[str] = set()
    if earlier is not None:
        doc_map = _doc_map(earlier, sizes, kept, base)
        found += _carried(earlier, doc_map, term_id)
        moved = doc_map[np.frombuffer(earlier.data.deep_folded, dtype=np.int32)]
        deep.extend(int(d) for d in moved[moved >= 0])
        old_terms = set(earlier.data.terms)
        new_terms = [t for t in terms if is_substring_term(t) and t not in old_terms]
        if len(new_terms) <= _FEW_TERMS:  # a byte search of the stored texts a term: no text decoded
            found.append(_found_where_stored(new_terms, term_id, earlier.folded, doc_map))
        else:
            found.append(_substrings(new_terms, term_id, _kept_texts(earlier, sizes, kept, base), advance,
                                     sum(size for size, at in zip(sizes, kept) if at >= 0)))
    doc_len = array("I")
    for n, size in enumerate(sizes):
        if kept[n] >= 0 and earlier is not None:
            doc_len.extend(earlier.data.doc_len[kept[n]:kept[n] + size])
    added = [n for n in range(len(parts)) if kept[n] < 0]
    lengths: dict[int, Any] = {}
    known_pinyin: dict[str, str] = {}

    def new_texts() -> Iterable[tuple[int, str]]:
        """Each added part's quotes, read a part at a time; its own postings are taken on the way."""
        for n in added:
            index, folded = parts[n].contents()
            gid = np.array([term_id[t] for t in index.vocab], dtype=np.int32)
            found.append((gid[np.frombuffer(index.local_term, dtype=np.int32)],
                          np.frombuffer(index.local_doc, dtype=np.int32) + np.int32(base[n]),
                          np.frombuffer(index.local_tf, dtype=np.uint16).copy()))
            lengths[n] = array("I", index.doc_len)
            known_pinyin.update(index.pinyin)
            deep.extend(d + base[n] for d in index.deep)
            yield from zip(range(base[n], base[n] + sizes[n]), folded.between(0, sizes[n]), strict=True)

    found.append(_substrings([t for t in terms if is_substring_term(t)], term_id, new_texts(), advance,
                             sum(sizes[n] for n in added)))
    if added:  # the quotes' lengths in order, kept and added parts interleaved
        doc_len = array("I")
        for n, size in enumerate(sizes):
            doc_len.extend(lengths[n] if n in lengths else earlier.data.doc_len[kept[n]:kept[n] + size]  # type: ignore[union-attr]
                           )
    files = np.array([counts[t] for t in terms], dtype=np.uint32)
    return _scored(np, terms, found, doc_len, deep, files, _pinyin(terms, earlier, known_pinyin))


def index_of(texts: Sequence[str], folded: Sequence[str], tokenizer: Tokenizer, glosses: Sequence[str | None] = (),
             always: Collection[str] = ()) -> IndexData:
    """The index of one panel's quotes alone (what a merge of that one part makes)."""
    part = index_part(texts, folded, tokenizer, glosses)
    return merge([Part(len(texts), lambda: (part, _Texts(folded)))], always)


def _numpy() -> Any:
    import numpy

    return numpy


def _vocabulary(parts: Sequence[Part], kept: list[int], always: Collection[str],
                earlier: Earlier | None) -> Counter[str]:
    """How many parts cut each term (a synonym counts as one more)."""
    counts: Counter[str] = Counter()
    if earlier is None:
        counts.update(w for w in always if len(w) > 1 and HAN.search(w) and len(w) <= MAX_TERM_CHARS)
    else:
        counts.update(dict(zip(earlier.data.terms, earlier.data.term_files, strict=True)))
        for vocab in earlier.removed:
            counts.subtract(vocab)
    for part, at in zip(parts, kept, strict=True):
        if at < 0:
            counts.update(part.contents()[0].vocab)
    return counts


def _doc_map(earlier: Earlier, sizes: list[int], kept: list[int], base: list[int]) -> numpy.ndarray:
    """Each earlier quote's new number, or -1 when its part is gone."""
    np = _numpy()
    doc_map = np.full(len(earlier.data.doc_len), -1, dtype=np.int32)
    for n, at in enumerate(kept):
        if at >= 0:
            doc_map[at:at + sizes[n]] = np.arange(base[n], base[n] + sizes[n], dtype=np.int32)
    return doc_map


def _carried(earlier: Earlier, doc_map: numpy.ndarray, term_id: dict[str, int]) -> list[tuple[Any, Any, Any]]:
    """The earlier postings of the quotes kept, renumbered, for the terms still known; in
    their earlier order, which is nearly the new one (see `_ordered`)."""
    np = _numpy()
    old = earlier.data
    term_map = np.array([term_id.get(t, -1) for t in old.terms], dtype=np.int32)
    counts = np.diff(np.frombuffer(old.post_ptr, dtype=np.int64))
    terms = np.repeat(term_map, counts)
    docs = doc_map[np.frombuffer(old.post_doc, dtype=np.int32)]
    keep = (docs >= 0) & (terms >= 0)
    return [(terms[keep], docs[keep], np.frombuffer(old.post_tf, dtype=np.uint16)[keep])]


def _found_where_stored(terms: list[str], term_id: dict[str, int], folded: Stored,
                        doc_map: numpy.ndarray) -> tuple[Any, Any, Any]:
    """Every (term, quote, count) of a few new Chinese `terms` in the kept quotes."""
    np = _numpy()
    found: list[tuple[int, int, int]] = []
    for term in terms:
        for old in folded.containing(term):
            if (new := int(doc_map[old])) >= 0:
                found.append((new, term_id[term], min(folded[old].count(term), 65535)))
    found.sort()
    return (np.array([t for _, t, _ in found], dtype=np.int32), np.array([d for d, _, _ in found], dtype=np.int32),
            np.array([c for _, _, c in found], dtype=np.uint16))


def _kept_texts(earlier: Earlier, sizes: list[int], kept: list[int], base: list[int]) -> Iterable[tuple[int, str]]:
    """The kept quotes' folded texts with their new numbers, read a run of neighbours at a time."""
    runs: list[list[int]] = []  # [earlier first, new first, size]
    for n, at in enumerate(kept):
        if at < 0:
            continue
        if runs and runs[-1][0] + runs[-1][2] == at and runs[-1][1] + runs[-1][2] == base[n] and runs[-1][2] < _RUN:
            runs[-1][2] += sizes[n]
        else:
            runs.append([at, base[n], sizes[n]])
    for at, first, size in runs:
        yield from zip(range(first, first + size), earlier.folded.between(at, at + size), strict=True)


def _substrings(terms: list[str], term_id: dict[str, int], texts: Iterable[tuple[int, str]],
                advance: Callable[[int], None], quotes: int = 0) -> tuple[Any, Any, Any]:
    """Every (term, quote, count) of Chinese `terms` in the (quote, folded text) pairs, several
    thousand quotes to one pass of the substring matcher. With many `quotes` to scan, worker
    processes forked from this one (sharing its matcher) scan batches while it reads the next."""
    np = _numpy()
    found_terms, found_docs, found_tfs = array("i"), array("i"), array("H")
    if not terms:  # the texts are not even read
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint16)
    import ahocorasick  # only merges need it

    global _matcher
    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term, (term_id[term], term))
    automaton.make_automaton()
    _matcher = automaton
    try:
        with contextlib.ExitStack() as stack:
            scanned: Iterable[tuple[bytes, bytes, bytes, int]] = map(_scan, _batches(texts))
            if (workers := workers_for(quotes, _PARALLEL_SCAN)) > 1:
                import multiprocessing  # only a large merge needs it

                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
                scanned = pool.imap(_scan, _batches(texts))
            for batch_terms, batch_docs, batch_tfs, size in scanned:
                found_terms.frombytes(batch_terms)
                found_docs.frombytes(batch_docs)
                found_tfs.frombytes(batch_tfs)
                advance(size)
    finally:
        _matcher = None
    return (np.frombuffer(found_terms, dtype=np.int32), np.frombuffer(found_docs, dtype=np.int32),
            np.frombuffer(found_tfs, dtype=np.uint16))


_matcher: Any = None  # the substring matcher of the running scan, which forked workers share
_PARALLEL_SCAN = 20_000  # quotes to scan below which one process is quicker than starting others


def _batches(texts: Iterable[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for item in texts:
        batch.append(item)
        if len(batch) >= _SCAN_DOCS:
            yield batch
            batch = []
    if batch:
        yield batch


def _scan(batch: list[tuple[int, str]]) -> tuple[bytes, bytes, bytes, int]:
    """One batch's (term, quote, count) triples, in quote order (so that ties need no putting
    right in `_scored`), as the bytes of their arrays."""
    joined = "\0".join(text for _, text in batch)
    starts, at = [], 0
    for _, text in batch:
        starts.append(at)
        at += len(text) + 1
    pairs: set[tuple[int, tuple[int, str]]] = set()
    for end, term in _matcher.iter(joined):
        pairs.add((bisect.bisect_right(starts, end) - 1, term))
    found_terms, found_docs, found_tfs = array("i"), array("i"), array("H")
    for n, (term, word) in sorted(pairs):
        found_terms.append(term)
        found_docs.append(batch[n][0])
        found_tfs.append(min(batch[n][1].count(word), 65535))
    return found_terms.tobytes(), found_docs.tobytes(), found_tfs.tobytes(), len(batch)


_CHUNK = 1 << 20  # postings scored at a time


def _scored(np: Any, terms: list[str], found: list[tuple[Any, Any, Any]], doc_len: array,  # type: ignore[type-arg]
            deep: array, files: numpy.ndarray, pinyin: dict[str, list[str]]) -> IndexData:  # type: ignore[type-arg]
    """BM25 impacts of every (term, quote, count), each term's postings best first (ties by
    quote): four bytes a posting for each column, and arithmetic in chunks."""
    term = np.concatenate([f[0] for f in found] or [np.zeros(0, np.int32)]).astype(np.int32, copy=False)
    doc = np.concatenate([f[1] for f in found] or [np.zeros(0, np.int32)]).astype(np.int32, copy=False)
    tf = np.concatenate([f[2] for f in found] or [np.zeros(0, np.uint16)]).astype(np.uint16, copy=False)
    found.clear()
    n_docs = len(doc_len)
    avg_len = sum(doc_len) / n_docs if n_docs else 1.0
    df = np.bincount(term, minlength=len(terms)).astype(np.int64)
    weight = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    lengths = np.frombuffer(doc_len, dtype=np.uint32) if n_docs else np.zeros(0, np.uint32)
    score = np.empty(len(term), dtype=np.float32)
    for at in range(0, len(term), _CHUNK):
        part = slice(at, at + _CHUNK)
        counts = tf[part].astype(np.float64)
        score[part] = weight[term[part]] * counts * (K1 + 1) / (counts + K1 * (1 - B + B * lengths[doc[part]] / avg_len))
    # Term first, then the score falling (a non-negative float's bits sort as it does), then
    # the quote: the input comes in quote order within a term, or nearly (carried from an
    # earlier merge), so a stable sort (timsort, a pass over nearly sorted runs) leaves ties
    # in quote order but for the few that `_in_quote_order` puts right.
    key = (term.astype(np.uint64) << np.uint64(32)) | (np.uint64(0xFFFFFFFF) - score.view(np.uint32))
    del term
    order = np.argsort(key, kind="stable")
    del key
    ptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    doc = doc[order]  # one column at a time: the old one is let go before the next is made
    score = score[order]
    tf = tf[order]
    del order
    _in_quote_order(np, ptr, doc, score, tf)
    return IndexData(terms, ptr, doc, score, doc_len, pinyin, array("i", sorted(deep)), tf, files)


def _in_quote_order(np: Any, ptr: numpy.ndarray, doc: numpy.ndarray, score: numpy.ndarray, tf: numpy.ndarray) -> None:
    """Within each run of equal scores of one term, the quotes in order (in place)."""
    tied = score[1:] == score[:-1]
    tied[ptr[1:-1][(ptr[1:-1] > 0) & (ptr[1:-1] < len(doc))] - 1] = False  # a new term starts: no tie
    wrong = tied & (doc[1:] < doc[:-1])
    if not wrong.any():
        return
    run = np.concatenate([[0], np.cumsum(~tied)])
    out_of_order = np.zeros(int(run[-1]) + 1, dtype=bool)
    out_of_order[run[1:][wrong]] = True
    places = np.flatnonzero(out_of_order[run])
    fixed = places[np.lexsort((doc[places], run[places]))]
    doc[places], score[places], tf[places] = doc[fixed], score[fixed], tf[fixed]


def _pinyin(terms: list[str], earlier: Earlier | None, known: dict[str, str]) -> dict[str, list[str]]:
    """Each all-Chinese term under its pinyin, from the parts (or the earlier merge) that had it."""
    if earlier is not None:
        known = {term: key for key, listed in earlier.data.pinyin.items() for term in listed} | known
    pinyin: dict[str, list[str]] = {}
    wanted = [t for t in terms if len(t) > 1 and all(HAN.match(c) for c in t)]
    if missing := [t for t in wanted if t not in known]:
        known = known | term_pinyin(missing)  # only when a part came without (one indexed alone)
    for term in wanted:
        pinyin.setdefault(known[term], []).append(term)
    return pinyin
