"""Timed utterances (subtitle cues, speech-recognition segments) gathered into turns and paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parsed import Parsed, Turn, ends_sentence, join_lines

PAUSE_SECONDS = 1.5  # a pause this long after a finished sentence starts a new paragraph
PARAGRAPH_CHARS = 400  # past this, any finished sentence ends the paragraph
UNPUNCTUATED_CHARS = 1600  # past this, a pause ends the paragraph even mid-sentence (speech recognition without punctuation)
_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")  # Teams writes 0:0:3.470


@dataclass(frozen=True, slots=True)
class Utterance:
    """One timed piece of speech; `label` is None when the source does not say who speaks."""

    label: str | None
    text: str
    start: float
    end: float | None = None


def seconds(clock: str) -> float | None:
    """`1:02:03.5`, `02:03,500`, `0:31` as seconds; None when it is not a time."""
    m = _CLOCK.match(clock.strip())
    if not m:
        return None
    hours, minutes, secs, fraction = m.groups()
    if int(secs) >= 60 or (hours and int(minutes) >= 60):
        return None
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0)
    return round(value, 3)


def gather(parsed: Parsed, utterances: list[Utterance]) -> int:
    """Add the utterances to `parsed` as turns; return how many had no speaker and continued the last one.

    An utterance without a label continues the current speaker; consecutive utterances of one
    speaker form one turn, split into paragraphs at finished sentences after a pause or once
    the paragraph is long.
    """
    unlabelled = 0
    parts: list[str] = []
    chars = 0  # in parts; joining them on every utterance would make a long turn quadratic
    label: str | None = None
    start = 0.0
    last_end: float | None = None
    for u in utterances:
        speaker = u.label
        if speaker is None:
            if label is None:
                parsed.dropped["speech before the first named speaker"] += 1
                continue
            unlabelled += 1
            speaker = label
        pause = u.start - last_end if last_end is not None else 0.0
        finished = bool(parts) and ends_sentence(parts[-1])
        if speaker != label or (finished and (pause >= PAUSE_SECONDS or chars >= PARAGRAPH_CHARS)) or \
                (chars >= UNPUNCTUATED_CHARS and pause >= PAUSE_SECONDS):
            if parts and label is not None:
                parsed.add(label, join_lines(parts), start)
            parts, chars = [], 0
            if speaker != label:
                parsed.turns.append(Turn(speaker))
            label, start = speaker, u.start
        parts.append(u.text)
        chars += len(u.text)
        last_end = u.end if u.end is not None else u.start
    if parts and label is not None:
        parsed.add(label, join_lines(parts), start)
    return unlabelled
