"""SubRip (.srt) and WebVTT (.vtt) subtitles: cues, their times, and who speaks in them.

Written by hand rather than with a subtitle library: the libraries drop a cue they cannot
read without saying so, and every dropped line must be counted here.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, replace

from .labels import compact, name_shape, split_label
from .noise import is_credit, names_a_sound, without_sounds
from .parsed import Parsed
from .timed import Utterance, gather, seconds

_TIME = r"-?\d{1,3}(?::\d{1,3}){1,2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})(.*)$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^<>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<\d{1,3}:\d{2}(?::\d{2})?[.,]\d{1,3}>|\{\\[^{}]*\}")
# `NAME:`, `[Name]`, `【Name】`, `- Name:`, `>> Name:` opening a caption line.
_PREFIX = re.compile(r"^(?:[-–]\s*|>>\s*)?(?:\[([^\[\]]{1,60})\]\s*[:：]?|【([^【】]{1,60})】\s*[:：]?|"
                     r"([^:：\[\]<>【】]{1,60}?)\s*[:：])\s*(.*)$")
_DASH = re.compile(r"^(?:[-–]|>>)\s*")
VTT_BLOCKS = ("NOTE", "STYLE", "REGION")
ROLL_UP_FLASH = 0.1  # seconds


@dataclass(frozen=True, slots=True)
class _Line:
    cue: int
    label: str | None  # from a prefix in the line
    rest: str  # the line after the prefix
    bracketed: bool  # [Name] or 【Name】: marked as a speaker, not only followed by a colon
    voice: str | None  # from a <v Name> tag in the cue
    line: str  # the whole line, tags removed
    start: float
    end: float


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
    impossible = backwards = 0
    for line in lines[i:]:
        stripped = line.strip()
        if stripped == "" and line and current is not None:
            continue  # a line of spaces does not end a cue (YouTube writes one into each)
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
            last = cues[-1][0] if cues else 0.0
            if start is None:  # -00:00:01 or 00:99:99: keep the cue, at the time of the one before
                impossible += 1
                start = last
            elif start < last - 1:
                backwards += 1
            if current and current[-1].isdigit():  # the next cue's number, with no blank line before it
                current.pop()
                parsed.dropped["cue numbers"] += 1
            parsed.dropped["cue numbers"] += len(pending)
            pending = []
            parsed.dropped["timings"] += 1
            current = []
            cues.append((start, end if end is not None and end >= start else start, current))
            continue
        if current is not None:
            current.append(stripped)
        elif stripped.split(maxsplit=1)[0] in VTT_BLOCKS and not pending:
            in_block = True
            parsed.dropped["notes and styles"] += 1
        else:
            pending.append(stripped)
    parsed.dropped["lines outside any cue"] += len(pending)
    if impossible:
        parsed.warnings.append(f"{impossible} cues have a time that cannot be (negative, or 60 minutes or more): "
                               "each took the time of the cue before it")
    if backwards:
        parsed.warnings.append(f"the cues' times go backwards {backwards} times: is the file in order?")
    return cues


def _speaker(line: str) -> tuple[str | None, str, bool]:
    """The speaker a caption line names, the rest of the line, and whether the name was bracketed."""
    m = _PREFIX.match(line)
    if not m:
        return None, line, False
    bracketed = m[1] or m[2]
    label = (bracketed or m[3] or "").strip()
    name, _ = split_label(label)
    if names_a_sound(label) or not name_shape(name):
        return None, line, False
    return label, m[4].strip(), bool(bracketed)


def _lines(text: str, parsed: Parsed) -> list[_Line]:
    out = []
    for n, (start, end, cue) in enumerate(_cues(text, parsed)):
        voice = None
        if not cue:
            parsed.dropped["empty cues"] += 1
        for raw in cue:
            if v := _VOICE.search(raw):
                voice = v[1].strip()
            line = html.unescape(_TAG.sub("", raw)).replace("\u00a0", " ").strip()
            if not line:
                continue
            if is_credit(line):
                parsed.dropped["credits and promotion"] += 1
                continue
            label, rest, bracketed = _speaker(line)
            rest, sounds = without_sounds(rest)
            parsed.dropped["sound descriptions"] += sounds
            if rest or label:
                out.append(_Line(n, label, rest, bracketed, voice, line, start, end))
    return out


def _name_lines(lines: list[_Line], known: set[str]) -> list[_Line]:
    """Teams-style cues, whose first line is the speaker's name alone and the rest what they said.

    Only in files that name nobody otherwise: where captions already say `NAME:`, a short first
    line that happens to recur is the start of a sentence, not a name.
    """
    if any(ln.label for ln in lines):
        return lines
    firsts: dict[int, _Line] = {}
    per_cue = Counter(ln.cue for ln in lines)
    for ln in lines:
        if ln.cue not in firsts and per_cue[ln.cue] > 1:
            firsts[ln.cue] = ln
    named = [ln for ln in firsts.values() if ln.label is None and not re.search(r"[.,!?;:。，！？；：…]$", ln.line)
             and name_shape(ln.line)]
    counts = Counter(compact(ln.line) for ln in named)
    recurring = {id(ln) for ln in named if counts[compact(ln.line)] >= 2 or compact(ln.line) in known}
    # Once the file shows the pattern, a strong name heading a cue once is a speaker too.
    keep = recurring | ({id(ln) for ln in named if name_shape(ln.line) == "strong"} if len(recurring) >= 2 else set())
    return [replace(ln, label=ln.line, rest="") if id(ln) in keep else ln for ln in lines]


def read_subtitles(text: str, parsed: Parsed, known: set[str]) -> None:
    """Read SRT or WebVTT into `parsed`.

    A label counts as a speaker when it recurs, looks strongly like a name, is bracketed, or
    is `known` (given with --speaker); lines after it in the same cue are that speaker's too.
    """
    lines = _name_lines(_lines(text, parsed), known)
    counts = Counter(compact(ln.label) for ln in lines if ln.label)
    per_cue = Counter(ln.cue for ln in lines)
    utterances: list[Utterance] = []
    previous, cue_at, cue_label = "", -1, None
    unnamed_changes = 0  # "- text" and ">> text": someone else speaks, and the captions do not say who
    for ln in lines:
        first_of_cue = ln.cue != cue_at
        if first_of_cue:
            cue_at, cue_label = ln.cue, None
        label, rest = ln.label, ln.rest
        if label and not (counts[compact(label)] >= 2 or name_shape(split_label(label)[0]) == "strong"
                          or ln.bracketed or compact(label) in known):
            label, rest = None, without_sounds(ln.line)[0]
        if not label and _DASH.match(rest):
            rest = _DASH.sub("", rest)
            unnamed_changes += 1
        if label or ln.voice:
            name, title = split_label(label or ln.voice or "")
            if title:
                parsed.titles.setdefault(name, title)
            cue_label = name
        if not rest:
            continue
        if rest == previous and _rolled(first_of_cue, per_cue[ln.cue], ln.end - ln.start):
            parsed.dropped["repeated caption lines"] += 1
            continue
        previous = rest
        utterances.append(Utterance(cue_label, rest, ln.start, ln.end))
    gather(parsed, utterances)
    if unnamed_changes and parsed.turns:
        parsed.warnings.append(f"{unnamed_changes} caption lines mark a change of speaker ('- ', '>>') without a name; "
                               "each went to the speaker before it")
    if not parsed.turns and utterances:
        parsed.hint = f"{len(utterances)} caption lines, none naming a speaker ('NAME:', [Name] or <v Name>)"


def _rolled(first_of_cue: bool, lines: int, duration: float) -> bool:
    """Whether a line equal to the one before is a roll-up repeat, not someone saying it again.

    Roll-up captions (YouTube's automatic ones) carry the last line over as the first line of
    the next cue, and flash it alone in a cue of a few milliseconds; a cue of its own is speech.
    """
    return (first_of_cue and lines > 1) or duration < ROLL_UP_FLASH
