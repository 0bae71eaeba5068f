"""Generated hostile data: panel YAML of any shape (aliases, odd types, tags, broken syntax) and
transcripts of any text or JSON shape. Each is read, or refused with problems one line each,
never an internal error, and within a bounded time."""

from __future__ import annotations

import json
import time
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import DataError, QuoteBotError
from bot.panels.ingest import Options, ingest
from bot.panels.ingest.decode import decode
from bot.panels.loader import read_panel

from .conftest import MINIMAL_PANEL

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                    st.dates().map(str), st.sampled_from(["2024-13-45", "9" * 5000, "0x1F", "1e999", ".nan", "~",
                                                          "!!binary aGk=", "!!python/object:os.system", "<<", "&a",
                                                          "*a", "- -", "{", "]", "'", '"', "\t", "\ud800"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=20)
FIELDS = ["panel", "speakers", "topics", "quotes", "id", "name", "title", "role", "text", "speaker", "topic", "date",
          "start", "recording", "source", "question"]


def read_or_refuse(text: str) -> None:
    """Read a panel file's text: a panel, or problems that are each one short line."""
    started = time.perf_counter()
    try:
        read_panel("fuzz.yaml", text)
    except DataError as error:
        assert error.problems
        for problem in error.problems:
            line = str(problem)
            assert line.startswith("fuzz.yaml") and "\n" not in line and len(line) < 600, line
    assert time.perf_counter() - started < 2


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6))
def test_panel_files_of_any_shape_are_read_or_refused_line_by_line(document: dict[str, Any]) -> None:
    read_or_refuse(yaml.safe_dump(document, allow_unicode=True))


HOSTILE_LINES = ["x: &a [1, 2]\n", "y: *a\n", "<<: *a\n", "z: &b {k: *b}\n", "date: 2024-13-45\n",
                 "n: " + "9" * 5000 + "\n", "t: !!python/name:os.system\n", "  - *a\n", "\tkey: tab\n",
                 "? [1, 2]\n: v\n", "--- \n", "%YAML 1.1\n", "s: !!set {a, b}\n", "b: !!binary aGk=\n",
                 "ts: 2001-12-14t21:59:43.10-05:00\n"]
GOOD_LINES = MINIMAL_PANEL.format(panel_id="p").splitlines(keepends=True)


@FUZZ
@given(st.lists(st.sampled_from(GOOD_LINES + HOSTILE_LINES), max_size=40).map("".join))
def test_panel_files_spliced_from_good_and_hostile_lines_are_read_or_refused(text: str) -> None:
    read_or_refuse(text)


@FUZZ
@given(st.text(max_size=300))
def test_any_text_as_a_panel_file_is_read_or_refused(text: str) -> None:
    read_or_refuse(text)


TRANSCRIPT_PIECES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["\n", "\n\n", "：", ": ", "陈石：", "主持人：", "**王芳**：", "Ana Lima: ", "[00:01:02] ", "1\n",
                     "00:00:01,000 --> 00:00:02,500\n", "WEBVTT\n\n", "<v Ana>", "</v>", "SPEAKER_00: ", "Q：", "A：",
                     "？", "。", "（笑）", "2023年3月29日", "\ufeff", "\x00", "\ud800"]))


def ingest_or_refuse(text: str) -> None:
    started = time.perf_counter()
    try:
        result = ingest(text, Options(panel_id="fuzz"))
        assert isinstance(result.document, dict)
    except QuoteBotError as error:
        assert str(error) and len(str(error)) < 2000
    assert time.perf_counter() - started < 5


@FUZZ
@given(st.lists(TRANSCRIPT_PIECES, max_size=80).map("".join))
def test_transcripts_of_any_text_are_ingested_or_refused(text: str) -> None:
    ingest_or_refuse(text)


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(
                        st.sampled_from(["segments", "monologues", "elements", "start", "end", "speaker", "text",
                                         "words", "results", "transcript", "value", "x"]), inner, max_size=5)),
                    max_leaves=25)


@FUZZ
@given(JSON)
def test_speech_recognition_json_of_any_shape_is_ingested_or_refused(document: Any) -> None:
    ingest_or_refuse(json.dumps(document, ensure_ascii=False))


@FUZZ
@given(st.binary(max_size=200))
def test_transcript_bytes_of_any_encoding_are_decoded_or_refused(raw: bytes) -> None:
    try:
        text, encoding = decode(raw, "fuzz.txt")
        assert isinstance(text, str) and encoding
    except QuoteBotError as error:
        assert str(error).startswith("fuzz.txt: ") and "\n" not in str(error)
