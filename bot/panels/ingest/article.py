"""Markdown and plain-text articles: `**Name：**`, `Name: text`, `名字（头衔）：`, with or without a roster.

A line opens a turn when its label is a speaker: a label that recurs, that the introduction
names, that looks strongly like a name, or that was given with --speaker. Anything else
before a colon (`比如：`, `Our first question: how ...`) is text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .labels import INTRO_ONLY, compact, is_roster_label, name_shape, role, split_label
from .noise import is_credit, spoken
from .parsed import Paragraph, Parsed, Turn
from .timed import seconds

_CLOCK = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TURN = re.compile(
    rf"^(?:[\[(（]?(?P<ts1>{_CLOCK})[\])）]?\s+)?(?:(?:>>|[>\-–•])\s*)?(?P<open>\*\*|【)?\s*"
    r"(?P<name>[^*【】\[\]:：()（）,，。!?！？;；\"“”]{1,60}?)\s*"
    rf"(?:[\[(（](?P<ts2>{_CLOCK})[\])）]|[(（](?P<title>[^()（）]{{1,80}})[)）])?\s*"
    r"(?P<close1>\*\*|】)?\s*[:：]\s*(?P<close2>\*\*)?\s*(?P<rest>.*)$")
# `KAREN LIU, MANAGING EDITOR, GREEN FINANCE REVIEW (MODERATOR): Good morning.`: a name, then its title.
_TITLED = re.compile(r"^(?P<name>[^,，:：*【】\[\]()（）]{2,40}?)\s*[,，]\s*(?P<title>[^:：?？!！。]{2,120}?)\s*[:：]\s*"
                     r"(?P<rest>.*)$")
# `**Q: Is it over?**`: a whole line in bold, label and question alike (magazine interviews).
_BOLD_TURN_LINE = re.compile(r"^\*\*(?P<name>[^*:：]{1,40}?)\s*[:：]\s*(?P<rest>[^*]+?)\s*\*\*$")
# **Name** alone on a line with the speech below, and 【Name】 before the speech, without a colon.
_MARKED = re.compile(r"^(?:\*\*(?P<bold>[^*:：]{1,60})\*\*|【(?P<bracketed>[^【】:：]{1,60})】)\s*(?P<rest>.*)$")
_TIMESTAMP_LINE = re.compile(rf"^[\[(（]?{_CLOCK}[\])）]?$")
_BOLD_LINE = re.compile(r"^\*\*[^*]+\*\*$")
_EMPHASIS_LINE = re.compile(r"^(?:\*[^*]+\*|_[^_]+_)$")  # *laughs*, *Subscribe for more.*: the editor's, not speech
_HEADING = re.compile(r"^#{1,6}\s")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_IMAGE = re.compile(r"^\*?!\[[^\]]*\]\([^)]*\)\*?$")
_CAPTION = re.compile(r"^(图片来源|图源|图片|来源|Image|Photo|Caption|Credit)\s*[：:]", re.IGNORECASE)
# An editor's note is bracketed or says whose it is; a bare "Note:" inside a turn is speech.
_NOTE = re.compile(r"^(?:[（(\[]\s*(?:编者注|编者按|注|editor'?s note|note)\s*[：:]|(?:编者注|编者按|editor'?s note)\s*[：:])",
                   re.IGNORECASE)
_LINK = re.compile(r"https?://\S+")
_END = re.compile(r"^[-—–\s(（\[]*(?:完|全文完|END|The End|End of transcript)[-—–\s)）\]]*$", re.IGNORECASE)
ANSWERER = "Interviewee"  # who answers the bold questions of a magazine interview, until --speaker names them
MAX_INTRO_CHARS = 20_000  # an introduction is a few paragraphs; past this it is the talk itself
SHOWN_REJECTED = 3  # lines named in the warning about labels not read as speakers


@dataclass(frozen=True, slots=True)
class _Candidate:
    line: int
    label: str
    title: str
    rest: str
    start: float | None
    marked: bool  # **Name：** or 【Name】: markup an editor chose for turns
    alone: bool  # the label on a line of its own, the speech below it
    moderates: bool = False  # Moderator (Jane Doe): the label names the person and the role
    whole_line: bool = False  # **Q: Is it over?**: the bold holds the question; the answer follows unlabelled


def _lines(text: str) -> list[str]:
    """Lines with Markdown escapes and no-break spaces undone; blank lines become ''."""
    out = []
    for raw in text.splitlines():
        line = raw.replace("\u00a0", " ").replace("\u3000", " ").strip()
        out.append(re.sub(r"\\([_*\[\]#>`-])", r"\1", line))
    return out


def _candidate(n: int, line: str, known: set[str]) -> _Candidate | None:
    if _TIMESTAMP_LINE.match(line):
        return None  # 00:05:12 is a time, not a speaker called 00
    if (m := _BOLD_TURN_LINE.match(line)) and _labels_a_person(m["name"], known, marked=True):
        return _Candidate(n, m["name"].strip(), "", m["rest"].strip(), None, True, alone=False, whole_line=True)
    if (m := _TITLED.match(line)) and name_shape(m["name"].strip()) == "strong":
        title, moderates = _title_and_role(m["title"].strip())
        return _Candidate(n, split_label(m["name"].strip())[0], title, m["rest"].strip(), None, False, alone=False,
                          moderates=moderates)
    if m := _TURN.match(line):
        raw = m["name"].strip()
        name, title = split_label(raw + (f" ({m['title']})" if m["title"] else ""))
        bold = m["open"] == "**" and "**" in (m["close1"], m["close2"])
        bracketed = m["open"] == "【" and m["close1"] == "】"
        if _labels_a_person(name, known, marked=bold or bracketed) and not (m["open"] and not (bold or bracketed)) \
                and not (m["close1"] and not m["open"]):
            rest = m["rest"].strip()
            rest = rest[2:].lstrip() if bold and rest.startswith("**") else rest
            start = seconds(m["ts1"] or m["ts2"]) if (m["ts1"] or m["ts2"]) else None
            moderates = name != raw and role(raw) == "moderator"
            return _Candidate(n, name, title, rest, start, bold or bracketed, alone=False, moderates=moderates)
    if m := _MARKED.match(line):
        name, title = split_label((m["bold"] or m["bracketed"]).strip())
        rest = m["rest"].strip()
        if (name_shape(name) or compact(name) in known) and (m["bracketed"] or not rest):
            return _Candidate(n, name, title, rest, None, True, alone=not rest)
    return None


def _labels_a_person(label: str, known: set[str], *, marked: bool) -> bool:
    """A label names someone: by its shape, because --speaker gave it, or, in markup an editor chose
    for turns, as any short label without sentence punctuation (`**36氪：**`)."""
    label = label.strip()
    if name_shape(label) or compact(label) in known:
        return True
    return marked and len(label) <= 20 and not re.search(r"[,，。.!?！？;；\"“”]", label)


def _title_and_role(title: str) -> tuple[str, bool]:
    """`MANAGING EDITOR, X (MODERATOR)` -> the title, and whether it says the person moderates."""
    if (m := re.match(r"^(?P<title>.*?)\s*[(（](?P<role>[^()（）]+)[)）]$", title)) and role(m["role"]) == "moderator":
        return m["title"].strip(), True
    if role(title) == "moderator":
        return "", True
    return title, False


def _speakers(candidates: list[_Candidate], lines: list[str], known: set[str]) -> tuple[set[str], list[_Candidate], list[str]]:
    """The labels (compacted) that are speakers, the lines whose label was read as text, and the
    speakers that speak once without being introduced."""
    counts = Counter(compact(c.label) for c in candidates)
    recurring = [c for c in candidates if counts[compact(c.label)] >= 2 or compact(c.label) in known]
    # The talk starts at the first turn of someone who speaks again (else at the first strong name).
    first = min((c.line for c in recurring), default=min((c.line for c in candidates if _strong_once(c)), default=len(lines)))
    intro = compact(" ".join(lines[:first]))[:MAX_INTRO_CHARS]
    # A transcript that puts a blank line before every turn does so for a one-time speaker too.
    turn_lines = [c.line for c in recurring if c.line > first]
    blank_separated = len(turn_lines) >= 3 and sum(lines[n - 1] == "" for n in turn_lines) >= 0.8 * len(turn_lines)
    speakers: set[str] = set()
    rejected: list[_Candidate] = []
    lone: list[str] = []
    for c in candidates:
        key = compact(c.label)
        named = len(key) >= 2 and intro.count(key) > (1 if c.line < first else 0)  # not only on its own line
        if key in known or counts[key] >= 2 or named:
            speakers.add(key)
        elif c.marked and not c.alone:
            speakers.add(key)  # **Name：** and 【Name】 are markup an editor chose for turns
        elif c.line < first:
            continue  # a title or header line before the talk: `Davos Roundtable: Financing ...`
        elif _strong_once(c) and not (blank_separated and lines[c.line - 1] != ""):
            speakers.add(key)
            lone += [] if is_roster_label(c.label) else [c.label]
        elif not is_roster_label(c.label):
            rejected.append(c)
    # "Dana:" once, after Dana Whitfield has spoken: a first name of someone speaking is a speaker.
    first_names = {c.label.split()[0].casefold() for c in candidates if compact(c.label) in speakers and " " in c.label}
    speakers |= {compact(c.label) for c in rejected if c.label.casefold() in first_names}
    rejected = [c for c in rejected if compact(c.label) not in speakers]
    for key in list(speakers):
        if INTRO_ONLY.match(key) and key not in known:
            speakers.discard(key)  # 嘉宾, Panelists: they introduce people and never speak
    return speakers, rejected, lone


def _introduces(rest: str) -> bool:
    """`Nadia Rahman`, `Dr. Samuel Okafor, chief medical officer`: a line's rest that names a person."""
    head = re.split(r"[,，;；(（—–]|\s-\s", rest, maxsplit=1)[0].strip(" *.")
    return "?" not in rest and "？" not in rest and name_shape(split_label(head)[0]) == "strong"


