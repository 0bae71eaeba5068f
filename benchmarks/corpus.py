"""A deterministic synthetic corpus made of the seed panel's real sentences."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "panels" / "aigc-summit-2023-roundtable.yaml"
QUOTES_PER_PANEL = 40  # one file per panel, as an organiser with years of events has them


@dataclass(frozen=True, slots=True)
class Record:
    """One synthetic quote as the peers index it."""

    doc: int
    speaker: str
    topic: str
    text: str


def _seed() -> dict:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def records(size: int, seed: int = 20230329) -> list[Record]:
    """`size` quotes of one to three seed sentences each; the same for the same arguments."""
    panel = _seed()
    panelists = {s["id"] for s in panel["speakers"] if s["role"] == "panelist"}
    quotes = [q for q in panel["quotes"] if q["speaker"] in panelists]
    if size <= len(quotes):
        return [Record(i, q["speaker"], q["topic"], q["text"]) for i, q in enumerate(quotes[:size])]
    sentences = [(q["speaker"], q["topic"], s) for q in quotes
                 for s in re.findall(r"[^。！？；]+[。！？；]?", q["text"]) if len(s) > 4]
    rng = random.Random(seed)
    out = []
    for doc in range(size):
        picked = rng.sample(sentences, rng.randint(1, 3))
        out.append(Record(doc, picked[0][0], picked[0][1], "".join(s for _, _, s in picked)))
    return out


def write_panels(folder: Path, size: int) -> Path:
    """The corpus as panel YAML files for the library, `QUOTES_PER_PANEL` quotes a file."""
    panel = _seed()
    folder.mkdir(parents=True, exist_ok=True)
    corpus = records(size)
    if size <= len(corpus) and size <= 40:
        (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
        return folder
    for n in range(0, size, QUOTES_PER_PANEL):
        chunk = corpus[n:n + QUOTES_PER_PANEL]
        document = {
            "panel": {**panel["panel"], "id": f"synthetic-{n // QUOTES_PER_PANEL:05d}"},
            "speakers": panel["speakers"], "topics": panel["topics"],
            "quotes": [{"id": f"q{r.doc}", "speaker": r.speaker, "topic": r.topic, "text": r.text} for r in chunk],
        }
        text = yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                         sort_keys=False, width=10_000)
        (folder / f"synthetic-{n // QUOTES_PER_PANEL:05d}.yaml").write_text(text, encoding="utf-8")
    return folder
