"""What a search index holds, and how it is built from folded quote texts.

Every term jieba finds becomes a posting list sorted by BM25 impact, best first, so a
one-word search reads only the first few entries. Chinese terms of two or more characters
match as substrings of the folded text (模型 is in 大模型, 应用层 in 应用层面, whatever jieba
cut); single characters and phrases no term covers are found by scanning the folded text when
asked for. ASCII terms match as whole words.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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


Column = Any  # an array or numpy array when built, a memoryview when mapped from the cache


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
    # What a later merge needs: each posting's term count, and how many panel files cut each term.
    post_tf: Column = field(default_factory=lambda: array("H"))
    term_files: Column = field(default_factory=lambda: array("I"))


class Step(Protocol):
    """How a long build tells its progress (see `bot.panels.progress.Progress`)."""

    def advance(self, count: int = 1) -> None: ...
    def close(self) -> None: ...


class _Silent:
    def advance(self, count: int = 1) -> None:
        """Nobody is told."""

    def close(self) -> None:
        """Nothing to close."""


@dataclass(slots=True)
class PartIndex:
    """What one panel file's quotes give the index, before it is merged with the others': the
    terms jieba cut them into, their lengths, and the postings that are theirs alone (Latin
    words, model names, English terms of the glosses: found in the quote that says them).
    Chinese terms match as substrings of any quote, so their postings are made at the merge."""

    vocab: list[str]  # sorted
    doc_len: Column  # I
    local_term: Column  # i, positions in vocab
    local_doc: Column  # i
    local_tf: Column  # H
    deep: Column  # i: quotes `fold_width_and_case` does not fold fully
    pinyin: dict[str, str] = field(default_factory=dict)  # of its all-Chinese terms (and of `always`)


def is_substring_term(term: str) -> bool:
    """A term matched as a substring of folded text (Chinese), not as a whole word."""
    return bool(HAN.search(term)) and not term.startswith(ENGLISH)


def index_part(texts: Sequence[str], folded: Sequence[str], tokenizer: Tokenizer,
               glosses: Sequence[str | None] = (), step: Step | None = None, always: Sequence[str] = ()) -> PartIndex:
    """Cut one panel's quotes (given folded too; quote i is document i) and their English
    glosses into terms; `step` is told of each quote cut. The pinyin of the terms (and of the
    words in `always`) is worked out here, where jieba's process pays for loading pypinyin, so
    that a merge never does."""
    step = step or _Silent()
    vocab: set[str] = set()
    doc_len = array("I")
    counted: list[tuple[int, Counter[str]]] = []
    for doc, (count, cut) in enumerate(cut_all(folded, tokenizer, MAX_TERM_CHARS, step.advance)):
        doc_len.append(max(1, count))
        names = {name for name in names_in(folded[doc]) if len(name) <= MAX_TERM_CHARS}
        vocab.update(t for t in cut if not (len(t) == 1 and HAN.match(t)))  # a character is scanned for
        vocab.update(names)
        words = Counter[str]()
        for word in {t for t in cut if not HAN.search(t)} | names:
            if tf := len(_word_finder(word).findall(folded[doc])):
                words[word] = min(tf, 65535)
        gloss = glosses[doc] if doc < len(glosses) else None
        if gloss:
            english = Counter(t for t in english_terms(gloss) if len(t) <= MAX_ENGLISH_TERM)
            vocab.update(english)
            words.update({term: min(tf, 65535) for term, tf in english.items()})
        if words:
            counted.append((doc, words))
    step.close()
    terms = sorted(vocab)
    position = {term: n for n, term in enumerate(terms)}
    local_term, local_doc, local_tf = array("i"), array("i"), array("H")
    for doc, words in counted:
        for word, tf in sorted(words.items()):
            local_term.append(position[word])
            local_doc.append(doc)
            local_tf.append(tf)
    deep = array("i", (doc for doc, (t, f) in enumerate(zip(texts, folded)) if fold_width_and_case(t) != f))
    return PartIndex(terms, doc_len, local_term, local_doc, local_tf, deep, term_pinyin([*terms, *always]))


def term_pinyin(terms: Sequence[str]) -> dict[str, str]:
    """Each all-Chinese term's pinyin, syllables together: how it is found when typed in pinyin."""
    return {t: _pinyin_of(t) for t in terms if len(t) > 1 and all(HAN.match(c) for c in t)}


@functools.lru_cache(maxsize=1 << 16)
def _pinyin_of(term: str) -> str:
    # Panels share most of their words: each is worked out once in a process.
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(term))


@functools.lru_cache(maxsize=4096)
def _word_finder(word: str) -> re.Pattern[str]:
    return re.compile(word_pattern(word))


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def impact(idf: float, tf: int, length: int, avg_len: float) -> float:
    """BM25's contribution of one term to one quote's score."""
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_len))