def _warn_about_labels(rejected: list[_Candidate], lone: list[str], any_turns: bool, warnings: list[str]) -> None:
    if rejected and any_turns:
        shown = "; ".join(f"line {c.line + 1} {c.label!r}" for c in rejected[:SHOWN_REJECTED])
        more = f" and {len(rejected) - SHOWN_REJECTED} more" if len(rejected) > SHOWN_REJECTED else ""
        warnings.append(f"read as text, not as a speaker (used once, never introduced): {shown}{more}; "
                        "--speaker 'LABEL=Name' makes one a speaker")
    if len(lone) > 0 and any_turns:
        warnings.append(f"speaking once and never introduced: {', '.join(lone[:5])}; check that they are people")


def _strong_once(c: _Candidate) -> bool:
    """A label used once counts when it looks strongly like a name and what follows reads as speech."""
    if name_shape(c.label) != "strong" or c.alone:
        return False
    first = c.rest[:1]
    return not (first.isalpha() and first.islower())  # "Bottom Line: we need ..." is a sentence


def _is_roster_line(c: _Candidate, speakers: set[str], recurs_later: bool) -> bool:
    """`Moderator: Jane Doe, editor at X`, `Host: Nadia Rahman` and `主持人：李明，主编` introduce people."""
    if not is_roster_label(c.label):
        return False
    mentioned = any(key != compact(c.label) and key in compact(c.rest) for key in speakers)
    return mentioned or not recurs_later or _introduces(c.rest)


