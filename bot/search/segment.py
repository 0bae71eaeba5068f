"""Cutting a folded query into pieces the index knows, without loading jieba.

The index already holds every term jieba produced for the quotes, with its document
frequency; cutting the query on that vocabulary with jieba's own method (the most probable
path through the word graph) gives the same terms jieba would have matched, at a fraction
of the start-up cost. Chinese that is not a term is searched as a substring, ASCII words
that are not terms as pinyin or as the prefix of a word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .english import STOP_WORDS
from .english import query_term as english_term
from .index import NUMBER

_RUN = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|([a-z0-9ü][a-z0-9ü+#&._%-]*)|(\s+)|(.)", re.DOTALL)
_NUMBER = re.compile(NUMBER)
_TONED = re.compile(r"(?:[a-zü]+[1-5])+")  # suan4, li4, lü4, zhong1guo2
_SYLLABLE = re.compile(  # a Mandarin syllable in pinyin (a few it allows do not exist: no harm)
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|in|un|ün|vn|ia|ie|iu|ua|uo|ui"
    r"|ue|üe|ve|er|a|o|e|i|u|ü|v|n|ng|m)")
# Words too common to rank by; dropped from a query unless nothing else is left.
STOPWORDS = frozenset((
    "的", "了", "是", "在", "和", "与", "及", "也", "就", "都", "而", "着", "或", "吗", "呢", "啊", "吧",
    "我", "你", "他", "她", "它", "这", "那", "有", "个", "一个", "我们", "他们", "一些",
))
MAX_PINYIN_PIECES = 4


@dataclass(frozen=True, slots=True)
class Piece:
    """One part of a query: an index `term`, a Chinese `substring`, a word `prefix`, or
    `pinyin` standing for the index terms in `alternatives` (pinyin's, and a word's English
    gloss term where it has one)."""

    kind: str
    text: str
    alternatives: tuple[str, ...] = ()
    part_of: str = ""  # the run of Chinese this word was cut from, when the run is a piece too
    synonyms: tuple[str, ...] = ()  # other words for it (数字人: 数智人, 虚拟人), matched at a lower weight


def cut_han(run: str, vocab: Mapping[str, int], max_len: int, log_total: float) -> list[str]:
    n = len(run)
    best: list[tuple[float, int]] = [(0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        candidates = []
        for j in range(i + 1, min(n, i + max_len) + 1):
            freq = vocab.get(run[i:j])
            if freq is None and j > i + 1:
                continue
            candidates.append((math.log(freq or 1) - log_total + best[j][0], j))
        best[i] = max(candidates)
    words, i = [], 0
    while i < n:
        j = best[i][1]
        words.append(run[i:j])
        i = j
    return words


def _han_pieces(run: str, vocab: Mapping[str, int], max_len: int, log_total: float) -> list[Piece]:
    """A run of Chinese: its words, plus the whole run as a phrase when it takes several.

    The search looks for the phrase alone when a quote says it (强化学习, not 学习 anywhere), and
    for its words only when none does. Single characters among longer words are dropped: 集
    alone would match 集团.
    """
    pieces: list[Piece] = []
    loose = ""
    for word in cut_han(run, vocab, max_len, log_total):
        if word in vocab:
            if loose:
                pieces.append(Piece("substring", loose))
                loose = ""
            pieces.append(Piece("term", word))
        else:
            loose += word  # neighbouring characters no term covers belong together: 奇瑞
    if loose:
        pieces.append(Piece("substring", loose))
    if len(pieces) == 1:
        return pieces
    words = [p for p in pieces if len(p.text) > 1] or pieces
    return [Piece("substring", run), *(Piece(p.kind, p.text, p.alternatives, part_of=run) for p in words)]


def _pinyin_split(word: str, pinyin: Mapping[str, tuple[str, ...]]) -> list[str] | None:
    """`word` cut into the fewest pinyin keys of index terms, or None."""
    n = len(word)
    fewest: list[list[str] | None] = [None] * (n + 1)
    fewest[n] = []
    for i in range(n - 1, -1, -1):
        for j in range(n, i, -1):
            rest, current = fewest[j], fewest[i]
            if rest is not None and word[i:j] in pinyin and (current is None or len(rest) + 1 < len(current)):
                fewest[i] = [word[i:j], *rest]
    found = fewest[0]
    return found if found is not None and len(found) <= MAX_PINYIN_PIECES else None


def _joined_name(word: str) -> str:
    """gpt-4 as the index has it, gpt4."""
    return re.sub(r"^([a-z]+)-([0-9])", r"\1\2", word)


def _toneless(word: str) -> str:
    """Pinyin's tone numbers dropped (suan4 -> suan, zhong1guo2 -> zhongguo); gpt4 stays."""
    if _TONED.fullmatch(word) and all(_SYLLABLE.fullmatch(s) for s in re.split(r"[1-5]", word)[:-1]):
        return re.sub(r"[1-5]", "", word)
    return word


