"""SubRip (.srt) and WebVTT (.vtt) subtitles: cues, their times, and who speaks in them.

Written by hand rather than with a subtitle library: the libraries drop a cue they cannot
read without saying so, and every dropped line must be counted here.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from .labels import name_shape
from .parsed import Parsed
from .timed import Utterance, gather, seconds

_TIMING = re.compile(r"^\s*((?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*-->\s*((?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)(.*)$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,3}:\d{2}(?::\d{2})?[.,]\d{1,3}>|\{\\[^}]*\}")
_SOUND = re.compile(r"\[[^\]]*\]|♪[^♪]*♪?|♫[^♫]*♫?|（[^）]*）|\([^)]*\)")  # [Music], (applause), ♪ la la ♪
_PREFIX = re.compile(r"^(?:-\s*|–\s*|>>\s*)?(?:\[([^\]]{1,40})\]\s*:?|([^:：\[\]()<>]{1,40}?)\s*[:：])\s*(.*)$")
_DASH = re.compile(r"^(?:[-–]|>>)\s*")
VTT_BLOCKS = ("NOTE", "STYLE", "REGION")
ROLL_UP_FLASH = 0.1  # seconds
SOUND_WORDS = frozenset((
    "music applause laughter laughs laughing laugh inaudible crosstalk silence cheering cheers noise background "
    "coughs cough sighs sigh chuckles chuckle 音乐 掌声 笑声 笑 鼓掌 静音 听不清 杂音 背景音乐").split())


def is_subtitles(text: str) -> bool:
    timings = sum(1 for line in text.splitlines()[:400] if _TIMING.match(line))
    return timings >= 2 or text.lstrip().startswith("WEBVTT")


def _cues(text: str, parsed: Parsed) -> list[tuple[float, float, list[str]]]:
    """(start, end, text lines) of every cue; headers, notes, numbers and timings counted as dropped."""
    cues: list[tuple[float, float, list[str]]] = []
    lines = text.splitlines()
    i = 0
    if lines and lines[0].lstrip().startswith("WEBVTT"):
        while i < len(lines) and lines[i].strip():
            parsed.dropped["header lines"] += 1
            i += 1
    pending: list[str] = []  # lines since the last blank: an identifier, or stray text
    current: list[str] | None = None
    in_block = False
    for line in lines[i:]:
        stripped = line.strip()
        if not stripped:
            current, in_block = None, False
            parsed.dropped["lines outside any cue"] += len(pending)
            pending = []
            continue
        if in_block:
            parsed.dropped["notes and styles"] += 1
            continue
        if timing := _TIMING.match(line):
            start, end = seconds(timing[1]), seconds(timing[2])
            parsed.dropped["cue numbers"] += len(pending)
            pending = []
            parsed.dropped["timings"] += 1
            current = []
            cues.append((start or 0.0, end or start or 0.0, current))
            continue
        if current is not None:
            current.append(stripped)
        elif stripped.split(maxsplit=1)[0] in VTT_BLOCKS and not pending:
            in_block = True
            parsed.dropped["notes and styles"] += 1
        else:
            pending.append(stripped)
    parsed.dropped["lines outside any cue"] += len(pending)
    return cues


def _clean(line: str, parsed: Parsed) -> str:
    text = html.unescape(_TAG.sub("", line)).replace("\u00a0", " ")
    without = _SOUND.sub(lambda m: "" if _is_sound(m[0]) else m[0], text)
    if without != text:
        parsed.dropped["sound descriptions"] += 1
    return re.sub(r"\s{2,}", " ", without).strip()


def _is_sound(bracketed: str) -> bool:
    inner = bracketed.strip("[]()（）♪♫ ").casefold()
    return bracketed[0] in "[♪♫" or not inner or inner in SOUND_WORDS or any(w in SOUND_WORDS for w in inner.split())


def _speaker(line: str) -> tuple[str | None, str]:
    """The speaker a cue line names (`NAME:`, `[Name]`, `- Name:`, `>> Name:`), and the rest."""
    m = _PREFIX.match(line)
    if m:
        label = (m[1] or m[2] or "").strip()
        if label and label.casefold() not in SOUND_WORDS and name_shape(label):
            return label, m[3].strip()
    return None, line


def read_subtitles(text: str, parsed: Parsed, known: set[str]) -> None:
    """Read SRT or WebVTT into `parsed`.

    A `NAME:` label counts as a speaker when it recurs, looks strongly like a name, or is
    `known` (given with --speaker); lines after it in the same cue are that speaker's too.
    """
    lines: list[tuple[int, str | None, str, str | None, str, float, float]] = []  # cue, label, rest, voice, line, times
    for n, (start, end, cue) in enumerate(_cues(text, parsed)):
        voice = None
        if not cue:
            parsed.dropped["empty cues"] += 1
        for raw in cue:
            if v := _VOICE.search(raw):
                voice = v[1].strip()
            line = _clean(raw, parsed)
            if line:
                label, rest = _speaker(line)
                lines.append((n, label, rest, voice, line, start, end))
    counts = Counter(label.casefold() for _, label, *_ in lines if label)
    lines_in_cue = Counter(n for n, *_ in lines)
    utterances: list[Utterance] = []
    previous, cue_at, cue_label = "", -1, None
    first_of_cue = False
    unnamed_changes = 0  # "- text" and ">> text": someone else speaks, and the captions do not say who
    for n, label, rest, voice, line, start, end in lines:
        first_of_cue = n != cue_at
        if first_of_cue:
            cue_at, cue_label = n, None
        if label and not (counts[label.casefold()] >= 2 or name_shape(label) == "strong" or label.casefold() in known):
            label, rest = None, line
        if not label and _DASH.match(rest):
            rest = _DASH.sub("", rest)
            unnamed_changes += 1
        cue_label = label or voice or cue_label
        if not rest:
            continue
        if rest == previous and _rolled(first_of_cue, lines_in_cue[n], end - start):
            parsed.dropped["repeated caption lines"] += 1
            continue
        previous = rest
        utterances.append(Utterance(cue_label, rest, start, end))
    gather(parsed, utterances)
    if unnamed_changes and parsed.turns:
        parsed.warnings.append(f"{unnamed_changes} caption lines mark a change of speaker ('- ', '>>') without a name; "
                               "each went to the speaker before it")


def _rolled(first_of_cue: bool, lines: int, duration: float) -> bool:
    """Whether a line equal to the one before is a roll-up repeat, not someone saying it again.

    Roll-up captions (YouTube's automatic ones) carry the last line over as the first line of
    the next cue, and flash it alone in a cue of a few milliseconds; a cue of its own is speech.
    """
    return (first_of_cue and lines > 1) or duration < ROLL_UP_FLASH