def read_article(text: str, parsed: Parsed, known: set[str]) -> None:
    lines = _lines(text)
    candidates = [c for n, line in enumerate(lines) if line and (c := _candidate(n, line, known))]
    if sum(c.marked for c in candidates) >= 2:
        # A transcript that marks turns in bold does so throughout; then `名字：` in a line is text.
        candidates = [c for c in candidates if c.marked]
    speakers, rejected, lone = _speakers(candidates, lines, known)
    turns = {c.line: c for c in candidates if compact(c.label) in speakers}
    last_line = {compact(c.label): n for n, c in turns.items()}
    for n, c in sorted(turns.items()):  # the header lines that open a transcript, in any order, until speech
        if not _is_roster_line(c, speakers, recurs_later=last_line[compact(c.label)] > n):
            break
        del turns[n]
    end = _talk_end(lines, max(turns, default=-1))
    _warn_about_labels([c for c in rejected if min(turns, default=0) < c.line < end], lone, bool(turns), parsed.warnings)
    pending_start: float | None = None
    for n, line in enumerate(lines[:end]):
        if not line:
            continue
        reason = _dropped(line, after_first_turn=bool(parsed.turns))
        if n in turns:
            c = turns[n]
            parsed.turns.append(Turn(c.label))
            if c.title:
                parsed.titles.setdefault(c.label, c.title)
            if c.moderates:
                parsed.moderator_hint = parsed.moderator_hint or c.label
            rest, marked_at = spoken(c.rest, parsed, any_square=False)
            if rest:
                parsed.turns[-1].paragraphs.append(Paragraph(rest, c.start if c.start is not None else marked_at))
            pending_start = c.start if not rest else None
            if c.whole_line:  # what follows a bold question is the interviewee's answer
                parsed.turns.append(Turn(ANSWERER))
        elif reason:
            parsed.dropped[reason] += 1
            if reason == "headings" and (heading := _heading_label(line)):
                parsed.headings[len(parsed.turns)] = heading
            if reason == "timestamps" and parsed.turns:
                pending_start = seconds(line.strip("[]()（）"))
        elif parsed.turns:
            said, marked_at = spoken(line, parsed, any_square=False)
            if said:
                parsed.turns[-1].paragraphs.append(Paragraph(said, pending_start if pending_start is not None else marked_at))
                pending_start = None
        else:
            parsed.intro.append(line)
    parsed.dropped["lines after the talk (promotion, links)"] += sum(1 for line in lines[end:] if line)
    parsed.turns[:] = [t for t in parsed.turns if t.paragraphs]


