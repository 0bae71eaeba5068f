"""What surrounds a quote, searched when its own words do not say enough: the question it
answers, then its speaker's title.

投资 is in no answer on the shipped panel, but the moderator asked "投资角度来看…" and 陈石 is
an 投资合伙人: the answers to that question, and then what 陈石 said, are what a person
searching 投资 wants, after any quote that says the word itself.
"""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict
from collections.abc import Sequence

from ..models import Speaker, Topic
from .fold import fold

_CACHED = 1024  # searches whose surroundings are kept


class _Texts:
    """Texts many owners share (a question asked on many panels), each folded and stored once,
    end to end in one string: one regular-expression pass finds which of them hold a pattern."""

    def __init__(self, texts: Sequence[str]) -> None:
        position: dict[str, int] = {}
        self.owners: list[list[int]] = []
        for owner, text in enumerate(texts):
            if (at := position.get(text)) is None:
                at = position[text] = len(self.owners)
                self.owners.append([])
            self.owners[at].append(owner)
        unique = [fold(text) for text in position]
        self.joined = "\0".join(unique)
        self.starts = [0]
        for text in unique:
            self.starts.append(self.starts[-1] + len(text) + 1)

    def holding(self, finders: list[re.Pattern[str]]) -> list[int]:
        """The owners, in order, whose text every finder finds something in."""
        held: set[int] | None = None
        for finder in finders:
            found = {bisect.bisect_right(self.starts, m.start()) - 1 for m in finder.finditer(self.joined)}
            held = found if held is None else held & found
        return sorted(owner for text in held or () for owner in self.owners[text])


class Surroundings:
    """The topics' questions and the speakers' titles, matched against a search's pieces (the
    regular expressions that find them in folded text); the texts are folded on first use."""

    def __init__(self, topics: Sequence[Topic], speakers: Sequence[Speaker]) -> None:
        self._topics, self._speakers = topics, speakers
        self._folded: tuple[_Texts, _Texts] | None = None
        self._found: OrderedDict[tuple[str, ...], tuple[list[tuple[str, str]], list[tuple[str, str]]]] = OrderedDict()

    def folded(self) -> tuple[_Texts, _Texts]:
        """The questions and the titles, folded (once)."""
        if self._folded is None:
            self._folded = (_Texts([t.question or "" for t in self._topics]), _Texts([s.title for s in self._speakers]))
        return self._folded

    def matching(self, patterns: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The (panel, topic id) whose question holds every pattern, and the (panel, speaker
        id) whose title does, in the order the panels have them."""
        if (found := self._found.get(patterns)) is not None:
            self._found.move_to_end(patterns)
            return found
        questions, titles = self.folded()
        finders = [re.compile(p) for p in patterns]
        topics = [(self._topics[n].panel, self._topics[n].id) for n in questions.holding(finders)]
        speakers = [(self._speakers[n].panel, self._speakers[n].id) for n in titles.holding(finders)]
        found = self._found[patterns] = (topics, speakers)
        if len(self._found) > _CACHED:
            self._found.popitem(last=False)
        return found
