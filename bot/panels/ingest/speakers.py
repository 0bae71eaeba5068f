"""From the labels a transcript uses to people: --speaker mappings, roster names, roles, the moderator."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...errors import QuoteBotError
from .labels import compact, display_name, is_generic, is_machine_label, role
from .parsed import Turn

_QUESTION = re.compile(r"[?？]|吗|呢[。，]?$|"
                       r"^(?:what|how|why|who|which|when|where|do|does|did|is|are|can|could|should|would|will)\b",
                       re.IGNORECASE | re.MULTILINE)


_ALIAS = re.compile(r"((?:[A-Z][\w'’.-]*\s+){1,3}[A-Z][\w'’.-]*)\s*[(（]\s*([A-Z]{2,3})\s*[)）]")
SHOWN_LABELS = 5  # warnings about labels that are not names; the rest are counted


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


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _aliases(intro: list[str]) -> dict[str, str]:
    """`Jane Doe (JD)` in the introduction: the short label a transcript then uses, to the name."""
    return {m[2].casefold(): m[1] for line in intro for m in _ALIAS.finditer(line)}


def people(turns: list[Turn], mappings: list[SpeakerMap], roster_moderator: str | None,
           warnings: list[str], intro: Sequence[str] = (), by_role: Mapping[str, str] | None = None) -> dict[str, Person]:
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
    aliases = _aliases(list(intro))
    by_initials: dict[str, set[str]] = {}
    for p in found.values():
        if " " in p.name:
            by_initials.setdefault(_initials(p.name), set()).add(p.name)
    for key, person in found.items():
        if person.how:
            continue
        label = written[key]
        longer = [n for n in by_first_word.get(person.name.casefold(), ()) if n != person.name]
        initials = by_initials.get(label, set()) if re.fullmatch(r"[A-Z]{2,3}", label) else set()
        if len(longer) == 1:  # Dana Whitfield introduced, then "Dana:" afterwards
            person.name, person.how = longer[0], f"merged {label!r}"
        elif len(longer) > 1:
            warnings.append(f"{label!r} could be {' or '.join(sorted(longer))}: say which with --speaker '{label}=Name'")
        elif label.casefold() in aliases:  # Jane Doe (JD), then "JD:"
            person.name, person.how = aliases[label.casefold()], f"the introduction's {label!r}"
        elif len(initials) == 1:  # Jane Doe speaks, then "JD:"
            person.name, person.how = next(iter(initials)), f"merged {label!r}"
        elif key in (by_role or {}):  # Guest: Dr. Samuel Okafor in the header, then "Guest:" turns
            person.name, person.how = (by_role or {})[key], f"the introduction's {label!r}"
        elif role(label) == "moderator" and roster_moderator:
            person.name, person.how = roster_moderator, f"the roster's moderator, labelled {label!r}"
    _merge_honorifics(found)
    _warn_about_labels(turns, found, written, warnings)
    return found


_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame|sen|senator|rep|gov|judge|rev|fr)\.?\s+", re.IGNORECASE)


def _merge_honorifics(found: dict[str, Person]) -> None:
    """`Dr. Jane Smith:` and `Jane Smith:` are one person, named as the longer label has it."""
    longest: dict[str, str] = {}
    for person in found.values():
        bare = compact(_HONORIFIC.sub("", person.name))
        if len(person.name) > len(longest.get(bare, "")):
            longest[bare] = person.name
    for person in found.values():
        fuller = longest[compact(_HONORIFIC.sub("", person.name))]
        if fuller != person.name:
            person.name, person.how = fuller, person.how or f"merged {person.name!r}"


def _warn_about_labels(turns: list[Turn], found: dict[str, Person], written: dict[str, str], warnings: list[str]) -> None:
    counts = Counter(compact(t.label) for t in turns for _ in t.paragraphs)
    unnamed = [key for key, person in found.items()
               if not person.how and (is_generic(written[key]) or len(key) == 1 or key.isdigit())]
    for key in unnamed[:SHOWN_LABELS]:
        kind = "a role" if role(written[key]) and not is_machine_label(written[key]) else "a label"
        n = counts[key]
        warnings.append(f"{written[key]!r} is {kind}, not a name ({n} paragraph{'s' * (n != 1)}): "
                        f"name it with --speaker '{written[key]}=Name|Title'")
    if len(unnamed) > SHOWN_LABELS:
        warnings.append(f"{len(unnamed) - SHOWN_LABELS} more labels are not names either")


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
        if roster and compact(roster) != compact(match[0]):
            warnings.append(f"the introduction names {roster} as moderator; --moderator makes it {match[0]}")
        return match[0], "--moderator"
    if roster and roster in speaking:
        return roster, "the introduction"
    for t in turns:
        if role(t.label) == "moderator":
            return names[compact(t.label)], f"labelled {t.label!r}"
    asked: Counter[str] = Counter()
    spoke: Counter[str] = Counter()
    for t in turns:
        if role(t.label) == "other" and not is_machine_label(t.label) and len(compact(t.label)) > 1 \
                and compact(names[compact(t.label)]) == compact(t.label):
            continue  # Audience member asks, and never moderates (unless --speaker named the label)
        spoke[names[compact(t.label)]] += 1
        asked[names[compact(t.label)]] += bool(_QUESTION.search(" ".join(p.text for p in t.paragraphs)))
    if len(speaking) < 2:
        return None, ""

    def score(name: str) -> float:
        return asked[name] / spoke[name] + (0.25 if name == speaking[0] else 0) + min(asked[name], 5) * 0.02

    candidates = [n for n in speaking if spoke[n]]
    if not candidates:
        return None, ""
    best = max(candidates, key=score)
    if asked[best] == 0 or asked[best] / spoke[best] < 0.3:
        warnings.append("no moderator found (nobody mostly asks questions), so no topics: pass --moderator NAME")
        return None, ""
    return best, f"inferred: {asked[best]} of {spoke[best]} turns ask a question"