def _dropped(line: str, *, after_first_turn: bool) -> str | None:
    """Why a line is not speech: an image, a caption, an editor's note, a heading; None when it is."""
    if _IMAGE.match(line):
        return "images"
    if _CAPTION.match(line):
        return "captions"
    if _NOTE.match(line):
        return "editor's notes"
    if _TIMESTAMP_LINE.match(line):
        return "timestamps"
    if _RULE.match(line) or line.startswith("<!--"):
        return "rules and comments"
    if _EMPHASIS_LINE.match(line) and after_first_turn:
        return "italic lines (stage directions, notes)"
    if after_first_turn and (_HEADING.match(line) or _BOLD_LINE.match(line)):
        return "headings"
    return None


def _heading_label(line: str) -> str:
    """A section heading as a topic's name: `## 二、关于开源与闭源` -> 开源与闭源, `**Part 2: Pricing**` -> Pricing."""
    text = line.strip("#* ").strip()
    text = re.sub(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）、.．:：]\s*|(?:part|section|chapter)\s+\w+\s*[:：.-]\s*)", "", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"^(?:关于|谈|论|on|about)\s*", "", text, flags=re.IGNORECASE).strip(" ：:。.!！?？")
    return text if 0 < len(text) <= 40 else ""


def _talk_end(lines: list[str], last_turn: int) -> int:
    """Where the trailing promotion begins: the first bold banner, link line or end mark after the last turn."""
    for n in range(last_turn + 1, len(lines)):
        line = lines[n]
        if line and (_BOLD_LINE.match(line) or _EMPHASIS_LINE.match(line) or _HEADING.match(line) or _END.match(line)
                     or is_credit(line) or (_LINK.search(line) and len(_LINK.sub("", line)) < 40)):
            return n
    return len(lines)
