"""From the labels a transcript uses to people: --speaker mappings, roster names, roles, the moderator."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..errors import QuoteBotError
from .labels import QA_LABELS, ROLE_LABELS, compact, display_name, is_generic
from .parsed import Turn

_QUESTION = re.compile(r"[?？]|吗|呢[。，]?$|"
                       r"^(?:what|how|why|who|which|when|where|do|does|did|is|are|can|could|should|would|will)\b",
                       re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SpeakerMap:
    """`--speaker LABEL=Name|Title` given on the command line."""

    label: str
    name: str
    title: str = ""

    @classmethod
    def parse(cls, value: str) -> SpeakerMap:
        label, sep, person = value.partition("=")
        name, _, title = person.partition("|")
        if not sep or not label.strip() or not name.strip():
            raise QuoteBotError(f"--speaker {value!r}: expected LABEL=Name or LABEL=Name|Title, e.g. 'SPEAKER_00=Jane Doe'")
        return cls(label.strip(), name.strip(), title.strip())


@dataclass
class Person:
    name: str
    title: str = ""
    how: str = ""  # how the name was found, for the summary: "--speaker", "merged 'Dana'", ""


def people(turns: list[Turn], mappings: list[SpeakerMap], roster_moderator: str | None,
           warnings: list[str]) -> dict[str, Person]:
    """The person behind each label (by compacted label)."""
    labels = list(dict.fromkeys(compact(t.label) for t in turns))
    written = {compact(t.label): t.label for t in reversed(turns)}  # the first way each label is written
    by_label = {compact(m.label): m for m in mappings}
    found: dict[str, Person] = {}
    for key in labels:
        if m := by_label.get(key):
            found[key] = Person(m.name, m.title, "--speaker")
        else:
            found[key] = Person(display_name(written[key]))
    for m in mappings:
        if compact(m.label) not in found:
            shown = ", ".join(written[k] for k in labels[:8])
            warnings.append(f"--speaker {m.label!r} matches no label in the transcript (labels: {shown})")
    by_first_word: dict[str, set[str]] = {}  # "dana" -> {"Dana Whitfield"}: one pass, not one per label
    for p in found.values():
        if " " in p.name:
            by_first_word.setdefault(p.name.split()[0].casefold(), set()).add(p.name)
    for key, person in found.items():
        if person.how:
            continue
        longer = [n for n in by_first_word.get(person.name.casefold(), ()) if n != person.name]
        if len(longer) == 1:  # Dana Whitfield introduced, then "Dana:" afterwards
            person.name, person.how = longer[0], f"merged {written[key]!r}"
        elif key in ROLE_LABELS and roster_moderator and ROLE_LABELS[key] == "moderator":
            person.name, person.how = roster_moderator, f"the roster's moderator, labelled {written[key]!r}"
    counts = Counter(compact(t.label) for t in turns for _ in t.paragraphs)
    for key, person in found.items():
        if not person.how and (is_generic(written[key]) or key in QA_LABELS or key in ROLE_LABELS):
            kind = "a role" if key in ROLE_LABELS else "a label"
            warnings.append(f"{written[key]!r} is {kind}, not a name ({counts[key]} paragraph{'s' * (counts[key] != 1)}): "
                            f"name it with --speaker '{written[key]}=Name|Title'")
    return found


def pick_moderator(turns: list[Turn], names: dict[str, str], roster: str | None, flag: str | None,
                   warnings: list[str]) -> tuple[str | None, str]:
    """The moderator's name and how it was chosen: --moderator, the roster, a role label, or inferred."""
    speaking = list(dict.fromkeys(names[compact(t.label)] for t in turns))
    if flag:
        wanted = compact(flag)
        match = [n for n in speaking if compact(n) == wanted] or \
                [names[compact(t.label)] for t in turns if compact(t.label) == wanted]
        if not match:
            raise QuoteBotError(f"--moderator {flag!r} never speaks; speakers: {', '.join(speaking)}")
        if roster and roster != match[0]:
            warnings.append(f"the introduction names {roster} as moderator; --moderator makes it {match[0]}")
        return match[0], "--moderator"
    if roster and roster in speaking:
        return roster, "the introduction"
    for t in turns:
        if compact(t.label) in ROLE_LABELS:
            return names[compact(t.label)], f"labelled {t.label!r}"
    asked: Counter[str] = Counter()
    spoke: Counter[str] = Counter()
    for t in turns:
        spoke[names[compact(t.label)]] += 1
        asked[names[compact(t.label)]] += bool(_QUESTION.search(" ".join(p.text for p in t.paragraphs)))
    if len(speaking) < 2:
        return None, ""

    def score(name: str) -> float:
        return asked[name] / spoke[name] + (0.25 if name == speaking[0] else 0) + min(asked[name], 5) * 0.02

    best = max(speaking, key=score)
    if asked[best] == 0 or asked[best] / spoke[best] < 0.3:
        warnings.append("no moderator found (nobody mostly asks questions), so no topics: pass --moderator NAME")
        return None, ""
    return best, f"inferred: {asked[best]} of {spoke[best]} turns ask a question"