def _ascii_pieces(typed: list[str], vocab: Mapping[str, int], pinyin: Mapping[str, tuple[str, ...]]) -> list[Piece]:
    """Words in Latin letters: index terms, pinyin of terms (with or without spaces and tones),
    or prefixes of words. A typed ü is pinyin's v where that spells pinyin, else u (über)."""
    words: list[str] = []
    for word in typed:
        if word in vocab or _joined_name(word) in vocab:
            words.append(word)
        elif "-" in word.strip("-"):  # open-source, text-to-image: the words apart, as the glosses have them
            words += [_toneless(part) for part in word.split("-") if part]
        else:
            words.append(_toneless(word))
    if not any("ü" in word for word in words):
        return _latin_pieces(words, vocab, pinyin)
    as_v = _latin_pieces([w.replace("ü", "v") for w in words], vocab, pinyin)
    as_u = _latin_pieces([w.replace("ü", "u") for w in words], vocab, pinyin)
    return min(as_v, as_u, key=lambda pieces: sum(p.kind == "prefix" for p in pieces))


def _latin_pieces(words: list[str], vocab: Mapping[str, int], pinyin: Mapping[str, tuple[str, ...]]) -> list[Piece]:
    """Each word, or run of words, as what the index has for it: a term of the quotes, pinyin
    of their terms, an English word of their glosses (en:), or else the start of a word. A word
    that is both a term or pinyin and an English gloss word stands for either."""
    pieces: list[Piece] = []
    i = 0
    while i < len(words):
        english = english_term(words[i]) if words[i].isalpha() else None
        english = english if english in vocab else None
        # `chen shi` and `chenshi` alike: the longest run of words that spells an index term.
        for j in range(len(words), i, -1):
            joined = "".join(words[i:j])
            if joined in pinyin and (j > i + 1 or joined not in vocab):
                also = (english,) if english and j == i + 1 else ()
                pieces.append(Piece("pinyin", joined, (*pinyin[joined], *also)))
                break
        else:
            j = i + 1
            word = _joined_name(words[i])
            if j < len(words) and words[i].isalpha() and _NUMBER.fullmatch(words[j]) and \
                    (words[i] + words[j] in vocab or words[i] not in vocab):
                word, j = words[i] + words[j], j + 1  # gpt 4, llama 2: one name, never a lone 4
                english = None
            if word in vocab:
                pieces.append(Piece("pinyin", word, (word, english)) if english else Piece("term", word))
            elif english:
                pieces.append(Piece("term", english))
            elif split := _pinyin_split(word, pinyin):
                pieces.extend(Piece("pinyin", key, pinyin[key]) for key in split)
            elif word not in STOP_WORDS:
                pieces.append(Piece("prefix", word))
        i = j
    return pieces


def segment(folded: str, vocab: Mapping[str, int], pinyin: Mapping[str, tuple[str, ...]],
            max_len: int, log_total: float) -> list[Piece]:
    """The pieces of a folded query, stop words dropped unless nothing else is left."""
    pieces: list[Piece] = []
    ascii_words: list[str] = []
    for han, word, space, _other in _RUN.findall(folded):
        if word:
            ascii_words.append(word)
            continue
        if space:
            continue
        if ascii_words:
            pieces.extend(_ascii_pieces(ascii_words, vocab, pinyin))
            ascii_words = []
        if han:  # anything else (punctuation, emoji) only ends a run of words
            pieces.extend(_han_pieces(han, vocab, max_len, log_total))
    if ascii_words:
        pieces.extend(_ascii_pieces(ascii_words, vocab, pinyin))
    unique = list({(p.kind, p.text): p for p in pieces}.values())
    meaningful = [p for p in unique if p.text not in STOPWORDS]
    return meaningful or unique
