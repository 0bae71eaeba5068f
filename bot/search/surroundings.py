"""What surrounds a quote, searched when its own words do not say enough: the question it
answers, then its speaker's title.

投资 is in no answer on the shipped panel, but the moderator asked "投资角度来看…" and 陈石 is
an 投资合伙人: the answers to that question, and then what 陈石 said, are what a person
searching 投资 wants, after any quote that says the word itself.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence

from ..models import Speaker, Topic
from .fold import fold

_CACHED = 1024  # searches whose surroundings are kept


class Surroundings:
    """The topics' questions and the speakers' titles, matched against a search's pieces (the
    regular expressions that find them in folded text); the texts are folded on first use."""

    def __init__(self, topics: Sequence[Topic], speakers: Sequence[Speaker]) -> None:
        self._topics, self._speakers = topics, speakers
        self._folded: tuple[list[str], list[str]] | None = None
        self._found: OrderedDict[tuple[str, ...], tuple[list[tuple[str, str]], list[tuple[str, str]]]] = OrderedDict()

    def matching(self, patterns: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The (panel, topic id) whose question holds every pattern, and the (panel, speaker
        id) whose title does, in the order the panels have them."""
        if (found := self._found.get(patterns)) is not None:
            self._found.move_to_end(patterns)
            return found
        if self._folded is None:
            self._folded = ([fold(t.question or "") for t in self._topics], [fold(s.title) for s in self._speakers])
        questions, titles = self._folded
        finders = [re.compile(p) for p in patterns]
        topics = [(t.panel, t.id) for t, text in zip(self._topics, questions) if all(f.search(text) for f in finders)]
        speakers = [(s.panel, s.id) for s, text in zip(self._speakers, titles) if all(f.search(text) for f in finders)]
        found = self._found[patterns] = (topics, speakers)
        if len(self._found) > _CACHED:
            self._found.popitem(last=False)
        return found
