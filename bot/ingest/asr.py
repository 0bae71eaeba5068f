"""Diarized speech-recognition JSON: segments with a speaker, a start, an end and the text.

`{"segments": [{"start": 0.0, "end": 2.1, "speaker": "SPEAKER_00", "text": "..."}]}` as WhisperX
and similar tools write it, a bare list of such segments, or `{"utterances": [...]}` whose
times are milliseconds when they are whole numbers (AssemblyAI).
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..errors import QuoteBotError
from .parsed import Parsed
from .timed import Utterance, gather


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _segments(document: Any) -> tuple[list[Any], float]:
    """The segment list and the factor that makes its times seconds."""
    if isinstance(document, list):
        return document, 1.0
    if isinstance(document, dict):
        if isinstance(document.get("segments"), list):
            return document["segments"], 1.0
        if isinstance(document.get("utterances"), list):
            items = document["utterances"]
            whole = all(isinstance(s, dict) and isinstance(s.get("start"), int) for s in items)
            return items, 0.001 if whole else 1.0
    raise QuoteBotError('JSON without a list of segments: expected {"segments": [{"start", "end", "speaker", "text"}, ...]}')


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def read_asr_json(text: str, parsed: Parsed) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise QuoteBotError(f"not valid JSON: {error.msg} at line {error.lineno}") from None
    items, scale = _segments(document)
    utterances = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.dropped["segments that are not objects"] += 1
            continue
        said = item.get("text")
        start = _number(item.get("start"))
        if not isinstance(said, str) or not said.strip():
            parsed.dropped["segments without text"] += 1
            continue
        if start is None:
            raise QuoteBotError(f"segment {n} has no start time (seconds, a number of 0 or more)")
        end = _number(item.get("end"))
        speaker = item.get("speaker")
        label = str(speaker).strip() if isinstance(speaker, (str, int)) and str(speaker).strip() else None
        utterances.append(Utterance(label, " ".join(said.split()), round(start * scale, 3),
                                    round(end * scale, 3) if end is not None else None))
    utterances.sort(key=lambda u: u.start)
    unlabelled = gather(parsed, utterances)
    if unlabelled and parsed.turns:
        parsed.warnings.append(f"{unlabelled} segments have no speaker; each went to the speaker before it")
