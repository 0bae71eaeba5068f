"""Every way of ranking a search of several words gives what plain BM25 gives (STYLE rule 22).

A search of several words takes one of four paths by the size of its lists: short lists added
up in a dict; the pass over every quote of the rarest word; the threshold walk when every
word is broad; and, when too few quotes hold every word, the ranking of those that hold any.
The corpus below is big enough for each, and every answer is checked against BM25 worked out
here from the texts alone.
"""

from __future__ import annotations

import math
import random
import re

import pytest

from bot.search import ranking
from bot.search.index import K1, B
from bot.search.merging import index_of
from bot.search.ranking import Searcher
from bot.search.segment import Piece
from bot.search.tokenizer import Tokenizer

# Words by how many quotes say them: in about a third, one in twenty, one in two hundred.
BROAD = ["模型", "数据", "创业", "机会"]
MIDDLE = ["焦虑", "开源"]
RARE = ["芯片", "监管"]
FILLER = ["我们", "觉得", "今天", "这个", "非常", "重要", "时候", "大家", "问题", "一起"]
QUOTES = 6000


class _Texts(list[str]):
    def containing(self, needle: str) -> list[int]:
        return [n for n, text in enumerate(self) if needle in text]


def _corpus() -> list[str]:
    pick = random.Random(14)
    texts = []
    for _ in range(QUOTES):
        words = pick.choices(FILLER, k=pick.randint(2, 30))
        for word in BROAD:
            if pick.random() < 0.33:
                words += [word] * pick.choice((1, 1, 1, 2, 3))
        for word, share in [*((w, 0.05) for w in MIDDLE), *((w, 0.005) for w in RARE)]:
            if pick.random() < share:
                words += [word] * pick.choice((1, 2))
        pick.shuffle(words)
        texts.append("，".join(words))
    return texts


@pytest.fixture(scope="module")
def searcher() -> tuple[Searcher, list[str], list[int]]:
    texts = _corpus()
    data = index_of(texts, texts, Tokenizer())
    return Searcher(data, _Texts(texts)), texts, list(data.doc_len)


def _reference(texts: list[str], lengths: list[int], words: list[str], allowed: bytearray) -> list[tuple[int, int, float]]:
    """(quote, words held, BM25 score) of every allowed quote holding a word, best first."""
    average = sum(lengths) / len(lengths)
    scored = []
    counts = {word: [len(re.findall(re.escape(word), text)) for text in texts] for word in words}
    weights = {word: math.log(1 + (len(texts) - (df := sum(1 for c in counts[word] if c)) + 0.5) / (df + 0.5))
               for word in words}
    for doc, length in enumerate(lengths):
        held = [(word, counts[word][doc]) for word in words if counts[word][doc]]
        if held and allowed[doc]:
            score = sum(weights[w] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average)) for w, tf in held)
            scored.append((doc, len(held), score))
    return sorted(scored, key=lambda hit: (-hit[1], -hit[2], hit[0]))


def _filter(kind: str) -> bytearray:
    pick = random.Random(kind)
    share = {"all": 1.0, "half": 0.5, "narrow": 0.02}[kind]
    return bytearray(1 if pick.random() < share else 0 for _ in range(QUOTES))


@pytest.mark.parametrize("words", [
    ["模型", "数据"], ["创业", "机会", "模型"], ["数据", "焦虑"], ["焦虑", "开源"], ["芯片", "监管"],
    ["芯片", "模型"], ["模型", "数据", "创业", "机会"],
])
@pytest.mark.parametrize("kind", ["all", "half", "narrow"])
@pytest.mark.parametrize("k", [1, 5, 50])
@pytest.mark.parametrize("first_read", [None, 2])
def test_several_words_rank_as_plain_bm25(searcher, words: list[str], kind: str, k: int, first_read: int | None,  # type: ignore[no-untyped-def]
                                          monkeypatch) -> None:
    """With the threshold walk's first read as shipped, and so small that it takes many rounds."""
    if first_read:
        monkeypatch.setattr(ranking, "_FIRST_READ", first_read)
    search, texts, lengths = searcher
    pieces = search.pieces(" ".join(words))
    assert [(p.kind, p.text) for p in pieces] == [("term", w) for w in words]
    allowed = _filter(kind)
    expected = _reference(texts, lengths, words, allowed)[:k]
    got = search.search(pieces, k, allowed)
    assert len(got) == len(expected) > 0
    by_doc = {doc: (held, score) for doc, held, score in _reference(texts, lengths, words, allowed)}
    for (doc, score, _), (_, held, best) in zip(got, expected, strict=True):
        assert score == pytest.approx(by_doc[doc][1], rel=1e-5)  # the score it was given is its own
        assert (by_doc[doc][0], score) == (held, pytest.approx(best, rel=1e-5))  # and the place is right
    for (doc, _, _), (other, _, _) in zip(got, expected, strict=True):
        if doc != other:  # only two scores BM25 tells apart and float32 does not may swap; a tie goes to the lower quote
            assert by_doc[doc] != by_doc[other] and by_doc[doc][1] == pytest.approx(by_doc[other][1], rel=1e-5)
    cut = expected[-1][2]
    clearly_in = {doc for doc, held, score in expected if held > expected[-1][1] or score > cut * (1 + 1e-5)}
    assert clearly_in <= {doc for doc, _, _ in got}


def test_every_path_is_taken_by_these_searches(searcher) -> None:  # type: ignore[no-untyped-def]
    """The corpus is sized so that the comparisons above reach each way of ranking."""
    texts = searcher[1]
    quotes = {w: sum(1 for t in texts if w in t) for w in BROAD + MIDDLE + RARE}
    assert all(quotes[w] * 16 >= QUOTES for w in BROAD)  # 模型 数据: the threshold walk
    assert quotes["数据"] + quotes["焦虑"] > 1024 and quotes["焦虑"] * 16 < QUOTES  # the pass over the rarest
    assert quotes["芯片"] + quotes["监管"] <= 1024  # the dict
    assert quotes["芯片"] + quotes["模型"] > 1024  # and with a broad word, the pass, then:
    assert sum(1 for t in texts if "芯片" in t and "模型" in t) < 50  # too few hold both: any is ranked
    assert quotes["模型"] > 2 * 512  # the walk reads more than one round before the last list ends


@pytest.mark.parametrize("text", ["芯片，我们", "监管，大家", "模型，数据", "片，监", "，，"])
@pytest.mark.parametrize("kind", ["all", "narrow"])
def test_chinese_no_term_covers_is_found_as_plain_counting_finds_it(searcher, text: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    """Text that is no term is looked for in the quotes of the rarest term inside it when
    that term is rare (芯片, 监管), else in every text (模型 and 数据 are broad; 片，监 holds no
    term): either way the answer is what counting it in every quote gives."""
    search, texts, lengths = searcher
    allowed = _filter(kind)
    average = sum(lengths) / len(lengths)
    counts = [len(re.findall(re.escape(text), t)) for t in texts]
    df = sum(1 for c in counts if c)
    weight = math.log(1 + (len(texts) - df + 0.5) / (df + 0.5))
    expected = sorted(((-weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average)), doc)
                       for doc, (tf, length) in enumerate(zip(counts, lengths)) if tf and allowed[doc]))[:20]
    got = search.search([Piece("substring", text)], 20, allowed)
    assert [doc for doc, _, _ in got] == [doc for _, doc in expected]
    assert [score for _, score, _ in got] == pytest.approx([-score for score, _ in expected], rel=1e-5)
    assert df > 0 or not got
