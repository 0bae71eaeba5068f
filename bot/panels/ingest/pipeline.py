"""The ingest pipeline: read a transcript in its format, name the speakers, find the moderator and
the topics, and build the panel document with a report of everything decided and dropped."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ...errors import QuoteBotError
from ..slug import unique_slug
from . import FORMATS
from .article import read_article
from .asr import looks_like_json, read_asr_json
from .cues import is_subtitles, read_subtitles
from .facts import find_date, lead_facts
from .labels import compact
from .meeting import read_meeting, speaker_headers
from .parsed import Parsed, join_lines
from .roster import read_roster
from .speakers import SpeakerMap, people, pick_moderator
from .topics import is_prompt, label, named_keyword, shares_phrase

_THANKS = re.compile(r"^\W*(?:thank|thanks|welcome|good (?:morning|afternoon|evening)|谢谢|感谢|欢迎)\b"
                     r"[^.!?。！？]{0,40}[.!?。！？]?$", re.IGNORECASE)
NEARLY_ALL = 0.9


@dataclass(frozen=True)
class Options:
    """What the command line may say about a transcript; None means: find it in the text."""

    panel_id: str
    format: str | None = None
    speakers: tuple[SpeakerMap, ...] = ()
    moderator: str | None = None
    date: dt.date | None = None
    year: int | None = None
    title: str | None = None
    event: str | None = None
    host: str | None = None
    source_url: str | None = None
    recording: str | None = None
    file_name: str = ""  # a date in the file name counts when the text gives none


@dataclass
class Report:
    """What ingest decided, for the summary it prints."""

    format: str
    detected: bool
    speakers: list[tuple[str, str, int, str]] = field(default_factory=list)  # name, role, paragraphs, how
    moderator_how: str = ""
    topics: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    date_how: str = ""
    timed: int = 0


@dataclass
class Ingested:
    document: dict[str, Any]
    report: Report


def _candidates(text: str, known: set[str]) -> list[str]:
    """The formats to try, most likely first."""
    if looks_like_json(text):
        return ["json"]
    if text.lstrip().startswith("WEBVTT"):
        return ["vtt"]
    if is_subtitles(text):
        return ["srt"]
    if len(speaker_headers(text.splitlines()[:3000], known)) >= 2:
        return ["meeting", "article"]
    return ["article", "meeting"]


def _read(text: str, fmt: str, known: set[str]) -> Parsed:
    parsed = Parsed(fmt)
    if fmt == "json":
        read_asr_json(text, parsed)
    elif fmt in ("srt", "vtt"):
        read_subtitles(text, parsed, known)
    elif fmt == "meeting":
        read_meeting(text, parsed, known)
    else:
        read_article(text, parsed, known)
    return parsed


def parse(text: str, options: Options) -> tuple[Parsed, bool]:
    """The transcript's turns in the format asked for or detected; refuses text without turns."""
    known = {compact(m.label) for m in options.speakers} | ({compact(options.moderator)} if options.moderator else set())
    if options.format and options.format not in FORMATS:
        raise QuoteBotError(f"--format {options.format!r}: choose one of {', '.join(FORMATS)}")
    if not text.strip():
        raise QuoteBotError("the file is empty")
    tried = [options.format] if options.format else _candidates(text, known)
    hints = []
    for fmt in tried:
        parsed = _read(text, fmt, known)
        if parsed.turns:
            _warn_about_lost_speech(parsed)
            return parsed, options.format is None
        hints += [parsed.hint] if parsed.hint else []
    found = f" ({'; '.join(hints)})" if hints else ""
    raise QuoteBotError(f"no speaker turns found{found} (tried {', '.join(tried)}): expected 'Name: text' lines, "
                        "'Name  0:31' lines before the text, subtitles with 'NAME:' or <v Name>, or JSON segments "
                        "with a speaker; --format NAME picks one")


# Lines a reader dropped that may have been speech: these are warned about, not only counted.
SPEECH_MAY_BE_LOST = ("speech before the first named speaker", "lines outside any cue")


