"""Who is who, from a transcript's introduction: each speaker's title, and who moderates.

Reads the common shapes: `元语智能联合创始人兼 COO 朱雷；`, `A, title; B, title`,
`A（title）、B（title）`, `Moderator: Jane Doe, editor at X. Panelists: ...`, `moderated by
Dana Whitfield, science editor`, lists joined with "and", "和", "及".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import compact, name_shape, role

_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)、])\s+", re.MULTILINE)
_PAREN_AFTER = re.compile(r"^\s*[（(]([^（()）]{1,80})[)）]")
_SEPARATOR_AFTER = re.compile(r"^\s*(?:[,，:：]|\s?[-–—]\s)\s*")
_UNIT_END = re.compile(r"[；;。\n、]|\.(?:\s|$)|\|")
_TRAILING_JOIN = re.compile(r"(?:^|[\s,，])(?:and|und|et|和|及|与|以及|&)?\s*$", re.IGNORECASE)
_BEFORE_BOUNDARY = re.compile(r"[，,：:；;。、\n|]|(?:^|\s)(?:with|and|by|und|et)\s|包括|他们是|她们是|分别是|以及")
_MODERATOR_WORD = re.compile(r"主持人|主持|moderat\w*|host(?:ed)?|interviewer|采访人|记者", re.IGNORECASE)
_MODERATOR_BEFORE = re.compile(r"(?:主持人|主持|moderator|moderated by|hosted by|host|interviewer)\s*(?:is\s)?[：:]?\s*$",
                               re.IGNORECASE)
_MODERATOR_AFTER = re.compile(r"^\s*(?:[（(]\s*(?:主持|moderator|host)|主持|与\s*\d|和\s*\d|(?:,\s*)?(?:who\s)?(?:moderat|host)ed)",
                              re.IGNORECASE)
_NOT_TITLE = re.compile(r"^(?:and|or|with|the|a|an|和|及|与|以及|等|等人|分别|other|others)$", re.IGNORECASE)


MAX_CHARS = 20_000  # of introduction read for a roster
_INTERVIEW_WITH = re.compile(r"(?:interview with|in conversation with|a conversation with|talks? with|专访|对话|对谈)\s*"
                             r"(?P<name>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,3}|[\u4e00-\u9fff]{2,4})", re.IGNORECASE)
_ROLE_LINE = re.compile(r"^(?P<label>[^\n:：]{1,30}?)\s*[:：]\s*(?P<rest>[^\n]+)$", re.MULTILINE)


@dataclass
class Roster:
    titles: dict[str, str] = field(default_factory=dict)
    moderator: str | None = None
    by_role: dict[str, str] = field(default_factory=dict)  # `Guest: Dr. Samuel Okafor, ...`: "guest" -> the name


def _occurrences(text: str, names: list[str]) -> list[tuple[int, int, str]]:
    """Where each name appears in `text`, longest name first where two overlap; one pass, in order.

    Latin names match whole words in any case; Chinese ones anywhere.
    """
    if not names:
        return []
    by_key = {name.casefold(): name for name in names}
    parts = [rf"(?<!\w)(?i:{re.escape(n)})(?!\w)" if re.search(r"[A-Za-z]", n) else re.escape(n)
             for n in sorted(names, key=len, reverse=True)]
    return [(m.start(), m.end(), by_key[m[0].casefold()]) for m in re.finditer("|".join(parts), text)]


def _title_after(after: str) -> str:
    """The title given right after a name: `（title）`, `, title;`, ` - title`; `after` stops at the next name."""
    if m := _PAREN_AFTER.match(after):
        return m[1].strip()
    m = _SEPARATOR_AFTER.match(after)
    if not m:
        return ""
    rest = _UNIT_END.split(after[m.end():], maxsplit=1)[0]
    return _TRAILING_JOIN.sub("", rest).strip(" ,，-–—*:：")


def _title_before(before: str) -> str:
    """The title given right before a name, Chinese style: 峰瑞资本投资合伙人陈石; `before` starts after the last name."""
    line = before.rsplit("\n", 1)[-1]
    pieces = _BEFORE_BOUNDARY.split(line)
    title = pieces[-1].strip(" -–—*•") if pieces else ""
    title = re.sub(r"^(?:.*?(?:嘉宾|成员|他们|她们|参与者|出席者)(?:有|是|包括|为)?|是|为|和|与|及)", "", title).strip()
    if not title or len(title) > 40 or _MODERATOR_WORD.fullmatch(title) or re.search(r"[《》“”\"]", title):
        return ""
    if re.search(r"[A-Za-z]", title) and not re.search(r"[\u3400-\u9fff]", title):
        return ""  # English puts the title after the name; words before it are the sentence
    return title


def _clean_title(title: str) -> tuple[str, bool]:
    """The title without a role word in it (主持人，量子位主编), and whether there was one."""
    parts = [p.strip() for p in re.split(r"[,，、/]", title)]
    roles = [p for p in parts if _MODERATOR_WORD.fullmatch(p)]
    kept = ", ".join(p for p in parts if p and p not in roles) if roles else title.strip()
    return ("" if _NOT_TITLE.match(kept) else kept), bool(roles)


def read_roster(intro: list[str], names: list[str]) -> Roster:
    """Titles and the moderator that the introduction gives for `names`."""
    text = _BULLET.sub("", "\n".join(line.replace("**", "") for line in intro))[:MAX_CHARS]
    roster = Roster()
    if m := _INTERVIEW_WITH.search(text):  # 专访 王芳 / an interview with Jane Doe: who answers
        roster.by_role.setdefault("interviewee", m["name"].strip())
    for m in _ROLE_LINE.finditer(text):
        person = re.split(r"[,，;；(（—–]|\s-\s", m["rest"], maxsplit=1)[0].strip(" *.")
        if role(m["label"]) and name_shape(person) == "strong":
            roster.by_role.setdefault(compact(m["label"]), person)
    found = _occurrences(text, names)
    for n, (start, end, name) in enumerate(found):
        if name in roster.titles:
            continue
        # 陈石与马千里: what lies between two names belongs to one of them, never to both.
        before = text[found[n - 1][1] if n else 0:start]
        after = text[end:found[n + 1][0] if n + 1 < len(found) else len(text)]
        if _MODERATOR_BEFORE.search(before.rsplit("\n", 1)[-1]) or _MODERATOR_AFTER.match(after):
            roster.moderator = roster.moderator or name
        title, was_role = _clean_title(_title_after(after) or _title_before(before))
        if was_role:
            roster.moderator = roster.moderator or name
        if title:
            roster.titles[name] = title
    return roster
