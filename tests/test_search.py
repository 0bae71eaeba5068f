"""Search over the seed panel: ranking, folding, recall, spans, filters."""

from __future__ import annotations

import pytest

from bot.errors import AmbiguousValueError, QueryError, UnknownValueError
from bot.library import Library
from bot.models import Query
from bot.search.fold import fold
from bot.search.tokenizer import Tokenizer

from .conftest import PANEL_ID


def ids(hits: list) -> list[str]:
    return [h.quote.id for h in hits]


def matched(hit) -> list[str]:
    return [hit.quote.text[a:b] for a, b in hit.spans]


def test_the_quote_most_about_a_word_comes_first(library: Library) -> None:
    hits = library.search(Query('算力'))
    assert ids(hits) == ["chen-shi-11", "ma-qian-li-8"]  # three mentions beat one
    assert hits[0].score > hits[1].score
    assert matched(hits[0]) == ["算力", "算力", "算力"]


def test_quotes_with_all_the_words_rank_first(library: Library) -> None:
    hits = library.search(Query('大模型 创业'), limit=5)
    both = [h for h in hits if "大模型" in h.quote.text and "创业" in h.quote.text]
    assert hits[: len(both)] == both and len(both) >= 2
    assert all("大模型" in h.quote.text or "创业" in h.quote.text for h in hits)


@pytest.mark.parametrize(("query", "same_as"), [
    ("數智人", "数智人"), ("ＧＰＴ４", "GPT4"), ("gpt4", "GPT4"), ("stable diffusion", "Stable Diffusion"),
    ("STABLE DIFFUSION", "Stable Diffusion"), ("奇瑞汽車", "奇瑞汽车"),
])
def test_folded_queries_find_the_same_quotes(library: Library, query: str, same_as: str) -> None:
    assert ids(library.search(Query(query))) == ids(library.search(Query(same_as))) != []


def test_traditional_query_highlights_the_simplified_text(library: Library) -> None:
    hit = library.search(Query('數智人'))[0]
    assert hit.quote.id == "lin-lai-ni-1"
    assert set(matched(hit)) == {"数智人"}


def test_full_width_query_highlights_ascii_text(library: Library) -> None:
    assert set(matched(library.search(Query('ＧＰＴ４'))[0])) == {"GPT4"}


@pytest.mark.parametrize(("query", "quote_id"), [
    ("奇瑞", "ma-qian-li-2"), ("柳叶熙", "lin-lai-ni-1"), ("魔珐", "lin-lai-ni-1"), ("应用层面", "chen-shi-14"),
    ("自贡", "zhu-lei-3"), ("钉钉", "chen-shi-14"), ("围棋", "ma-qian-li-8"),
])
def test_names_and_rare_words_are_found(library: Library, query: str, quote_id: str) -> None:
    assert quote_id in ids(library.search(Query(query)))


def test_a_word_inside_a_longer_token_is_found(library: Library) -> None:
    # jieba cuts 应用层面 as 应用/层面, yet 应用层 is in it.
    assert {"chen-shi-7", "chen-shi-14"} <= set(ids(library.search(Query('应用层'))))
    assert "ma-qian-li-2" in ids(library.search(Query('汽车')))
    assert "ma-qian-li-1" in ids(library.search(Query('模型'), limit=20))  # 大模型 holds 模型


def test_every_term_of_every_quote_finds_that_quote(library: Library) -> None:
    tokenizer = Tokenizer()
    for quote in library.quotes:
        if quote.speaker.is_moderator:
            continue
        for term in set(tokenizer.tokenize(fold(quote.text))):
            assert quote.id in ids(library.search(Query(term), limit=100)), (term, quote.id)


def test_every_two_characters_of_a_quote_find_it(library: Library) -> None:
    quote = library.quote(f"{PANEL_ID}/lin-lai-ni-2")
    text = fold(quote.text)
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        if pair.isalnum():
            assert quote.id in ids(library.search(Query(pair), limit=100)), pair


def test_spans_point_at_the_matched_words(library: Library) -> None:
    from bot.search.synonyms import SHIPPED, synonyms_of

    synonyms = synonyms_of(SHIPPED.read_text(encoding="utf-8"), "synonyms.txt")
    for query in ("大模型", "创新", "AI", "数据集 开源"):
        for hit in library.search(Query(query), limit=10):
            if hit.found_by:  # found by its question or its speaker's title: nothing in it to highlight
                assert not hit.spans and hit.found_by in ("question", "title")
                continue
            assert hit.spans, (query, hit.quote.id)
            words = {fold(query), *(w for word in fold(query).split() for w in synonyms.get(word, ()))}
            for start, end in hit.spans:  # words of the query or their synonyms, or parts; neighbours merge
                assert set(fold(hit.quote.text[start:end])) <= set("".join(words)), (query, hit.quote.id)


