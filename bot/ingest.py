"""Turning a Markdown or plain-text panel transcript into a panel YAML document."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import QuoteBotError
from .slug import slugify

# `**朱雷：**`, `**Jane Doe**:`, and plain `Jane Doe: text`
_BOLD_TURN = re.compile(r"^\*\*\s*(?P<name>[^*：:]{1,40}?)\s*(?:[：:]\s*\*\*|\*\*\s*[：:])\s*(?P<rest>.*)$")
_PLAIN_TURN = re.compile(r"^(?P<name>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}|[\u4e00-\u9fff·]{2,6})\s*[：:]\s*(?P<rest>.*)$")
_BOLD_LINE = re.compile(r"^\*\*[^*]+\*\*$")
_IMAGE = re.compile(r"^\*?!\[[^\]]*\]\([^)]*\)\*?$")
_CAPTION = re.compile(r"^(图片来源|图源|图片|来源|Image|Photo|Caption)\s*[：:]", re.IGNORECASE)
_NOTE = re.compile(r"^[（(\[]?\s*(编者注|编者按|注|Editor'?s note|Note)\s*[：:]", re.IGNORECASE)
_LINK_LINE = re.compile(r"https?://\S+")
_QUESTION_KEYWORD = re.compile(r"[“\"「]([^”\"」]{1,30})[”\"」]")
_NAMED_KEYWORD = re.compile(r"(?:关键词|keyword)\S{0,3}?(?:叫做|叫|是|is)\s*([^，。？！,.?!；;]+)", re.IGNORECASE)
_ROSTER_SPLIT = re.compile(r"[\n；;。]")
_MODERATOR_HINT = re.compile(r"^\s*(?:与|和|同|and)\s*\d|^\s*[（(]?\s*(?:主持|moderat|host)", re.IGNORECASE)
_MODERATOR_BEFORE = re.compile(r"(?:主持人|moderator|moderated by|hosted by)\s*[：:]?\s*$", re.IGNORECASE)
_QUESTION_WORDS = frozenset((
    "should would could what which when where who whom whose why how does do did is are was were can will "
    "your you their they them our we this that these those there about today last first next question "
    "questions think mean ask tell").split())
_PLACES = {"京": "北京", "沪": "上海", "深": "深圳", "杭": "杭州", "蓉": "成都", "穗": "广州"}
_MONTHS = {month: n for n, month in enumerate((
    "january february march april may june july august september october november december").split(), 1)}


@dataclass
class _Turn:
    name: str
    paragraphs: list[str] = field(default_factory=list)


def _paragraphs(markdown: str) -> list[str]:
    """Non-empty lines with Markdown hard breaks and filler removed."""
    lines = []
    for raw in markdown.splitlines():
        line = raw.replace("\u00a0", " ").strip()
        line = re.sub(r"\\([_*\[\]])", r"\1", line)  # Markdown escapes such as 8BTC\_OFFICIAL
        if line:
            lines.append(line)
    return lines


def _is_dropped(line: str) -> bool:
    return bool(_IMAGE.match(line) or _CAPTION.match(line) or _NOTE.match(line))


def _split(lines: list[str]) -> tuple[list[str], list[_Turn]]:
    """The introduction, then the speaker turns, stopping at the trailing promotion."""
    intro: list[str] = []
    turns: list[_Turn] = []
    # A transcript that marks turns in bold does so throughout; then `名字：` in a line is text.
    turn_pattern = _BOLD_TURN if any(_BOLD_TURN.match(line) for line in lines) else _PLAIN_TURN
    for line in lines:
        if _is_dropped(line):
            continue
        match = turn_pattern.match(line)
        if match and (turn_pattern is _BOLD_TURN or _plausible_speaker(match["name"], turns, intro)):
            turns.append(_Turn(match["name"].strip()))
            if match["rest"].strip():
                turns[-1].paragraphs.append(match["rest"].strip())
            continue
        if turns and (_BOLD_LINE.match(line) or (_LINK_LINE.match(line) and len(_LINK_LINE.sub("", line)) < 40)):
            break  # a bold banner or a line of links after the talk: the promotion begins
        (turns[-1].paragraphs if turns else intro).append(line)
    return intro, turns


def _plausible_speaker(name: str, turns: list[_Turn], intro: list[str]) -> bool:
    if any(t.name == name for t in turns):
        return True
    return any(name in line for line in intro) or not turns


def _roster(intro: list[str], names: list[str], moderator: str | None) -> tuple[dict[str, str], str]:
    """Each speaker's title as the introduction gives it, and who moderates."""
    units = [u.strip() for line in intro for u in _ROSTER_SPLIT.split(line) if u.strip()]
    titles: dict[str, str] = {}
    found_moderator = moderator
    for name in names:
        for unit in units:
            at = unit.find(name)
            if at < 0:
                continue
            before, after = unit[:at], unit[at + len(name):]
            named_before = bool(_MODERATOR_BEFORE.search(before))
            if named_before or _MODERATOR_HINT.match(after) or re.search(r"[（(]\s*(主持|moderator)", after, re.IGNORECASE):
                found_moderator = found_moderator or name
            title = "" if named_before else re.split(r"[，,：:]", before)[-1].strip(" -–—*")
            if not title:
                after = re.sub(r"[（(][^）)]*[）)]", "", after)
                title = re.split(r"[；;。]|\.\s|\s[—–-]\s", after.lstrip(" ,，:：-–—"))[0].strip(" *")
                title = re.split(r"\s*(?:与|和|and)\s*\d", title)[0].strip()
            titles[name] = title
            break
    return titles, found_moderator or names[0]


