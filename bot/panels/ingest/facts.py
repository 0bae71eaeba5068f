"""What a transcript's introduction says about the panel: date, event, host, place, title, source."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {name: n for n, names in enumerate((
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
    "september sept sep", "october oct", "november nov", "december dec"), 1) for name in names.split()}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DATES = (  # (pattern, group order as year, month, day)
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), (1, 2, 3)),
    (re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})(?!\d)"), (3, 2, 1)),
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)"), (3, 1, 2)),
)
_PARTIAL_DATES = (  # a month and day without the year
    (re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), (None, 1, 2)),
    (re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\b(?!,?\s+\d{{4}})"), (None, 2, 1)),
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+\d{{4}})"), (None, 1, 2)),
)
_PLACES = {"京": "北京", "沪": "上海", "深": "深圳", "杭": "杭州", "蓉": "成都", "穗": "广州"}


@dataclass(frozen=True, slots=True)
class FoundDate:
    year: int | None
    month: int
    day: int
    text: str


def _month(value: str) -> int | None:
    return int(value) if value.isdigit() else _MONTHS.get(value.lower().rstrip("."))


_HELD = re.compile(r"举行|举办|召开|开幕|held|took place|hosted|convened|opened|recorded|panel (?:was )?on", re.IGNORECASE)


def _sentence_around(text: str, start: int, end: int) -> str:
    begins = max(text.rfind(stop, 0, start) for stop in ".。!?！？\n") + 1
    ends = [i for stop in ".。!?！？\n" if (i := text.find(stop, end)) >= 0]
    return text[begins:min(ends, default=len(text))]


def find_date(text: str) -> FoundDate | None:
    """The date the text says the event was held (`held on ...`, `...举行`), else its first full date,
    else the first month and day without a year. A byline's publication date comes first often."""
    for patterns in (_DATES, _PARTIAL_DATES):
        found = []
        for pattern, (y, mo, d) in patterns:
            for m in pattern.finditer(text):
                month = _month(m[mo])
                if month and 1 <= month <= 12 and 1 <= int(m[d]) <= 31:
                    held = bool(_HELD.search(_sentence_around(text, m.start(), m.end())))
                    found.append((not held, m.start(), FoundDate(int(m[y]) if y else None, month, int(m[d]), m[0])))
        if found:
            return min(found, key=lambda f: f[:2])[2]
    return None


def lead_facts(intro: list[str]) -> dict[str, str]:
    """Event, host, location, title and source notes named in the introduction."""
    text = "\n".join(intro)
    facts: dict[str, str] = {}
    if m := re.search(r"([^，,。\n]*?(?:峰会|大会|论坛|年会|研讨会|Summit|Conference|Forum|Festival|Symposium|Meetup))", text):
        facts["event"] = re.sub(r"^.*?消息[，,]|^(?:On|At)\s.*?,\s*|^the\s|^\d+\s*月\s*\d+\s*日\s*", "", m[1].strip()).strip()
    if m := re.search(r"由\s*(.+?)\s*主办|(?:hosted|organi[sz]ed) by ([^,.;\n]+)", text):
        facts["host"] = (m[1] or m[2]).strip()
    if m := re.search(r"在\s*(\S{1,4}?)\s*举[行办]|(?:held|took place) in ([A-Z][\w ]+?)[,.]", text):
        facts["location"] = _PLACES.get(m[1], m[1]) if m[1] else m[2].strip()
    if (m := re.search(r"^#\s+(.+)$", text, re.MULTILINE)) or (m := re.search(r"《([^》]+)》", text)) or \
            (m := re.search(r"^#+\s*(.+)$", text, re.MULTILINE)):
        facts["title"] = m[1].strip().strip("*")
    for line in intro:
        if re.search(r"整理|删减|compiled|abridged|edited", line, re.IGNORECASE):
            facts["source_note"] = line.strip()
            if m := re.search(r"经\s*(.+?)\s*整理|(?:compiled|edited|abridged) by (.+?)(?:\s+and\s|[,.;]|$)", line,
                              re.IGNORECASE):
                facts["publisher"] = (m[1] or m[2]).strip()
    return facts