def test_pinyin_query_finds_chinese(library: Library) -> None:
    assert ids(library.search(Query('suanli'))) == ids(library.search(Query('算力')))
    assert ids(library.search(Query('suan li'))) == ids(library.search(Query('算力')))
    assert "chen-shi-8" in ids(library.search(Query('damoxing'), limit=10))


def test_moderator_questions_are_not_quotes_unless_asked_by_speaker(library: Library) -> None:
    assert all(not h.quote.speaker.is_moderator for h in library.search(Query('关键词'), limit=20))
    asked = library.search(Query('关键词', speaker='金磊'), limit=20)
    assert asked and all(h.quote.speaker.id == "jin-lei" for h in asked)


@pytest.mark.parametrize("name", ["陈石", "chen shi", "ChenShi", "chenshi", "CHEN-SHI", "chen-shi", " 陳石 "])
def test_speaker_filter_accepts_name_id_and_pinyin(library: Library, name: str) -> None:
    hits = library.search(Query('大模型', speaker=name), limit=10)
    assert hits and {h.quote.speaker.id for h in hits} == {"chen-shi"}


@pytest.mark.parametrize("name", ["同质化", "模型同质化和创新性", "tong-zhi-hua-he-chuang-xin"])
def test_topic_filter_accepts_name_id_and_a_distinctive_part(library: Library, name: str) -> None:
    hits = library.search(Query('创新', topic=name), limit=10)
    assert hits and {h.quote.topic.id for h in hits} == {"tong-zhi-hua-he-chuang-xin"}


def test_unknown_speaker_lists_the_closest_names(library: Library) -> None:
    with pytest.raises(UnknownValueError) as caught:
        library.search(Query('算力', speaker='chen shy'))
    assert "陈石 (chen shi)" in caught.value.suggestions
    assert str(caught.value).startswith("unknown speaker 'chen shy'; closest: 陈石 (chen shi)")


def test_unknown_topic_and_panel_list_the_closest(library: Library) -> None:
    with pytest.raises(UnknownValueError, match="unknown topic '感想'"):
        library.search(Query('', topic='感想'))
    with pytest.raises(UnknownValueError, match=f"closest: {PANEL_ID}"):
        library.search(Query('', panel='aigc-sumit-2023-roundtabel'))
    assert library.search(Query('算力', panel='aigc-summit'))  # a unique part of the id is enough


def test_a_part_shared_by_several_topics_is_ambiguous(library: Library) -> None:
    with pytest.raises(AmbiguousValueError) as caught:
        library.search(Query('', topic='新'))
    assert sorted(caught.value.matches) == ["中国 AIGC 新机遇", "模型同质化和创新性"]


def test_filters_combine(library: Library) -> None:
    hits = library.search(Query('', speaker='马千里', topic='大力出奇迹'), limit=10)
    assert ids(hits) == ["ma-qian-li-7", "ma-qian-li-8"]


def test_filtered_search_with_no_match_is_empty_not_an_error(library: Library) -> None:
    assert library.search(Query('算力', speaker='林莱尼')) == []


def test_query_of_only_punctuation_matches_nothing(library: Library) -> None:
    assert library.search(Query('？！…。,,')) == []


def test_bad_limits_and_huge_queries_are_clear_errors(library: Library) -> None:
    with pytest.raises(QueryError, match="limit"):
        library.search(Query('算力'), limit=0)
    with pytest.raises(QueryError, match="5000 characters"):
        library.search(Query('算' * 5000))


def test_random_respects_filters(library: Library) -> None:
    import random

    rng = random.Random(7)
    for _ in range(20):
        quote = library.random(Query(speaker='林莱尼'), rng=rng)
        assert quote is not None and quote.speaker.id == "lin-lai-ni"
    assert library.random(Query('算力', speaker='陈石'), rng=rng).id == "chen-shi-11"
    assert library.random(Query('算力', speaker='林莱尼')) is None


def test_context_gives_the_question_and_the_neighbours(library: Library) -> None:
    ctx = library.context("chen-shi-3")
    assert ctx.question.id == "jin-lei-1"
    assert [q.id for q in ctx.before] == ["chen-shi-2"]
    assert [q.id for q in ctx.after] == ["ma-qian-li-1"]
    assert library.context(f"{PANEL_ID}/chen-shi-6").question.id == "jin-lei-5"


def test_unknown_quote_id_suggests_close_ones(library: Library) -> None:
    with pytest.raises(UnknownValueError, match="chen-shi-3"):
        library.context("chen-shi-33")


