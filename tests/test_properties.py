"""Properties that must hold for any query: no crash, bounded results, spans inside the text."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.command import parse_command
from bot.errors import QueryError, QuoteBotError
from bot.library import MAX_QUERY_CHARS, Library
from bot.models import Query

WORDS = st.sampled_from(["算力", "大模型", "數智人", "ＧＰＴ４", "suanli", "chen shi", "AI", "的", "奇瑞", "应用层"])
QUERIES = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), max_size=30),
    st.lists(WORDS, max_size=5).map(" ".join),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=40),
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(query=QUERIES, limit=st.integers(min_value=1, max_value=20))
def test_no_query_crashes_the_search(library: Library, query: str, limit: int) -> None:
    hits = library.search(Query(query), limit=limit)
    assert len(hits) <= limit
    assert len({h.quote.ref for h in hits}) == len(hits)
    for hit in hits:
        assert not hit.quote.speaker.is_moderator
        assert all(0 <= a < b <= len(hit.quote.text) for a, b in hit.spans)
    scores = [h.score for h in hits]
    # Quotes matching more of a query's pieces rank first, so only a one-piece query is sorted by
    # score alone: one word (`A:S` is two) or one Chinese character (a longer run may cut in two).
    one_piece = len(re.findall(r"[^\W_]+", query)) <= 1 and not re.search(r"[\u3400-\u9fff]{2}", query)
    assert scores == sorted(scores, reverse=True) or not one_piece


@FAST
@given(query=st.text(min_size=MAX_QUERY_CHARS + 1, max_size=MAX_QUERY_CHARS + 50))
def test_overlong_queries_are_refused_cleanly(library: Library, query: str) -> None:
    with pytest.raises(QueryError, match="characters long"):
        library.search(Query(query))


@FAST
@given(text=st.text(max_size=80))
def test_no_command_text_crashes_the_parser(text: str) -> None:
    try:
        command = parse_command(text)
    except QuoteBotError:
        return
    assert command.action in {"search", "random", "help", "speakers", "topics", "panels", "context"}
