"""Ingestion of the seed transcript and of a plain English one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.errors import QuoteBotError
from bot.ingest import ingest, to_yaml
from bot.loader import read_panel

from .conftest import PANEL_ID, ROOT, SEED, SEED_PANEL, run_cli

ENGLISH = ROOT / "tests" / "transcripts" / "open-models-panel.md"


@pytest.fixture(scope="module")
def seed() -> dict:
    return ingest(SEED.read_text(encoding="utf-8"), panel_id=PANEL_ID, year=2023)


def test_seed_has_34_panelist_paragraphs_attributed_to_their_speakers(seed: dict) -> None:
    roles = {s["id"]: s["role"] for s in seed["speakers"]}
    said = Counter(q["speaker"] for q in seed["quotes"] if roles[q["speaker"]] == "panelist")
    assert sum(said.values()) == 34
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
    assert [s["role"] for s in seed["speakers"]].count("moderator") == 1


def test_seed_topics_come_from_the_moderators_questions(seed: dict) -> None:
    assert [t["name"] for t in seed["topics"]] == ["感受", "模型同质化和创新性", "一窝蜂", "大力出奇迹", "中国 AIGC 新机遇"]
    follow_up = next(q for q in seed["quotes"] if q["text"].startswith("咱们训练一次大模型"))
    assert follow_up["speaker"] == "jin-lei"
    assert follow_up["topic"] == "da-li-chu-qi-ji"
    answer = next(q for q in seed["quotes"] if q["text"].startswith("大力出奇迹是必然"))
    assert answer["topic"] == "da-li-chu-qi-ji"


def test_seed_panel_metadata_comes_from_the_lead_and_options(seed: dict) -> None:
    assert seed["panel"] == {
        "id": PANEL_ID, "title": "中国 AIGC 新机遇", "event": "首届中国 AIGC 产业峰会", "date": "2023-03-29",
        "host": "量子位", "location": "北京", "language": "zh",
        "source": {"publisher": "巴比特", "note": "以下为圆桌内容，经巴比特整理，有删减。"},
    }


def test_seed_without_a_year_asks_for_one() -> None:
    with pytest.raises(QuoteBotError, match="--year"):
        ingest(SEED.read_text(encoding="utf-8"), panel_id=PANEL_ID)


def test_committed_seed_panel_keeps_every_ingested_paragraph_verbatim(seed: dict) -> None:
    committed = yaml.safe_load(SEED_PANEL.read_text(encoding="utf-8"))
    assert [(q["speaker"], q["text"]) for q in committed["quotes"]] == [(q["speaker"], q["text"]) for q in seed["quotes"]]
    assert committed["speakers"] == seed["speakers"]


def test_ingested_yaml_loads_back(seed: dict) -> None:
    data = read_panel("seed.yaml", to_yaml(seed, origin="seed"))
    assert data.panel.date == dt.date(2023, 3, 29)
    assert len(data.quotes) == 40


def test_english_transcript_with_name_colon_lines() -> None:
    doc = ingest(ENGLISH.read_text(encoding="utf-8"), panel_id="open-models")
    speakers = {s["name"]: s for s in doc["speakers"]}
    assert speakers["Dana Whitfield"]["role"] == "moderator"
    assert speakers["Dana Whitfield"]["title"] == "science editor at The Weekly Signal"
    assert speakers["Priya Raman"]["title"] == "head of research at Lumen AI"
    assert speakers["Tomás Ortega"]["id"] == "tomas-ortega"
    assert doc["panel"]["date"] == "2024-05-14"
    assert doc["panel"]["event"] == "Open Models Forum"
    assert doc["panel"]["host"] == "Example Labs"
    said = [(q["speaker"], q["text"][:20]) for q in doc["quotes"] if q["speaker"] != "dana-whitfield"]
    assert said == [
        ("priya-raman", "Open weights are a s"), ("priya-raman", "We publish our data "),
        ("tomas-ortega", "For a small company,"), ("tomas-ortega", "Fine-tune first. Tra"),
        ("priya-raman", "I agree with Tomás, "), ("priya-raman", "Documentation of the"),
    ]
    text = " ".join(q["text"] for q in doc["quotes"])
    assert "Editor's note" not in text and "newsletter" not in text and "Image:" not in text
    assert doc["topics"][0]["name"] == "openness"
    assert len(doc["topics"]) == 3


def test_cli_ingest_writes_a_valid_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "seed.yaml"
    done = run_cli("ingest", str(SEED), "--year", "2023", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "40 paragraphs" in done.stderr
    assert run_cli("validate", str(out)).returncode == 0
    again = run_cli("ingest", str(SEED), "--year", "2023", "-o", str(out))
    assert again.returncode == 2
    assert again.stderr.strip().endswith("exists; pass --force to overwrite it")


def test_cli_ingest_of_a_file_without_turns_is_a_one_line_error(tmp_path: Path) -> None:
    empty = tmp_path / "notes.md"
    empty.write_text("Just some notes.\n\nNo speakers here.\n", encoding="utf-8")
    done = run_cli("ingest", str(empty))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no speaker turns found" in done.stderr
