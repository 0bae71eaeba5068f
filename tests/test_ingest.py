"""Ingestion of the seed transcript and of a sample in every supported shape."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import QuoteBotError
from bot.panels.ingest import Options, SpeakerMap, ingest, to_yaml
from bot.panels.ingest.decode import decode
from bot.panels.loader import read_panel

from .conftest import PANEL_ID, ROOT, SEED, SEED_PANEL, Ran

SAMPLES = ROOT / "tests" / "transcripts"
ENGLISH = SAMPLES / "open-models-panel.md"
EXPECTED = sorted(SAMPLES.glob("*.expected.yaml"))
LEFTOVERS = ("-->", "<v", "</", "<i>", "<b>", "WEBVTT", "Kind:", "Language:", "NOTE", "SPEAKER_0", "00:0", "[", "♪", "**")


def _sample(expected_file: Path) -> tuple[Path, dict[str, Any]]:
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    stem = expected_file.name.removesuffix(".expected.yaml")
    [source] = [p for p in SAMPLES.glob(f"{stem}.*") if p != expected_file]
    return source, expected


def _options(expected: dict[str, Any], panel_id: str = "sample") -> Options:
    args = expected.get("args", [])
    maps = tuple(SpeakerMap.parse(args[i + 1]) for i, a in enumerate(args) if a == "--speaker")
    return Options(panel_id=panel_id, speakers=maps)


def ingest_sample(expected_file: Path) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    source, expected = _sample(expected_file)
    text, _ = decode(source.read_bytes(), str(source))
    result = ingest(text, _options(expected))
    return result.document, result.report, expected


def said_by(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    names = {s["id"]: s["name"] for s in document["speakers"]}
    return [(names[q["speaker"]], q["text"], q) for q in document["quotes"]]


def assert_said_exactly(document: dict[str, Any], said: list[tuple[str, str]]) -> None:
    """Every sentence appears in exactly one quote, in order, by its speaker; nothing else appears."""
    wanted = list(said)
    for speaker, text, quote in said_by(document):
        rest = text.strip()
        assert rest, f"empty quote {quote['id']}"
        while rest:
            assert wanted, f"{quote['id']} says more than the source: {rest!r}"
            who, sentence = wanted[0]
            assert rest.startswith(sentence), f"{quote['id']}: expected {sentence!r}, found {rest!r}"
            assert who == speaker, f"{sentence!r} is attributed to {speaker}, not {who}"
            rest = rest[len(sentence):].strip()
            wanted.pop(0)
    assert not wanted, f"never quoted: {wanted[:3]}"


# -- every format, each with its sample -------------------------------------------------------

@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_sample_says_every_sentence_once_by_its_speaker(expected_file: Path) -> None:
    document, _, expected = ingest_sample(expected_file)
    assert_said_exactly(document, [tuple(pair) for pair in expected["said"]])


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_sample_format_speakers_moderator_titles_and_topics(expected_file: Path) -> None:
    document, report, expected = ingest_sample(expected_file)
    assert report.format == expected["format"] and report.detected
    speakers = {s["name"]: s for s in document["speakers"]}
    assert [n for n, s in speakers.items() if s["role"] == "moderator"] == [expected["moderator"]]
    for name, title in expected.get("titles", {}).items():
        assert speakers[name]["title"] == title
    for name, ident in expected.get("ids", {}).items():
        assert speakers[name]["id"] == ident
    if "topics" in expected:
        assert [t["name"] for t in document["topics"]] == expected["topics"]
    assert document["panel"].get("date") == expected.get("date")
    for warning in expected.get("warnings", []):
        assert any(warning in w for w in report.warnings), report.warnings
    for reason, count in expected.get("dropped", {}).items():
        assert report.dropped[reason] == count, report.dropped


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_sample_quotes_keep_their_start_and_carry_no_markup(expected_file: Path) -> None:
    document, _, expected = ingest_sample(expected_file)
    for _, text, _quote in said_by(document):
        assert not any(leftover in text for leftover in LEFTOVERS), text
        assert not text.strip().isdigit()
    for sentence, start in expected.get("starts", {}).items():
        [quote] = [q for q in document["quotes"] if q["text"].startswith(sentence)]
        assert quote["start"] == pytest.approx(start), sentence
    timed = expected["format"] in ("srt", "vtt", "json", "meeting")
    assert all(isinstance(q.get("start"), (int, float)) for q in document["quotes"]) == timed


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_sample_yaml_loads_back(expected_file: Path) -> None:
    document, _, _ = ingest_sample(expected_file)
    data = read_panel("sample.yaml", to_yaml(document, origin="sample"))
    assert len(data.quotes) == len(document["quotes"])
    assert [q.start for q in data.quotes] == [q.get("start") for q in document["quotes"]]


# -- the seed ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed() -> dict:
    return ingest(SEED.read_text(encoding="utf-8"), Options(panel_id=PANEL_ID, year=2023)).document


def test_seed_has_34_panelist_paragraphs_attributed_to_their_speakers(seed: dict) -> None:
    roles = {s["id"]: s["role"] for s in seed["speakers"]}
    said = Counter(q["speaker"] for q in seed["quotes"] if roles[q["speaker"]] == "panelist")
    assert said == {"chen-shi": 14, "ma-qian-li": 11, "zhu-lei": 6, "lin-lai-ni": 3}


@pytest.mark.parametrize(("start", "speaker"), [
    ("震撼和冲击", "zhu-lei"),
    ("大力出奇迹是必然", "chen-shi"),
    ("如果能出奇迹不管大力", "ma-qian-li"),
    ("如何定义数智人原创性", "lin-lai-ni"),
    ("我非常同意陈石总的看法", "zhu-lei"),
    ("所以，虽然有焦虑", "ma-qian-li"),
    ("在应用层面，像微信、钉钉等", "chen-shi"),
])
def test_seed_paragraph_goes_to_the_speaker_of_its_turn(seed: dict, start: str, speaker: str) -> None:
    matching = [q for q in seed["quotes"] if q["text"].startswith(start)]
    assert [q["speaker"] for q in matching] == [speaker]


def test_seed_drops_images_captions_and_the_trailing_promotion(seed: dict) -> None:
    text = "\n".join(q["text"] for q in seed["quotes"])
    for dropped in ("巴比特园区", "图片来源", "![", "twitter", "discord.gg", "电报", "http"):
        assert dropped not in text
    assert seed["quotes"][-1]["text"].endswith("我最后一句话就是我们要拥抱 AI。")


def test_seed_roster_gives_titles_and_the_moderator(seed: dict) -> None:
    speakers = {s["name"]: s for s in seed["speakers"]}
    assert speakers["金磊"] == {"id": "jin-lei", "name": "金磊", "title": "量子位主编", "role": "moderator"}
    assert speakers["朱雷"]["title"] == "元语智能联合创始人兼 COO"
    assert speakers["陈石"]["title"] == "峰瑞资本投资合伙人"
    assert speakers["马千里"]["title"] == "无界 AI 联合创始人"
    assert speakers["林莱尼"]["title"] == "华院数智人商业化副总裁"


def test_seed_topics_come_from_the_moderators_questions(seed: dict) -> None:
    # 泡沫, not the earlier 一窝蜂: the question asks whether the rush makes a bubble.
    assert [t["name"] for t in seed["topics"]] == ["感受", "模型同质化和创新性", "泡沫", "大力出奇迹", "中国 AIGC 新机遇"]
    follow_up = next(q for q in seed["quotes"] if q["text"].startswith("咱们训练一次大模型"))
    assert follow_up["speaker"] == "jin-lei" and follow_up["topic"] == "da-li-chu-qi-ji"


def test_seed_panel_metadata_comes_from_the_lead_and_options(seed: dict) -> None:
    assert seed["panel"] == {
        "id": PANEL_ID, "title": "中国 AIGC 新机遇", "event": "首届中国 AIGC 产业峰会", "date": "2023-03-29",
        "host": "量子位", "location": "北京", "language": "zh",
        "source": {"publisher": "巴比特", "note": "以下为圆桌内容，经巴比特整理，有删减。"},
    }


def test_seed_without_a_year_ingests_without_a_date_and_says_why() -> None:
    result = ingest(SEED.read_text(encoding="utf-8"), Options(panel_id=PANEL_ID))
    assert "date" not in result.document["panel"]
    assert any("without a year" in w and "--year" in w for w in result.report.warnings)


def test_committed_seed_panel_keeps_every_ingested_paragraph_verbatim(seed: dict) -> None:
    committed = yaml.safe_load(SEED_PANEL.read_text(encoding="utf-8"))
    assert [(q["speaker"], q["text"]) for q in committed["quotes"]] == [(q["speaker"], q["text"]) for q in seed["quotes"]]
    without_glosses = [{k: v for k, v in s.items() if not k.endswith("_en")} for s in committed["speakers"]]
    assert without_glosses == seed["speakers"]  # the English glosses were added by hand


def test_ingested_yaml_loads_back(seed: dict) -> None:
    data = read_panel("seed.yaml", to_yaml(seed, origin="seed"))
    assert data.panel.date == dt.date(2023, 3, 29)
    assert len(data.quotes) == 40


def test_english_article_with_a_bulleted_roster() -> None:
    doc = ingest(ENGLISH.read_text(encoding="utf-8"), Options(panel_id="open-models")).document
    speakers = {s["name"]: s for s in doc["speakers"]}
    assert speakers["Dana Whitfield"]["role"] == "moderator"
    assert speakers["Dana Whitfield"]["title"] == "science editor at The Weekly Signal"
    assert speakers["Priya Raman"]["title"] == "head of research at Lumen AI"
    assert speakers["Tomás Ortega"]["id"] == "tomas-ortega"
    panel = doc["panel"]
    assert (panel["date"], panel["event"], panel["host"]) == ("2024-05-14", "Open Models Forum", "Example Labs")
    text = " ".join(q["text"] for q in doc["quotes"])
    assert "Editor's note" not in text and "newsletter" not in text and "Image:" not in text
    assert [t["name"] for t in doc["topics"]] == ["openness", "fine-tune", "open model releases"]


# -- rosters, labels and topics in shapes no sample shows -------------------------------------

def _article(text: str, **options: Any) -> dict[str, Any]:
    return ingest(text, Options(panel_id="p", **options)).document


def test_a_list_of_panelists_without_titles_gives_no_title() -> None:
    doc = _article("Panelists: Ann Lee, Bo Chen and Cy Diaz.\n\nAnn Lee: What next?\nBo Chen: Rain.\nCy Diaz: Sun.\n")
    assert {s["name"]: s["title"] for s in doc["speakers"]} == {"Ann Lee": "", "Bo Chen": "", "Cy Diaz": ""}


def test_chinese_list_with_he_and_ji_splits_titles() -> None:
    doc = _article("嘉宾有星河科技 CEO 王芳、云栈资本合伙人赵强和算力联盟秘书长孙丽。\n\n"
                   "王芳：大家怎么看？\n赵强：很好。\n孙丽：不错。\n")
    titles = {s["name"]: s["title"] for s in doc["speakers"]}
    assert titles == {"王芳": "星河科技 CEO", "赵强": "云栈资本合伙人", "孙丽": "算力联盟秘书长"}


def test_speaker_map_names_generic_labels_and_warns_about_unused_ones() -> None:
    text = "说话人1 00:00:01\n开始吧，怎么看？\n\n说话人2 00:00:05\n我同意。\n"
    result = ingest(text, Options(panel_id="p", speakers=(SpeakerMap.parse("说话人 1=周敏|主编"), SpeakerMap.parse("X=Y"))))
    assert [(s["name"], s["title"]) for s in result.document["speakers"]] == [("周敏", "主编"), ("说话人2", "")]
    assert any("--speaker 'X'" in w for w in result.report.warnings)
    assert any("'说话人2' is a label" in w for w in result.report.warnings)


def test_moderator_flag_overrides_the_inference_and_must_speak() -> None:
    text = "Ann: Why?\nBo: Because.\nAnn: Really?\nBo: Yes.\n"
    doc = _article(text, moderator="Bo")
    assert {s["name"]: s["role"] for s in doc["speakers"]} == {"Ann": "panelist", "Bo": "moderator"}
    with pytest.raises(QuoteBotError, match="never speaks"):
        _article(text, moderator="Cy")


@pytest.mark.parametrize(("question", "label"), [
    ("Welcome, everyone! Thanks for being here. So, what does AI mean for farming?", "farming"),
    ("Good evening. Let's talk about open source licences. Which one do you use?", "open source licences"),
    ("Our next topic is safety. How do you test a model before release?", "safety"),
])
def test_english_topic_labels_are_noun_phrases_never_greetings(question: str, label: str) -> None:
    doc = _article(f"Host Person: {question}\nAnn Lee: Farming with safety and licences matters.\n")
    assert [t["name"] for t in doc["topics"]] == [label]


def test_a_moderators_remark_without_a_question_starts_no_topic() -> None:
    doc = _article("Ann: What is next?\nBo: Rain.\nAnn: Thanks, Bo.\nBo: Welcome.\n")
    assert len(doc["topics"]) == 1


@pytest.mark.parametrize(("text", "date"), [
    ("On 12 September 2024, a panel.", "2024-09-12"),
    ("Recorded September 12, 2024.", "2024-09-12"),
    ("2024-09-12 · Berlin", "2024-09-12"),
    ("时间：2024年5月16日", "2024-05-16"),
    ("A panel with no date at all.", None),
])
def test_dates_in_the_text_fill_the_panel_date(text: str, date: str | None) -> None:
    doc = _article(f"{text}\n\nAnn Lee: Why?\nBo Chen: Because.\n")
    assert doc["panel"].get("date") == date


def test_one_speaker_holding_nearly_every_paragraph_is_warned_about() -> None:
    text = "Ann Lee: Hello?\n" + "".join(f"Line {n} of a long talk.\n" for n in range(30)) + "Bo Chen: Yes.\n"
    result = ingest(text, Options(panel_id="p"))
    assert any("holds 31 of 32 paragraphs" in w for w in result.report.warnings)


def test_text_without_turns_is_refused_naming_the_formats_tried() -> None:
    with pytest.raises(QuoteBotError, match=r"no speaker turns found \(tried article, meeting\)"):
        ingest("Just some notes.\n\nNo speakers here: none at all.\n", Options(panel_id="p"))


def test_subtitles_without_any_speaker_are_refused() -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nhello there\n\n2\n00:00:03,000 --> 00:00:04,000\ngeneral kenobi\n"
    with pytest.raises(QuoteBotError, match=r"tried srt"):
        ingest(srt, Options(panel_id="p"))


# -- encodings ---------------------------------------------------------------------------------

ZH = (SAMPLES / "zh-plain-no-roster.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("raw", "encoding"), [
    (b"\xef\xbb\xbf" + ZH.encode(), "utf-8"),
    (ZH.encode("utf-16"), "utf-16"),
    (ZH.replace("\n", "\r\n").encode(), "utf-8"),
    (ZH.encode("gb18030"), "gb18030"),
])
def test_every_encoding_reads_the_same_transcript(raw: bytes, encoding: str) -> None:
    text, found = decode(raw, "zh.txt")
    assert (text, found) == (ZH, encoding)
    assert ingest(text, Options(panel_id="p")).document["speakers"][0]["name"] == "周航"


def test_big5_is_detected() -> None:
    import opencc

    traditional = opencc.OpenCC("s2t").convert(ZH)
    text, found = decode(traditional.encode("big5hkscs"), "zh.txt")
    assert text == traditional and found == "big5hkscs"


def test_bytes_in_no_known_encoding_are_refused_with_how_to_convert() -> None:
    with pytest.raises(QuoteBotError, match=r"^x\.txt: not UTF-8 .* iconv -f \S+ -t UTF-8 x\.txt > converted\.txt$"):
        decode(bytes(range(128, 256)) * 40, "x.txt")


# -- the command line, in process --------------------------------------------------------------

def test_cli_writes_a_valid_file_creating_its_folder_and_refuses_to_overwrite(tmp_path: Path,
                                                                            cli_main: Callable[..., Ran]) -> None:
    out = tmp_path / "new" / "folder" / "seed.yaml"
    done = cli_main("ingest", str(SEED), "--year", "2023", "-o", str(out))
    assert done.code == 0, done.err
    assert "format: article (detected), utf-8" in done.err and "40 quotes" in done.err
    assert "金磊" in done.err and "moderator" in done.err
    assert read_panel(str(out), out.read_text(encoding="utf-8")).panel.id == PANEL_ID
    again = cli_main("ingest", str(SEED), "--year", "2023", "-o", str(out))
    assert again.code == 1 and again.err == f"{out} exists; pass --force to overwrite it\n"


def test_cli_without_turns_is_one_line_and_exit_1(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Just some notes.\n\nNo speakers here.\n", encoding="utf-8")
    done = cli_main("ingest", str(notes))
    assert done.code == 1 and done.err.count("\n") == 1
    assert done.err.startswith(f"{notes}: no speaker turns found (tried article, meeting)")


def test_cli_missing_file_and_bad_speaker_option_are_one_line(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    missing = cli_main("ingest", str(tmp_path / "nope.srt"))
    assert (missing.code, missing.err) == (1, f"{tmp_path / 'nope.srt'}: no such file\n")
    bad = cli_main("ingest", str(ENGLISH), "--speaker", "no equals sign")
    assert bad.code == 2 and bad.err.count("\n") == 1 and "LABEL=Name" in bad.err


def test_cli_format_override_is_used(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    done = cli_main("ingest", str(SAMPLES / "otter-export.txt"), "--format", "meeting", "--dry-run")
    assert "format: meeting (--format)" in done.err
    forced = cli_main("ingest", str(SAMPLES / "otter-export.txt"), "--format", "srt", "--dry-run")
    assert forced.code == 1 and "no speaker turns found (tried srt)" in forced.err


def test_cli_ingests_a_folder_with_a_progress_bar_and_dry_run_writes_nothing(tmp_path: Path,
                                                                          cli_main: Callable[..., Ran]) -> None:
    dry = cli_main("ingest", str(SAMPLES), "--dry-run")
    assert dry.code == 0, dry.err
    assert f"{len(EXPECTED) + 1} transcripts: read, 0 failed; skipped {len(EXPECTED)} files" in dry.err
    out = tmp_path / "panels"
    done = cli_main("ingest", str(SAMPLES), "-o", str(out))
    assert done.code == 0, done.err
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == len(EXPECTED) + 1 and "en-panel.yaml" in written
    for path in out.iterdir():
        read_panel(str(path), path.read_text(encoding="utf-8"))
    assert "warning: '说话人 1' is a label" in done.err  # a folder's summary keeps each file's warnings


def test_progress_bar_is_drawn_for_many_files(tmp_path: Path) -> None:
    import argparse
    import io

    from bot.panels.ingest import command

    args = argparse.Namespace(transcript=SAMPLES, output=None, dry_run=True, panel_id=None, format=None, speakers=[],
                              moderator=None, date=None, year=None, title=None, event=None, host=None,
                              source_url=None, recording=None, force=False)
    err = io.StringIO()
    assert command.run(args, err=err, out=io.StringIO(), progress=True) == 0
    assert f"0/{len(EXPECTED) + 1} [" in err.getvalue()


def test_cli_recording_makes_search_answers_link_to_the_moment(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    out = tmp_path / "data" / "panel.yaml"
    url = "https://www.youtube.com/watch?v=abc123"
    assert cli_main("ingest", str(SAMPLES / "en-panel.srt"), "--recording", url, "-o", str(out)).code == 0
    done = cli_main("search", "deposits", "--json", "--data", str(out.parent))
    [hit] = json.loads(done.out)
    assert hit["start"] == 39 and hit["link"] == "https://www.youtube.com/watch?v=abc123&t=39"


def test_cli_output_ending_in_a_slash_is_a_folder_created_for_it(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    done = cli_main("ingest", str(SAMPLES / "en-panel.srt"), "-o", f"{tmp_path / 'new'}/")
    assert done.code == 0, done.err
    assert (tmp_path / "new" / "en-panel.yaml").is_file()


def test_labelling_cuts_chinese_as_jieba_does_and_keeps_its_tags() -> None:
    """The dictionary labelling reads from the cache folder cuts and tags as jieba itself would."""
    import re

    import jieba
    import jieba.posseg

    from bot.panels.cache import WORDS_FILE
    from bot.panels.ingest.wordclass import JARGON_COUNT, KEPT_TAGS, dictionary
    from bot.search.tokenizer import read_words

    jargon = read_words(WORDS_FILE)
    reference = jieba.Tokenizer()
    for word in jargon:
        reference.add_word(word, JARGON_COUNT)
    text = SEED.read_text(encoding="utf-8") + ZH
    for run in re.findall(r"[\u4e00-\u9fff]+", text)[:400]:
        assert dictionary().cut(run) == reference.lcut(run, HMM=False), run
    tags = jieba.posseg.dt.word_tag_tab
    for word in {w for run in re.findall(r"[\u4e00-\u9fff]+", text) for w in dictionary().cut(run)} - set(jargon):
        assert dictionary().tags.get(word) == (tags[word] if tags.get(word) in KEPT_TAGS else None), word


def test_the_labelling_dictionary_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.panels.ingest import wordclass

    monkeypatch.setenv("QUOTES_CACHE_DIR", str(tmp_path))
    wordclass.dictionary.cache_clear()
    try:
        first = wordclass.dictionary()
        [cached] = tmp_path.glob("jieba-words-*.marshal")
        wordclass.dictionary.cache_clear()
        assert wordclass.dictionary() == first and cached.stat().st_size > 1_000_000
    finally:
        wordclass.dictionary.cache_clear()


# -- hostile and broken input: one clear line, or a warning, never lost speech in silence ------

def test_asr_json_warns_about_speech_it_cannot_attribute_and_keeps_the_order() -> None:
    segments = [{"start": 0.0, "end": 1.0, "text": "Good evening."},  # no speaker: before anyone
                {"start": 1.0, "end": 2.0, "speaker": True, "text": "Not a name."},
                {"start": 2.0, "end": 3.0, "speaker": "SPEAKER_00", "text": "[laughter] Welcome. Why now?"},
                {"start": 0.5, "end": 2.5, "speaker": "SPEAKER_01", "text": "Because."}]
    result = ingest(json.dumps({"segments": segments}), Options(panel_id="p"))
    assert [q["text"] for q in result.document["quotes"]] == ["Welcome. Why now?", "Because."]
    assert any("speech before the first named speaker (2 lines)" in w for w in result.report.warnings)
    assert any("go backwards" in w for w in result.report.warnings)


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000, "nested too deeply"),
    ('{"segments": [{"start": 1e308, "speaker": "A", "text": "x"}]}', "no start time a recording can have"),
    ('{"segments": [{"start": "abc", "speaker": "A", "text": "x"}]}', "no start time a recording can have"),
    ('{"text": "a transcript without segments"}', "JSON without a list of segments"),
])
def test_broken_asr_json_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(QuoteBotError, match=message):
        ingest(text, Options(panel_id="p"))


def test_impossible_and_backwards_subtitle_times_are_kept_and_warned_about() -> None:
    srt = ("1\n00:00:05,000 --> 00:00:06,000\nANN LEE: Why?\n\n2\n-00:00:01,000 --> 00:00:02,000\nBEN ROE: Because.\n\n"
           "3\n00:99:99,000 --> 00:00:09,000\nANN LEE: Really?\n\n4\n00:00:01,000 --> 00:00:02,000\nBEN ROE: Yes.\n")
    result = ingest(srt, Options(panel_id="p"))
    assert [q["text"] for q in result.document["quotes"]] == ["Why?", "Because.", "Really?", "Yes."]
    assert any("2 cues have a time that cannot be" in w for w in result.report.warnings)
    assert any("go backwards 1 times" in w for w in result.report.warnings)


def test_phrases_before_a_colon_inside_a_turn_stay_text_and_are_named_in_a_warning() -> None:
    text = ("Dana Whitfield: What is the biggest barrier?\nRaj Patel: Queues.\nBottom Line: we need reform.\n"
            "Dana Whitfield: And costs?\nRaj Patel: Falling.\n")
    result = ingest(text, Options(panel_id="p"))
    assert [s["name"] for s in result.document["speakers"]] == ["Dana Whitfield", "Raj Patel"]
    assert "Bottom Line: we need reform." in [q["text"] for q in result.document["quotes"]]
    assert any("line 3 'Bottom Line'" in w for w in result.report.warnings)


def test_long_names_with_particles_are_speakers() -> None:
    text = ("José Luis Rodríguez de la Fuente: What does the ocean need?\nMaría de los Ángeles Pérez: Less plastic.\n"
            "José Luis Rodríguez de la Fuente: Who pays?\nMaría de los Ángeles Pérez: Polluters.\n")
    names = [s["name"] for s in ingest(text, Options(panel_id="p")).document["speakers"]]
    assert names == ["José Luis Rodríguez de la Fuente", "María de los Ángeles Pérez"]


def test_utf16_without_a_bom_is_read() -> None:
    english = "Ann Lee: Why?\nBen Roe: Because.\n"
    assert decode(english.encode("utf-16-le"), "x.txt") == (english, "utf-16-le")
    assert decode(english.encode("utf-16-be"), "x.txt") == (english, "utf-16-be")


def test_an_unsupported_encoding_is_refused_naming_it() -> None:
    french = ("Élodie Durand : « Ça dépend », répond-elle. Où est le problème ? " * 20).encode("cp1252")
    with pytest.raises(QuoteBotError, match=r"looks like (CP1252|WINDOWS-1252|ISO-8859-1|LATIN-1).*iconv -f \S+ -t UTF-8"):
        decode(french, "x.txt")


def test_an_empty_file_and_an_oversized_file_are_one_line_each(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    from bot.panels.ingest.decode import MAX_BYTES

    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert cli_main("ingest", str(empty)).err == f"{empty}: the file is empty\n"
    big = tmp_path / "big.txt"
    big.write_bytes(b"Ann Lee: again.\n" * (MAX_BYTES // 16 + 1))
    done = cli_main("ingest", str(big))
    assert done.code == 1 and done.err == f"{big}: 4 MB is more than a transcript's limit of 4 MB\n"


def test_a_folder_goes_on_past_a_file_it_cannot_read(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-empty.txt").write_text("", encoding="utf-8")
    (folder / "b-deep.json").write_text("[" * 50_000, encoding="utf-8")
    (folder / "c.srt").write_bytes((SAMPLES / "en-panel.srt").read_bytes())
    done = cli_main("ingest", str(folder), "-o", str(tmp_path / "out"))
    assert done.code == 1
    assert "error: " in done.err and "b-deep.json: JSON nested too deeply" in done.err
    assert (tmp_path / "out" / "c.yaml").is_file()
    assert "3 transcripts: wrote 1 to" in done.err and "2 failed" in done.err


def test_speech_recognition_without_punctuation_is_split_at_pauses_once_long() -> None:
    words = "we kept building the grid without asking who would pay for it"
    segments = [{"start": n * 6.0, "end": n * 6.0 + 4.0, "speaker": "A" if n == 0 else "B",
                 "text": "why now" if n == 0 else words} for n in range(200)]
    result = ingest(json.dumps({"segments": segments}), Options(panel_id="p"))
    answers = [q["text"] for q in result.document["quotes"] if q["speaker"] == "b"]
    assert len(answers) > 1 and all(len(a) < 1_700 for a in answers)
    assert " ".join(answers) == " ".join([words] * 199)


# -- shapes a second review found ----------------------------------------------------------------

def _speakers_of(text: str, **options: Any) -> list[tuple[str, str]]:
    doc = ingest(text, Options(panel_id="p", **options)).document
    return [(s["name"], s["role"]) for s in doc["speakers"]]


@pytest.mark.parametrize(("text", "speakers"), [
    ("Host: Why did you start?\nGuest: Receipts.\nHost: And now?\nGuest: Growing.\n",
     [("Host", "moderator"), ("Guest", "panelist")]),
    ("Moderator: What worries you?\nPanelist 1: Rates.\nPanelist 2: Talent.\nModerator: Next year?\nPanelist 1: Calmer.\n",
     [("Moderator", "moderator"), ("Panelist 1", "panelist"), ("Panelist 2", "panelist")]),
    ("THE CHAIRMAN: When will it reopen?\nCommissioner Alvarez: In May.\nTHE CHAIRMAN: Why so late?\n"
     "Commissioner Alvarez: Steel.\n", [("The Chairman", "moderator"), ("Commissioner Alvarez", "panelist")]),
    ("이지은: 왜 지금인가요?\nJohn Park: Because of demand.\n이지은: 그 다음은요?\nJohn Park: Exports.\n",
     [("이지은", "moderator"), ("John Park", "panelist")]),
    ("山田さん：リスクは何ですか？\nジョン・スミス：コストです。\n山田さん：次は？\nジョン・スミス：人材です。\n",
     [("山田さん", "moderator"), ("ジョン・スミス", "panelist")]),
    ("王 芳：AI 影像现在真正用起来了吗？\n李娜：用起来了。\n王 芳：那责任怎么划分？\n李娜：还在讨论。\n",
     [("王芳", "moderator"), ("李娜", "panelist")]),
    ("**Moderator (Jane Doe):** Any questions?\nAudience: What about cost?\nTom Brown: Falling.\nAudience: Why?\n",
     [("Jane Doe", "moderator"), ("Audience", "panelist"), ("Tom Brown", "panelist")]),
])
def test_role_labels_and_names_in_every_script_are_speakers(text: str, speakers: list[tuple[str, str]]) -> None:
    assert _speakers_of(text) == speakers


def test_a_label_given_with_speaker_is_a_speaker_whatever_it_looks_like() -> None:
    text = "Sam's laptop 2: Why?\nlee: Because.\nSam's laptop 2: Really?\nlee: Yes.\n"
    maps = (SpeakerMap.parse("Sam's laptop 2=Sam Ito"), SpeakerMap.parse("lee=Lee Park"))
    assert _speakers_of(text, speakers=maps) == [("Sam Ito", "moderator"), ("Lee Park", "panelist")]


def test_timestamp_lines_and_inline_time_marks_are_not_speech() -> None:
    text = ("00:00:00\nAlex Kim: Welcome. What changed?\n00:05:12\nMaya Lopez: [00:05:14] Pricing. [00:05:20] And support.\n"
            "Alex Kim: Why?\nMaya Lopez: (laughs) Customers asked. [Smith] agreed.\nMeeting ended after 00:07:45 👋\n")
    result = ingest(text, Options(panel_id="p"))
    quotes = [(q["text"], q.get("start")) for q in result.document["quotes"]]
    assert quotes == [("Welcome. What changed?", None), ("Pricing. And support.", 314), ("Why?", None),
                      ("Customers asked. [Smith] agreed.", None)]


def test_webvtt_lines_of_spaces_stay_in_their_cue_and_a_cue_number_without_a_blank_line_is_dropped() -> None:
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n \nANN LEE: Bike lanes or buses?\n2\n"
           "00:00:03.000 --> 00:00:04.000\nBEN ROE: Both.\n")
    quotes = [(q["text"], q["start"]) for q in ingest(vtt, Options(panel_id="p")).document["quotes"]]
    assert quotes == [("Bike lanes or buses?", 1), ("Both.", 3)]


def test_teams_cues_name_the_speaker_on_their_first_line() -> None:
    cues = [("Rebecca O'Neil", "Why did the migration take so long?"), ("Sanjay Gupta", "Data validation."),
            ("Lena Fischer", "Approvals."), ("Rebecca O'Neil", "Would you do it again?"), ("Sanjay Gupta", "Yes.")]
    text = "".join(f"0:0:{2 * n + 1}.470 --> 0:0:{2 * n + 2}.850\n{name}\n{said}\n\n" for n, (name, said) in enumerate(cues))
    document = ingest(text, Options(panel_id="p")).document
    assert assert_said_exactly(document, [(name, said) for name, said in cues]) is None
    assert document["quotes"][0]["start"] == 1.47 and document["topics"][0]["name"] == "migration"


def test_short_labels_merge_into_the_person_they_stand_for_or_are_warned_about() -> None:
    aliases = "Interview with Jane Doe (JD), by Mark Chu.\n\nMark Chu: Why Acme?\nJD: Customers.\nMark Chu: And?\nJD: Pay.\n"
    assert _speakers_of(aliases) == [("Mark Chu", "moderator"), ("Jane Doe", "panelist")]
    shared = ("Dana Whitfield: Why?\nDana Ortiz: Cost.\nRaj Patel: Time.\nDana: What first?\nRaj Patel: Permits.\n"
              "Dana Whitfield: Thanks?\n")
    result = ingest(shared, Options(panel_id="p"))
    assert any("'Dana' could be Dana Ortiz or Dana Whitfield" in w for w in result.report.warnings)


def test_a_moderator_who_never_uses_a_question_mark_still_gives_topics() -> None:
    text = ("Ines Duarte: Tell us about your rooftop projects.\nHelen Park: Forty buildings.\n"
            "Ines Duarte: Walk us through the financing.\nHelen Park: Green bonds.\nIines Duarte: Thank you.\n")
    doc = ingest(text, Options(panel_id="p", moderator="Ines Duarte")).document
    assert [t["name"] for t in doc["topics"]] == ["rooftop projects", "financing"]


@pytest.mark.parametrize("document", [
    {"monologues": [{"speaker": 0, "speaker_name": "Jane Doe", "elements": [
        {"type": "text", "value": "Why", "ts": 0.5, "end_ts": 0.8}, {"type": "punct", "value": "?"}]},
        {"speaker": 1, "speaker_name": "John Roe", "elements": [
            {"type": "text", "value": "Costs", "ts": 1.5, "end_ts": 2.0}, {"type": "punct", "value": "."}]}]},
    {"results": {"utterances": [{"start": 0.5, "end": 0.8, "speaker": "Jane Doe", "transcript": "Why?"},
                                {"start": 1.5, "end": 2.0, "speaker": "John Roe", "transcript": "Costs."}]}},
])
def test_rev_and_deepgram_json_are_read(document: dict[str, Any]) -> None:
    doc = ingest(json.dumps(document), Options(panel_id="p")).document
    assert [(q["text"], q["start"]) for q in doc["quotes"]] == [("Why?", 0.5), ("Costs.", 1.5)]
    assert [s["name"] for s in doc["speakers"]] == ["Jane Doe", "John Roe"]


# -- real transcripts a third review brought ------------------------------------------------------

def test_a_header_of_roles_introduces_the_people_who_then_speak_by_role() -> None:
    text = ("Host: Nadia Rahman\nGuest: Dr. Samuel Okafor, chief medical officer at Mercy Health\n"
            "Date: June 3, 2024\n\nHost: Welcome. Is telehealth here to stay?\n\nGuest: Yes, for follow-ups.\n\n"
            "Host: And for first visits?\n\nGuest: Less so.\n")
    doc = ingest(text, Options(panel_id="p")).document
    assert [(s["name"], s["role"]) for s in doc["speakers"]] == [("Nadia Rahman", "moderator"),
                                                                 ("Dr. Samuel Okafor", "panelist")]
    assert doc["speakers"][1]["title"] == "chief medical officer at Mercy Health"
    assert doc["panel"]["date"] == "2024-06-03"
    assert len(doc["quotes"]) == 4


def test_labels_with_titles_after_a_comma_and_in_two_scripts() -> None:
    text = ("KAREN LIU, MANAGING EDITOR, GREEN FINANCE REVIEW (MODERATOR): Good morning. What went wrong?\n"
            "HUGO SCHMIDT, CIO, ALPINE FUND: Interest rates.\nKAREN LIU: Lisa, do you agree?\n"
            "Lisa Wang 王丽莎：I do.\nKAREN LIU: Why?\nLisa Wang 王丽莎：Costs.\n")
    doc = ingest(text, Options(panel_id="p")).document
    speakers = {s["name"]: (s["role"], s["title"]) for s in doc["speakers"]}
    assert speakers == {"Karen Liu": ("moderator", "MANAGING EDITOR, GREEN FINANCE REVIEW"),
                        "Hugo Schmidt": ("panelist", "CIO, ALPINE FUND"), "Lisa Wang 王丽莎": ("panelist", "")}


def test_a_magazine_interview_with_questions_in_bold_and_answers_unlabelled() -> None:
    text = ("# A Conversation with Priya Narayanan\n\n**Q: Is the GPU shortage over?**\n\nNot for inference.\n\n"
            "Training is easier now.\n\n**Q: Why inference?**\n\nBecause it scales with users.\n")
    doc = ingest(text, Options(panel_id="p")).document
    assert [(s["name"], s["role"]) for s in doc["speakers"]] == [("Q", "moderator"), ("Priya Narayanan", "panelist")]
    assert_said_exactly(doc, [("Q", "Is the GPU shortage over?"), ("Priya Narayanan", "Not for inference."),
                              ("Priya Narayanan", "Training is easier now."), ("Q", "Why inference?"),
                              ("Priya Narayanan", "Because it scales with users.")])


def test_section_headings_name_the_topics_and_list_labels_inside_turns_stay_text() -> None:
    text = ("主持人：陈立\n\n陈立：各位好，今天聊教育。\n\n## 一、关于课堂里的 AI\n\n陈立：AI 进课堂了吗？\n\n"
            "吴敏：进了。\n短期看：作业批改。\n长期看：个性化学习。\n\n## 二、招生\n\n陈立：生源会变吗？\n\n吴敏：会。\n")
    doc = ingest(text, Options(panel_id="p")).document
    assert [t["name"] for t in doc["topics"]] == ["课堂里的 AI", "招生"]
    assert [s["name"] for s in doc["speakers"]] == ["陈立", "吴敏"]
    assert "短期看：作业批改。" in [q["text"] for q in doc["quotes"]]


def test_one_person_under_an_honorific_and_without_it_is_one_speaker() -> None:
    text = "Peter Olsen: Why?\nDr. Jane Smith: Costs.\nPeter Olsen: And?\nJane Smith: Time.\n"
    assert _speakers_of(text) == [("Peter Olsen", "moderator"), ("Dr. Jane Smith", "panelist")]


def test_an_inaudible_word_is_marked_and_copyright_lines_are_not_quotes() -> None:
    text = ("Tom Brennan: Who decides?\nMaria Delgado: Exactly where the [inaudible] decisions get made.\n"
            "Tom Brennan: Thanks?\nMaria Delgado: Sure.\n\nCopyright 2025 The Daily Ledger. All rights reserved.\n")
    quotes = [q["text"] for q in ingest(text, Options(panel_id="p")).document["quotes"]]
    assert quotes == ["Who decides?", "Exactly where the […] decisions get made.", "Thanks?", "Sure."]


def test_the_date_the_event_was_held_wins_over_a_bylines() -> None:
    text = "Published March 3, 2025. The panel was held on February 20, 2025 in Austin.\n\nAnn Lee: Why?\nBo Chen: Cost.\n"
    assert ingest(text, Options(panel_id="p")).document["panel"]["date"] == "2025-02-20"


def test_a_recurring_first_line_is_no_speaker_where_captions_name_speakers(tmp_path: Path) -> None:
    """Found by the property test: two cues starting "The a" were read as a speaker called "The a"."""
    from bot.panels.ingest import Options, ingest

    srt = ("1\n00:00:01,000 --> 00:00:01,900\nANA LIMA: Data data?\n\n2\n00:00:03,000 --> 00:00:03,900\n"
           "BEN CARTER: Data data.\n\n3\n00:00:04,000 --> 00:00:04,900\nThe a\ndata data.\n\n"
           "4\n00:00:05,000 --> 00:00:05,900\nThe a\ndata data.\n")
    quotes = ingest(srt, Options(panel_id="p")).document["quotes"]
    assert [q["speaker"] for q in quotes] == ["ana-lima", "ben-carter"]
    assert quotes[1]["text"] == "Data data. The a data data. The a data data."
