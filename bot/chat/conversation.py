"""What the chat core remembers between an answer and the buttons under it.

Platform-neutral: users and places are whatever ids the platform gives, as strings. State
lives in memory under short tokens that go into the buttons; after a restart a press finds
nothing and the core says the buttons expired.
"""

from __future__ import annotations

import random
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from ..library import Library
from ..models import Query, Quote, Span

_REMEMBERED = 10_000


@dataclass
class Shown:
    """What a message with buttons shows: the query, its hits, who asked, which one is shown."""

    query: Query
    user: str
    refs: list[str]
    spans: list[tuple[Span, ...]]
    index: int = 0
    private: bool = False
    sent: bool = False  # Send works once

    @property
    def ref(self) -> str:
        return self.refs[self.index]

    @property
    def current_spans(self) -> tuple[Span, ...]:
        return self.spans[self.index]


@dataclass
class Conversations:
    """Button state under tokens, and the no-repeat rotation of random quotes per place."""

    library: Library
    rng: random.Random = field(default_factory=random.Random)
    _states: OrderedDict[str, Shown] = field(default_factory=OrderedDict)
    _seen: OrderedDict[tuple[str, Query], set[str]] = field(default_factory=OrderedDict)

    def remember(self, shown: Shown) -> str:
        """A token for `shown`, short enough for any platform's button value."""
        token = secrets.token_urlsafe(9)
        self._states[token] = shown
        if len(self._states) > _REMEMBERED:
            self._states.popitem(last=False)
        return token

    def recall(self, token: str) -> Shown | None:
        return self._states.get(token)

    def forget(self, token: str) -> None:
        """The message under these buttons is gone or was replaced: its buttons expire."""
        self._states.pop(token, None)

    def _seen_in(self, place: str, query: Query) -> set[str]:
        seen = self._seen.setdefault((place, query), set())
        self._seen.move_to_end((place, query))
        if len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)
        return seen

    def another(self, place: str, query: Query) -> Quote | None:
        """A quote for `query` not yet shown in `place`, until every match has been."""
        seen = self._seen_in(place, query)

        def draw() -> Quote | None:
            return self.library.random(query, rng=self.rng, exclude=seen)

        quote = draw()
        if quote is None and seen:
            seen.clear()  # every match has been shown here: start a new round
            quote = draw()
        if quote is not None:
            seen.add(quote.ref)
        return quote

    def answer(self, place: str, user: str, query: Query, *, private: bool, page: int) -> tuple[Shown, str] | None:
        """A command's answer: the best hits for words, or a fresh random quote; None if none."""
        if query.words:
            hits = self.library.search(query, limit=page)
            refs, spans = [h.quote.ref for h in hits], [h.spans for h in hits]
        else:
            quote = self.another(place, query)
            refs, spans = ([quote.ref], [()]) if quote else ([], [])
        if not refs:
            return None
        shown = Shown(query, user, refs, spans, private=private)
        self._seen_in(place, query).add(refs[0])
        return shown, self.remember(shown)

    def next_quote(self, place: str, user: str, shown: Shown) -> tuple[Shown, str] | None:
        """The Another button: a new answer to the same query, keeping its highlights if known."""
        quote = self.another(place, shown.query)
        if quote is None:
            return None
        spans = next((s for ref, s in zip(shown.refs, shown.spans) if ref == quote.ref), ())
        fresh = Shown(shown.query, user, [quote.ref], [spans], private=shown.private)
        return fresh, self.remember(fresh)