def _lead_facts(intro: list[str], year: int | None) -> dict[str, Any]:
    text = "\n".join(intro)
    facts: dict[str, Any] = {}
    if m := re.search(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日", text):
        facts["date"] = (int(m[1]) if m[1] else year, int(m[2]), int(m[3]))
    else:
        day_first = (r"\b(\d{1,2})\s+([A-Z][a-z]+)(?:\s+(\d{4}))?", (1, 2, 3))
        month_first = (r"\b([A-Z][a-z]+)\s+(\d{1,2})\b(?:,\s*(\d{4}))?", (2, 1, 3))
        found = ((m[d], m[mo], m[y]) for pattern, (d, mo, y) in (day_first, month_first)
                 for m in re.finditer(pattern, text) if m[mo].lower() in _MONTHS)
        if day_month_year := next(found, None):
            day, month, y = day_month_year
            facts["date"] = (int(y) if y else year, _MONTHS[month.lower()], int(day))
    if m := re.search(r"([^，,。\n]*?(?:峰会|大会|论坛|年会|Summit|Conference|Forum|Festival))", text):
        facts["event"] = re.sub(r"^.*?消息[，,]|^(?:On|At)\s.*?,\s*|^the\s", "", m[1].strip()).strip()
    if m := re.search(r"由\s*(.+?)\s*主办|(?:hosted|organi[sz]ed) by ([^,.;\n]+)", text):
        facts["host"] = (m[1] or m[2]).strip()
    if m := re.search(r"在\s*(\S{1,4}?)\s*举行|held in ([A-Z][\w ]+?)[,.]", text):
        facts["location"] = _PLACES.get(m[1], m[1]) if m[1] else m[2].strip()
    if (m := re.search(r"《([^》]+)》", text)) or (m := re.search(r"^#+\s*(.+)$", text, re.MULTILINE)):
        facts["title"] = m[1].strip()
    for line in intro:
        if re.search(r"整理|删减|compiled|abridged|edited", line, re.IGNORECASE):
            facts["source_note"] = line.strip()
            if m := re.search(r"经\s*(.+?)\s*整理|(?:compiled|edited|abridged) by (.+?)(?:\s+and\s|[,.;]|$)", line, re.IGNORECASE):
                facts["publisher"] = (m[1] or m[2]).strip()
    return facts


def _keyword(question: str) -> str | None:
    """The topic keyword a moderator names: “感受”, or 关键词叫做X; None when there is none."""
    if m := _QUESTION_KEYWORD.search(question):
        return m[1].strip()
    if m := _NAMED_KEYWORD.search(question):
        keyword = re.sub(r"(吗|呢|么)$", "", m[1].strip())
        rest = question[m.end():]
        # A keyword phrased as a question is often restated briefly: 大力一定会出奇迹吗？大力出奇迹…
        if len(keyword) > 4 and (short := re.search(re.escape(keyword[:2]) + r".{0,3}?" + re.escape(keyword[-2:]), rest)):
            keyword = short[0]
        return keyword
    return None


def _shares_phrase(a: str, b: str) -> bool:
    """Whether two questions share a phrase: four Chinese characters, or three words."""
    def grams(text: str) -> set[tuple[str, ...]]:
        units = re.findall(r"[\u4e00-\u9fff]|[A-Za-z0-9]+", text.lower())
        size = 4 if sum(len(u) == 1 and u > "\u4e00" for u in units) * 2 > len(units) else 3
        return {tuple(units[i:i + size]) for i in range(len(units) - size + 1)}

    return bool(grams(a) & grams(b))


def _label(question: str) -> str:
    import jieba
    import jieba.analyse  # only ingestion draws labels; the bot itself never loads this

    jieba.setLogLevel(logging.WARNING)
    tags = [t for t in jieba.analyse.extract_tags(question, topK=10) if t.lower() not in _QUESTION_WORDS]
    return tags[0] if tags else question[:12]


def _unique_slug(text: str, taken: set[str], fallback: str) -> str:
    base = slugify(text, fallback=fallback)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def ingest(markdown: str, *, panel_id: str, year: int | None = None, date: dt.date | None = None,
           title: str | None = None, event: str | None = None, host: str | None = None,
           source_url: str | None = None, moderator: str | None = None) -> dict[str, Any]:
    """Parse a transcript into a panel document (plain dicts, ready for YAML).

    Speaker turns start with a bold name and a colon (`**朱雷：**`) or a plain `Name:`; each
    paragraph of a turn is one quote. The moderator's questions make the topics.
    """
    intro, turns = _split(_paragraphs(markdown))
    if not turns:
        raise QuoteBotError("no speaker turns found: expected lines like '**Name：**' or 'Name: text'")
    names = list(dict.fromkeys(t.name for t in turns))
    if moderator and moderator not in names:
        raise QuoteBotError(f"--moderator {moderator!r} never speaks; speakers: {', '.join(names)}")
    titles, moderator = _roster(intro, names, moderator)
    facts = _lead_facts(intro, year)
    if date is None and "date" in facts:
        y, m, d = facts["date"]
        if y is None:
            raise QuoteBotError(f"the transcript gives {m:02d}-{d:02d} without a year: pass --year or --date")
        try:
            date = dt.date(y, m, d)
        except ValueError as error:
            raise QuoteBotError(f"the transcript's date {y}-{m}-{d} is not a date: {error}") from None

    taken: set[str] = set()
    speaker_ids = {name: _unique_slug(name, taken, "speaker") for name in names}
    speakers = [{"id": speaker_ids[n], "name": n, "title": titles.get(n, ""),
                 "role": "moderator" if n == moderator else "panelist"} for n in names]

    topics: list[dict[str, Any]] = []
    topic_ids: set[str] = set()
    current: dict[str, Any] | None = None
    quotes: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for turn in turns:
        if turn.name == moderator and turn.paragraphs:
            question = "".join(turn.paragraphs)
            keyword = _keyword(question)
            follows = current is not None and keyword is None and (
                current["name"] in question or _shares_phrase(question, current["question"]))
            if not follows:
                name = keyword or _label(question)
                current = {"id": _unique_slug(name, topic_ids, "topic"), "name": name, "question": question}
                topics.append(current)
        for paragraph in turn.paragraphs:
            sid = speaker_ids[turn.name]
            counts[sid] += 1
            quote = {"id": f"{sid}-{counts[sid]}", "speaker": sid}
            if current is not None:
                quote["topic"] = current["id"]
            quote["text"] = paragraph
            quotes.append(quote)

    panel: dict[str, Any] = {"id": panel_id, "title": title or facts.get("title") or panel_id}
    said = "".join(q["text"] for q in quotes)
    language = "zh" if len(re.findall(r"[\u4e00-\u9fff]", said)) * 2 > len(re.findall(r"\w", said)) else "en"
    for key, value in (("event", event or facts.get("event")), ("date", date.isoformat() if date else None),
                       ("host", host or facts.get("host")), ("location", facts.get("location")),
                       ("language", language)):
        if value:
            panel[key] = value
    source = {k: v for k, v in (("url", source_url), ("publisher", facts.get("publisher")),
                                ("note", facts.get("source_note"))) if v}
    if source:
        panel["source"] = source
    return {"panel": panel, "speakers": speakers, "topics": topics, "quotes": quotes}


def to_yaml(document: dict[str, Any], *, origin: str) -> str:
    """The panel document as YAML a person can read and edit."""
    import yaml

    header = f"# Ingested from {origin} by `python -m bot ingest`; this file is the source of truth.\n"
    parts = [yaml.safe_dump({key: document[key]}, allow_unicode=True, sort_keys=False, width=10_000)
             for key in ("panel", "speakers", "topics", "quotes")]
    return header + "\n".join(parts)