def test_accents_fold_to_their_base_letter_and_are_highlighted_in_place(write_panel) -> None:  # type: ignore[no-untyped-def]
    import bot

    from .conftest import MINIMAL_PANEL

    panel = MINIMAL_PANEL.format(panel_id="p").replace("The engine weaves", "Élodie's engine weaves")
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    assert fold("Élodie Müller ǚ") == "elodie muller u" and len(fold("Élodie")) == len("Élodie")
    for typed in ("Elodie", "élodie", "ÉLODIE"):
        (hit,) = library.search(Query(typed))
        assert hit.quote.id == "q2" and hit.quote.text[slice(*hit.spans[0])] == "Élodie"


def test_an_organisers_synonyms_beside_the_panels_are_used_and_checked(write_panel, cli_main) -> None:  # type: ignore[no-untyped-def]
    import bot

    path = write_panel()
    (path.parent / "synonyms.txt").write_text("# mine\nloom, engine, 织布机\n", encoding="utf-8")
    library = bot.load_library(path.parent, use_cache=False)
    (exact,) = [h for h in library.search(Query("engine"), limit=5) if h.quote.id == "q2"]
    (other,) = library.search(Query("loom"), limit=5)
    assert other.quote.id == "q2" and 0 < other.score < exact.score  # a synonym weighs less than the word
    assert other.quote.text[slice(*other.spans[0])] == "engine"
    (path.parent / "synonyms.txt").write_text("loom, engine\nalone\n", encoding="utf-8")
    ran = cli_main("validate", str(path.parent))
    assert ran.code == 1 and ran.out.startswith(f"{path.parent / 'synonyms.txt'}:2: a group needs two words or more")


def test_every_unknown_name_gets_the_closest_known_ones_in_both_scripts(library: Library) -> None:
    with pytest.raises(UnknownValueError) as panel:
        library.search(Query("", panel="foo"))
    assert panel.value.suggestions == ["aigc-summit-2023-roundtable (中国 AIGC 新机遇)"]
    with pytest.raises(UnknownValueError) as topic:
        library.search(Query("", topic="感想"))
    assert topic.value.suggestions[0] == "感受 (gan shou) · Feelings"
    assert {h.quote.topic.id for h in library.search(Query("", topic="feeling"), limit=20)} == {"gan-shou"}


def test_numbers_names_and_titles_as_users_type_them(write_panel) -> None:  # type: ignore[no-untyped-def]
    import bot

    from .conftest import MINIMAL_PANEL

    panel = (MINIMAL_PANEL.format(panel_id="p")
             .replace("What can engines do?", "We tried Llama 2 and GPT-4; AI 2023 was the year.")
             .replace("The engine weaves algebraic patterns.", "In 2023 AI moved fast, an engine every 2 days.")
             .replace("title: Analyst", "title: Engine Research Institute director")
             .replace("speaker: host", "speaker: ada"))  # both quotes a panelist's
    library = bot.load_library(write_panel(panel).parent, use_cache=False)

    def ids(words: str) -> list[str]:
        return [h.quote.id for h in library.search(Query(words), limit=10)]

    assert ids("2")[0] == "q2" and ids("4") == []  # "every 2 days" first; never the 4 of GPT-4
    assert ids("GPT 4") == ["q1"] and ids("Llama-2") == ["q1"]
    assert sorted(ids("AI 2023")) == ["q1", "q2"]  # a year after a word is a year, not a model's number
    assert ids("engine")[0] == "q2"  # a word that starts a title: the quote that says it first


def test_a_changed_synonyms_file_is_used_at_the_next_start(write_panel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import bot

    path = write_panel()
    (path.parent / "synonyms.txt").write_text("loom, engine\n", encoding="utf-8")
    assert bot.load_library(path.parent, cache_dir=tmp_path / "c").search(Query("loom"))
    (path.parent / "synonyms.txt").write_text("spindle, engine\n", encoding="utf-8")  # Latin words only changed
    library = bot.load_library(path.parent, cache_dir=tmp_path / "c")
    assert library.search(Query("spindle")) and not library.search(Query("loom"))


def test_decomposed_accents_are_the_accented_letters(library: Library) -> None:
    assert ids(library.search(Query("su\u0300an li\u0300"))) == ids(library.search(Query("suàn lì")))
    assert ids(library.search(Query("jia\u0304o lu\u0308\u0300")))[0] == "ma-qian-li-3"


def test_a_synonym_no_quote_says_is_a_term_without_quotes() -> None:
    """So that searching for it reads an empty list rather than scanning every quote."""
    from bot.search.merging import index_of
    from bot.search.tokenizer import Tokenizer

    data = index_of(["大模型的算力"], ["大模型的算力"], Tokenizer(), always=["计算能力", "力"])
    at = data.terms.index("计算能力")
    assert data.post_ptr[at] == data.post_ptr[at + 1] and "力" not in data.terms
