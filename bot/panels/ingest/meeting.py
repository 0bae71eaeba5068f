"""Meeting and transcription-app exports: a line naming the speaker and a time, then what they said.

`Jane Doe  0:31` (Otter), `说话人 1 00:01:10` (飞书妙记, 腾讯会议), `Speaker 1 (00:00:03):` (Rev),
`[00:02:10] Jane Doe` and `00:02:10 张三`: the time may come before or after the name.
"""

from __future__ import annotations

import re
from collections import Counter

from .labels import name_shape
from .noise import is_credit, spoken
from .parsed import Paragraph, Parsed, Turn
from .timed import seconds

_CLOCK = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIME = rf"[(（\[]?(?P<time>{_CLOCK})[)）\]]?"
_NAME_THEN_TIME = re.compile(rf"^\**(?P<name>[^\d\s:：|*(（\[][^:：|*]{{0,38}}?)\**\s*(?:[|·,，]\s*)?{_TIME}\s*[:：]?$")
_TIME_THEN_NAME = re.compile(rf"^{_TIME}\s*(?:[|·\-–]\s*)?\**(?P<name>[^\d\s:：|*][^:：|*]{{0,38}}?)\**\s*[:：]?$")


def header(line: str) -> tuple[str, float] | None:
    """(speaker label, seconds) when `line` looks like a speaker-and-time line, else None."""
    m = _NAME_THEN_TIME.match(line) or _TIME_THEN_NAME.match(line)
    if not m:
        return None
    name, at = m["name"].strip(), seconds(m["time"])
    if at is None or not name_shape(name):
        return None
    return name, at


def speaker_headers(lines: list[str], known: set[str]) -> dict[int, tuple[str, float]]:
    """The speaker-and-time lines by index: their label recurs, looks strongly like a name, or is known."""
    found = {n: h for n, line in enumerate(lines) if (h := header(line.strip()))}
    counts = Counter(label.casefold() for label, _ in found.values())
    return {n: (label, at) for n, (label, at) in found.items()
            if counts[label.casefold()] >= 2 or name_shape(label) == "strong" or label.casefold() in known}


def read_meeting(text: str, parsed: Parsed, known: set[str]) -> None:
    """Read an export into `parsed`: lines before the first speaker line are the introduction.

    Every paragraph of a block starts at the block's time: the export gives no finer one.
    """
    lines = text.splitlines()
    headers = speaker_headers(lines, known)
    label: str | None = None
    start = 0.0
    last = max(headers, default=-1)
    for n, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if n > last and is_credit(line):  # `Transcribed by https://otter.ai` after the talk
            parsed.dropped["credits and promotion"] += sum(1 for rest in lines[n:] if rest.strip())
            break
        if n in headers:
            label, start = headers[n]
            parsed.dropped["speaker and time lines"] += 1
            if not parsed.turns or parsed.turns[-1].label != label:
                parsed.turns.append(Turn(label))
        elif label is None:
            parsed.intro.append(line)
        elif said := spoken(line, parsed, any_square=False)[0]:
            parsed.turns[-1].paragraphs.append(Paragraph(said, start))
    parsed.turns[:] = [t for t in parsed.turns if t.paragraphs]