def _warn_about_lost_speech(parsed: Parsed) -> None:
    for reason in SPEECH_MAY_BE_LOST:
        if n := parsed.dropped.get(reason):
            parsed.warnings.append(f"dropped {reason} ({n} lines): check that nothing said is missing")


def _date(intro: list[str], options: Options, report: Report) -> dt.date | None:
    if options.date:
        report.date_how = "--date"
        return options.date
    found = find_date("\n".join(intro)) or find_date(options.file_name.replace("_", " "))
    if found is None:
        report.date_how = "none in the text (--date sets one)"
        return None
    year = found.year or options.year
    if year is None:
        report.warnings.append(f"the text gives the date {found.text!r} without a year, so the panel has none: "
                               f"pass --year or --date")
        return None
    try:
        day = dt.date(year, found.month, found.day)
    except ValueError:
        report.warnings.append(f"{found.text!r} is not a date; pass --date")
        return None
    report.date_how = f"from {found.text!r}" + (" with --year" if found.year is None else "")
    return day


def _seconds(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def ingest(text: str, options: Options) -> Ingested:
    """Parse a transcript into a panel document (plain dicts, ready for YAML) and a report."""
    parsed, detected = parse(text, options)
    report = Report(parsed.format, detected, dropped=parsed.dropped, warnings=parsed.warnings)
    first_names = list(dict.fromkeys(t.label for t in parsed.turns))
    roster = read_roster(parsed.intro, first_names)
    persons = people(parsed.turns, list(options.speakers), roster.moderator, report.warnings, parsed.intro, roster.by_role)
    names = {key: p.name for key, p in persons.items()}
    if any(p.name != t for p, t in zip(persons.values(), first_names)):
        roster_more = read_roster(parsed.intro, list(dict.fromkeys(names.values())))
        roster.titles.update({k: v for k, v in roster_more.titles.items() if k not in roster.titles})
        roster.moderator = roster.moderator or roster_more.moderator
    moderator, report.moderator_how = pick_moderator(parsed.turns, names, roster.moderator or parsed.moderator_hint or None,
                                                     options.moderator, report.warnings)

    order = list(dict.fromkeys(names[compact(t.label)] for t in parsed.turns))
    titles: dict[str, str] = {}
    for t in parsed.turns:
        person = persons[compact(t.label)]
        titles.setdefault(person.name, person.title or roster.titles.get(person.name) or
                          roster.titles.get(t.label) or parsed.titles.get(t.label, ""))
    taken: set[str] = set()
    speaker_ids = {name: unique_slug(name, taken, fallback="speaker") for name in order}
    speakers = [{"id": speaker_ids[n], "name": n, "title": titles.get(n, ""),
                 "role": "moderator" if n == moderator else "panelist"} for n in order]

    topics, quotes = _topics_and_quotes(parsed, names, moderator, speaker_ids)
    counts = Counter(q["speaker"] for q in quotes)
    by_id = {s["id"]: s for s in speakers}
    how = {p.name: p.how for p in persons.values() if p.how}
    report.speakers = [(s["name"], s["role"], counts[s["id"]], how.get(s["name"], "")) for s in speakers]
    report.topics = [t["name"] for t in topics]
    report.timed = sum(1 for q in quotes if "start" in q)
    _warn_about_shares(counts, by_id, report)

    facts = lead_facts(parsed.intro)
    date = _date(parsed.intro, options, report)
    panel: dict[str, Any] = {"id": options.panel_id, "title": options.title or facts.get("title") or options.panel_id}
    said = "".join(q["text"] for q in quotes)
    language = "zh" if len(re.findall(r"[\u4e00-\u9fff]", said)) * 2 > len(re.findall(r"\w", said)) else "en"
    for key, value in (("event", options.event or facts.get("event")), ("date", date.isoformat() if date else None),
                       ("host", options.host or facts.get("host")), ("location", facts.get("location")),
                       ("language", language), ("recording", options.recording)):
        if value:
            panel[key] = value
    source = {k: v for k, v in (("url", options.source_url), ("publisher", facts.get("publisher")),
                                ("note", facts.get("source_note"))) if v}
    if source:
        panel["source"] = source
    return Ingested({"panel": panel, "speakers": speakers, "topics": topics, "quotes": quotes}, report)


def _topics_and_quotes(parsed: Parsed, names: dict[str, str], moderator: str | None,
                       speaker_ids: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each paragraph as a quote under the topic of the moderator's last question."""
    topics: list[dict[str, Any]] = []
    topic_ids: set[str] = set()
    current: dict[str, Any] | None = None
    quotes: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    turns = parsed.turns
    asked = [join_lines([p.text for p in t.paragraphs]) if names[compact(t.label)] == moderator else "" for t in turns]
    # A moderator who never asks with a question mark ("Tell us about your projects.") prompts with every turn.
    prompts = not any(is_prompt(q) for q in asked)
    for n, turn in enumerate(turns):
        if heading := parsed.headings.get(n):
            current = {"id": unique_slug(heading, topic_ids, fallback="topic"), "name": heading, "question": None,
                       "named": True, "from_heading": True}
            topics.append(current)
        name = names[compact(turn.label)]
        if name == moderator:
            question = asked[n]
            keyword = named_keyword(question)
            if keyword or is_prompt(question) or (prompts and not _THANKS.match(question) and question):
                # A follow-up repeats the topic's own keyword, or a phrase of its question.
                follows = current is not None and keyword is None and (
                    (current["named"] and current["name"] in question)
                    or shares_phrase(question, current["question"] or ""))
                if not follows:
                    answers = []
                    for later in turns[n + 1:]:
                        if names[compact(later.label)] == moderator:
                            break
                        answers += [p.text for p in later.paragraphs]
                    if current is not None and current["from_heading"] and not current["question"]:
                        current["question"] = question  # the editor's heading names the question that follows it
                    else:
                        topic_name = keyword or label(question, " ".join(answers), people=list(speaker_ids))
                        current = {"id": unique_slug(topic_name, topic_ids, fallback="topic"), "name": topic_name,
                                   "question": question, "named": keyword is not None, "from_heading": False}
                        topics.append(current)
        sid = speaker_ids[name]
        for paragraph in turn.paragraphs:
            counts[sid] += 1
            quote: dict[str, Any] = {"id": f"{sid}-{counts[sid]}", "speaker": sid}
            if current is not None:
                quote["topic"] = current["id"]
            if paragraph.start is not None:
                quote["start"] = _seconds(paragraph.start)
            quote["text"] = paragraph.text
            quotes.append(quote)
    kept = ("id", "name", "question")
    return [{k: t[k] for k in kept if t.get(k)} for t in topics], quotes


def _warn_about_shares(counts: Counter[str], speakers: dict[str, dict[str, Any]], report: Report) -> None:
    total = sum(counts.values())
    if len(speakers) == 1:
        report.warnings.append("only one speaker found: is every turn marked the same way? (--format picks a reader)")
        return
    top, most = counts.most_common(1)[0] if counts else ("", 0)
    if total >= 10 and most >= NEARLY_ALL * total:
        report.warnings.append(f"{speakers[top]['name']} holds {most} of {total} paragraphs: are the other speakers' "
                               "turns marked in a way ingest did not read?")


def to_yaml(document: dict[str, Any], *, origin: str) -> str:
    """The panel document as YAML a person can read and edit."""
    import yaml

    header = f"# Ingested from {origin} by `python -m bot ingest`; this file is the source of truth.\n"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, when PyYAML has it: ten times faster
    parts = [yaml.dump({key: document[key]}, Dumper=dumper, allow_unicode=True, sort_keys=False, width=10_000)
             for key in ("panel", "speakers", "topics", "quotes")]
    return header + "\n".join(parts)
