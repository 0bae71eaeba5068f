"""Quote columns: texts end to end in memory or in a file read with pread, quotes made on demand."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot
from bot.panels import columns
from bot.panels.columns import StoredBytes, TextColumn
from bot.panels.sections import map_sections, write_sections

TEXTS = st.lists(st.text(alphabet="大模型算力ab c，\n", max_size=12), max_size=12)


def _stored(texts: list[str], folder: Path) -> TextColumn:
    raw, starts = TextColumn.of(texts).raw()
    file = folder / "texts.bin"
    write_sections(file, b"TESTFMT1", {"before": b"x" * 13, "texts": raw, "texts.at": starts})
    sections = map_sections(file, b"TESTFMT1")
    return TextColumn(StoredBytes(file.open("rb", buffering=0)), sections["texts.at"], sections.offsets["texts"])


@settings(max_examples=150, deadline=None)
@given(texts=TEXTS, needle=st.text(alphabet="大模型算力ab c，", min_size=1, max_size=3), scan=st.sampled_from([1, 2, 5, 64]))
def test_a_stored_column_reads_and_finds_like_a_list(tmp_path_factory: pytest.TempPathFactory, texts: list[str],
                                                     needle: str, scan: int) -> None:
    folder = tmp_path_factory.mktemp("column")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "_SCAN", scan)  # reads a few texts at a time
        for column in (TextColumn.of(texts), _stored(texts, folder)):
            assert list(column) == texts and len(column) == len(texts)
            # Never a match made of one text's end and the next one's start.
            assert column.containing(needle) == [n for n, text in enumerate(texts) if needle in text]


def test_a_truncated_or_foreign_cache_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "f.bin"
    write_sections(file, b"TESTFMT1", {"a": b"abc"})
    file.write_bytes(file.read_bytes()[:-9])
    with pytest.raises(ValueError, match="truncated"):
        map_sections(file, b"TESTFMT1")
    with pytest.raises(ValueError, match="version"):
        map_sections(file, b"OTHERFMT")


def test_quotes_are_made_on_demand_and_equal_the_loaded_ones(tmp_path: Path) -> None:
    built = bot.load_library(use_cache=False)
    cached = bot.load_library(cache_dir=tmp_path)
    reread = bot.load_library(cache_dir=tmp_path)  # mapped from the file written just before
    assert list(reread.quotes) == list(built.quotes) == list(cached.quotes)
    assert reread.quotes == tuple(built.quotes) and reread.quotes[-1] == built.quotes[len(built.quotes) - 1]
    assert [reread.quotes.ref(n) for n in range(len(reread.quotes))] == [q.ref for q in built.quotes]
    assert reread.quotes[2:4] == [built.quotes[2], built.quotes[3]]
