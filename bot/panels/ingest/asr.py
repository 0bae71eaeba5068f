"""Diarized speech-recognition JSON: segments with a speaker, a start, an end and the text.

`{"segments": [{"start": 0.0, "end": 2.1, "speaker": "SPEAKER_00", "text": "..."}]}` as WhisperX
and similar tools write it, a bare list of such segments, or `{"utterances": [...]}` whose
times are milliseconds when they are whole numbers (AssemblyAI).
"""

from __future__ import annotations

import json
import math
from typing import Any

from ...errors import QuoteBotError
from .noise import without_sounds
from .parsed import Parsed
from .timed import Utterance, gather

MAX_SECONDS = 100 * 3600  # no recording of a panel is longer


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _monologue(item: Any) -> Any:
    """A Rev.ai monologue as a segment: its words joined, from the first word's time to the last's."""
    if not isinstance(item, dict) or not isinstance(item.get("elements"), list):
        return item
    elements = [e for e in item["elements"] if isinstance(e, dict)]
    timed = [e for e in elements if _number(e.get("ts")) is not None]
    return {"speaker": item.get("speaker_name") or item.get("speaker"),
            "text": "".join(str(e.get("value", "")) for e in elements),
            "start": timed[0]["ts"] if timed else None, "end": timed[-1].get("end_ts") if timed else None}


def _segments(document: Any) -> tuple[list[Any], float]:
    """The segment list and the factor that makes its times seconds."""
    if isinstance(document, list):
        return document, 1.0
    if isinstance(document, dict):
        if isinstance(document.get("segments"), list):
            return document["segments"], 1.0
        if isinstance(document.get("monologues"), list):  # Rev.ai
            return [_monologue(m) for m in document["monologues"]], 1.0
        results = document.get("results")
        holder = results if isinstance(results, dict) and isinstance(results.get("utterances"), list) else document
        if isinstance(holder.get("utterances"), list):  # AssemblyAI (milliseconds), Deepgram (seconds)
            items = holder["utterances"]
            whole = all(isinstance(s, dict) and isinstance(s.get("start"), int) for s in items)
            return items, 0.001 if whole else 1.0
    raise QuoteBotError('JSON without a list of segments: expected {"segments": [{"start", "end", "speaker", "text"}, ...]}, '
                        'AssemblyAI or Deepgram "utterances", or Rev.ai "monologues"')


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def read_asr_json(text: str, parsed: Parsed) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise QuoteBotError(f"not valid JSON: {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise QuoteBotError("JSON nested too deeply to be speech-recognition output") from None
    items, scale = _segments(document)
    utterances: list[Utterance] = []
    backwards = 0
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.dropped["segments that are not objects"] += 1
            continue
        said = item.get("text", item.get("transcript"))
        start = _number(item.get("start"))
        if not isinstance(said, str) or not said.strip():
            parsed.dropped["segments without text"] += 1
            continue
        if start is None or start * scale > MAX_SECONDS:
            raise QuoteBotError(f"segment {n} has no start time a recording can have (seconds from 0 to {MAX_SECONDS:,}): "
                                f"{item.get('start')!r}")
        end = _number(item.get("end"))
        speaker = item.get("speaker")
        known = isinstance(speaker, (str, int)) and not isinstance(speaker, bool) and str(speaker).strip()
        said, sounds = without_sounds(" ".join(said.split()))
        parsed.dropped["sound descriptions"] += sounds
        if not said:
            continue
        if utterances and start * scale < utterances[-1].start - 1:
            backwards += 1
        utterances.append(Utterance(str(speaker).strip() if known else None, said, round(start * scale, 3),
                                    round(min(end, MAX_SECONDS / scale) * scale, 3) if end is not None else None))
    if backwards:
        parsed.warnings.append(f"the segments' times go backwards {backwards} times: is the file in order?")
    if utterances and all(u.label is None for u in utterances):
        parsed.hint = f"{len(utterances)} segments, none with a speaker: diarize first (WhisperX, pyannote)"
    unlabelled = gather(parsed, utterances)
    if unlabelled and parsed.turns:
        parsed.warnings.append(f"{unlabelled} segments have no speaker; each went to the speaker before it")
