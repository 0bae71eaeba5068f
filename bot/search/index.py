"""What a search index holds, and how it is built from folded quote texts.

Every term jieba finds becomes a posting list sorted by BM25 impact, best first, so a
one-word search reads only the first few entries. Chinese terms of two or more characters
match as substrings of the folded text (模型 is in 大模型, 应用层 in 应用层面, whatever jieba
cut); single characters and phrases no term covers are found by scanning the folded text when
asked for. ASCII terms match as whole words.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from .cutting import cut_all
from .english import PREFIX as ENGLISH
from .english import terms as english_terms
from .fold import fold_width_and_case
from .tokenizer import HAN, Tokenizer

K1, B = 1.2, 0.75
MAX_TERM_CHARS = 16
MAX_ENGLISH_TERM = 28  # en:internationalization


# A model's number: up to three digits (a decimal, a letter after: 3.5, 4o, 70b), not a year.
NUMBER = r"(?:[0-9]{1,3}(?:\.[0-9]+)?[a-z]*|[0-9]+[a-z][a-z0-9]*)"
NAME = re.compile(rf"(?<![a-z0-9])([a-z]+)[ \-]?({NUMBER})(?![a-z0-9.])")  # gpt-4, llama 2, h100, gpt-3.5
_NAME_WORD = re.compile(rf"([a-z]+)({NUMBER})")
_NUMBER = re.compile(NUMBER)


def word_pattern(word: str) -> str:
    """A regular expression for an ASCII word standing whole, not inside another. A product
    or model name (letters, then a number) is one word however it is written: gpt4 is found
    as GPT4, GPT-4 and GPT 4."""
    if name := _NAME_WORD.fullmatch(word):
        return r"(?<![a-z0-9])" + re.escape(name[1]) + r"[ \-]?" + re.escape(name[2]) + r"(?![a-z0-9])"
    if _NUMBER.fullmatch(word):  # a number standing alone, not the 4 of GPT-4 (after a space it may be either)
        return r"(?<![a-z0-9])(?<![a-z]-)" + re.escape(word) + r"(?![a-z0-9])"
    return r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])"


def names_in(folded: str) -> set[str]:
    """The product and model names in folded text, each as one word: gpt-4 and gpt 4 as gpt4."""
    return {match[1] + match[2] for match in NAME.finditer(folded)}


Column = array | memoryview  # type: ignore[type-arg]


@dataclass(slots=True)
class IndexData:
    """What an index is made of, in a form that is cheap to store and to load."""

    terms: list[str]
    # Each an array when built, a memoryview when mapped from the cache.
    post_ptr: Column  # term i's postings are [ptr[i], ptr[i+1])
    post_doc: Column
    post_score: Column
    doc_len: Column
    pinyin: dict[str, list[str]]
    deep_folded: Column  # quotes `fold_width_and_case` does not fold fully


class Step(Protocol):
    """How a long build tells its progress (see `bot.panels.progress.Progress`)."""

    def advance(self, count: int = 1) -> None: ...
    def close(self) -> None: ...


class _Silent:
    def advance(self, count: int = 1) -> None:
        """Nobody is told."""

    def close(self) -> None:
        """Nothing to close."""


def build(texts: Sequence[str], folded: Sequence[str], tokenizer: Tokenizer,
          glosses: Sequence[str | None] = (), step: Callable[[str, int], Step] | None = None,
          always: Collection[str] = ()) -> IndexData:
    """Index quote texts, given folded (quote i is document i), and their English glosses
    (`glosses[i]`, when given) as `en:` terms of the same quotes. `step(what, total)` is told
    how far each pass has got. The Chinese words in `always` (the synonyms) are terms even
    where no quote says them, so a search for one never scans every quote to learn that."""
    step = step or (lambda what, total: _Silent())
    import ahocorasick  # the substring matcher is only needed to build
    from pypinyin import lazy_pinyin

    # Pass 1: jieba over every quote, keeping only what pass 2 needs (not the token lists).
    vocab: set[str] = set()
    doc_len = array("I")
    words_of: dict[int, set[str]] = {}
    english: dict[int, Counter[str]] = {}
    for doc, gloss in enumerate(glosses):
        if gloss and (counted := Counter(t for t in english_terms(gloss) if len(t) <= MAX_ENGLISH_TERM)):
            english[doc] = counted
            vocab.update(counted)
    cutting = step("segmenting quotes", len(folded))
    for doc, (count, cut) in enumerate(cut_all(folded, tokenizer, MAX_TERM_CHARS, cutting.advance)):
        doc_len.append(max(1, count))
        names = {name for name in names_in(folded[doc]) if len(name) <= MAX_TERM_CHARS}
        vocab.update(cut)
        vocab.update(names)
        if words := {t for t in cut if not HAN.search(t)} | names:
            words_of[doc] = words
    cutting.close()
    always = {w for w in always if len(w) > 1 and HAN.search(w) and len(w) <= MAX_TERM_CHARS}
    vocab.update(always)
    # One Chinese character is no term: a scan finds it when asked.
    terms_sorted = sorted(t for t in vocab if not (len(t) == 1 and HAN.match(t)))
    han_terms = [t for t in terms_sorted if HAN.search(t) and not t.startswith(ENGLISH)]
    automaton = ahocorasick.Automaton()
    for term in han_terms:
        automaton.add_word(term, term)
    if han_terms:
        automaton.make_automaton()
    patterns: dict[str, re.Pattern[str]] = {}

    # Pass 2: every term's quotes and counts, Chinese terms as substrings of the folded text.
    docs_of: dict[str, array[int]] = defaultdict(lambda: array("i"))
    tfs_of: dict[str, array[int]] = defaultdict(lambda: array("H"))
    counting = step("counting terms", len(folded))
    for doc, text in enumerate(folded):
        counting.advance()
        present = {term for _, term in automaton.iter(text)} if han_terms else set()
        for term in present:
            docs_of[term].append(doc)
            tfs_of[term].append(min(text.count(term), 65535))
        for word in words_of.get(doc, ()):
            pattern = patterns.get(word) or patterns.setdefault(word, re.compile(word_pattern(word)))
            if tf := len(pattern.findall(text)):
                docs_of[word].append(doc)
                tfs_of[word].append(min(tf, 65535))
        for term, tf in english.pop(doc, {}).items():
            docs_of[term].append(doc)
            tfs_of[term].append(min(tf, 65535))

    counting.close()
    n_docs = len(folded)
    avg_len = sum(doc_len) / n_docs if n_docs else 1.0
    terms = [t for t in terms_sorted if t in docs_of or t in always]
    post_ptr, post_doc, post_score = array("q", [0]), array("i"), array("f")
    for term in terms:
        docs, tfs = docs_of.pop(term, array("i")), tfs_of.pop(term, array("H"))
        weight = idf(n_docs, len(docs))
        scored = sorted((-impact(weight, tf, doc_len[doc], avg_len), doc) for doc, tf in zip(docs, tfs))
        post_doc.extend(doc for _, doc in scored)
        post_score.extend(-score for score, _ in scored)
        post_ptr.append(len(post_doc))
    pinyin: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if HAN.fullmatch(term[0]) and len(term) > 1 and all(HAN.match(c) for c in term):  # not en: terms
            pinyin["".join(lazy_pinyin(term))].append(term)
    deep = array("i", (doc for doc, (t, f) in enumerate(zip(texts, folded)) if fold_width_and_case(t) != f))
    return IndexData(terms, post_ptr, post_doc, post_score, doc_len, dict(pinyin), deep)


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def impact(idf: float, tf: int, length: int, avg_len: float) -> float:
    """BM25's contribution of one term to one quote's score."""
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_len))
