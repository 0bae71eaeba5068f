"""What every transcript format is read into: an introduction, speaker turns, and what was dropped."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .labels import HAN

_HAN_EDGE = re.compile(rf"[{HAN}，。！？；：、“”‘’（）《》…—]")
SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’」』)）\]]*$")


@dataclass
class Paragraph:
    """One paragraph of a turn: one quote. `start` is seconds into the recording, when known."""

    text: str
    start: float | None = None


@dataclass
class Turn:
    """Consecutive paragraphs of one speaker, under the label the transcript gives them."""

    label: str
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Parsed:
    """A transcript read by one format's reader, before speakers and topics are worked out."""

    format: str
    intro: list[str] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # given beside a label: 王芳（星河科技 CEO）：
    hint: str = ""  # why no turn was found, when the reader can tell
    moderator_hint: str = ""  # a label that says its speaker moderates: **Moderator (Jane Doe):**
    headings: dict[int, str] = field(default_factory=dict)  # a section heading before turn n: 二、关于开源与闭源

    def add(self, label: str, text: str, start: float | None = None) -> None:
        """Add a paragraph, starting a turn when the label changes."""
        if not self.turns or self.turns[-1].label != label:
            self.turns.append(Turn(label))
        if text:
            self.turns[-1].paragraphs.append(Paragraph(text, start))


def join_lines(parts: list[str]) -> str:
    """Lines of one utterance joined: with a space, or with nothing between Chinese characters."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (_HAN_EDGE.match(out[-1]) and _HAN_EDGE.match(part[0])):
            out += " "
        out += part
    return out


def ends_sentence(text: str) -> bool:
    return bool(SENTENCE_END.search(text.rstrip()))
