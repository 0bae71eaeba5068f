"""The rotation of answers: what a place is shown next, kept in the chat state.

Platform-neutral: users and places are whatever ids the platform gives, as strings. Where the
state lives (this process, or the bot's database) is the `ChatState`'s business.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..library import Library
from ..models import Query, Quote
from .state import ChatState, MemoryState, Shown, query_key


@dataclass
class Conversations:
    """Answers to commands and to Another, never repeating a quote in a place until every match was shown."""

    library: Library
    state: ChatState = field(default_factory=MemoryState)
    rng: random.Random = field(default_factory=random.Random)

    def another(self, place: str, query: Query) -> Quote | None:
        """A quote for `query` not yet shown in `place`, until every match has been."""
        self.state.hold(f"rotation:{place}:{query_key(query)}")  # two replicas answering at once
        seen = self.state.seen(place, query)
        quote = self.library.random(query, rng=self.rng, exclude=seen)
        if quote is None and seen:
            self.state.new_round(place, query)  # every match has been shown here: start a new round
            quote = self.library.random(query, rng=self.rng)
        if quote is not None:
            self.state.see(place, query, quote.ref)
        return quote

    def answer(self, place: str, user: str, query: Query, *, private: bool, page: int) -> tuple[Shown, str] | None:
        """A command's answer: the best hits for words, or a fresh random quote; None if none."""
        partial_of: tuple[str, ...] = ()
        if query.words:
            hits = self.library.search(query, limit=page)
            refs, spans = [h.quote.ref for h in hits], [h.spans for h in hits]
            if refs:
                self.state.see(place, query, refs[0])
                partial_of = hits[0].partial_of
        else:
            quote = self.another(place, query)
            refs, spans = ([quote.ref], [()]) if quote else ([], [])
        if not refs:
            return None
        shown = Shown(query, user, refs, spans, private=private, partial_of=partial_of)
        return shown, self.state.remember(shown)

    def next_quote(self, place: str, user: str, shown: Shown) -> tuple[Shown, str] | None:
        """The Another button: a new answer to the same query, keeping its highlights if known."""
        quote = self.another(place, shown.query)
        if quote is None:
            return None
        spans = next((s for ref, s in zip(shown.refs, shown.spans) if ref == quote.ref), ())
        fresh = Shown(shown.query, user, [quote.ref], [spans], private=shown.private)
        return fresh, self.state.remember(fresh)
