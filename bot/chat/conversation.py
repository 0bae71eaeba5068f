"""What a chat front end remembers between a command and the buttons under its answer.

Platform-neutral: users and channels are whatever ids the platform gives, as strings. State
lives in memory under short tokens that go into the buttons; after a restart a click finds
nothing and the front end says the buttons expired.
"""

from __future__ import annotations

import random
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..library import Library
from ..models import Quote, Span
from .command import Query
from .cooldown import Cooldown

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
    sent: bool = False  # Send and Post work once

    @property
    def ref(self) -> str:
        return self.refs[self.index]

    @property
    def current_spans(self) -> tuple[Span, ...]:
        return self.spans[self.index]


ANYONE = frozenset(("another",))  # a new answer to the same question: anyone in the channel may ask
SINGLE_USE = frozenset(("send", "post"))
NEW_ANSWER = frozenset(("another",))  # buttons that cost a search, so the cooldown counts them


@dataclass(frozen=True, slots=True)
class Press:
    """What a button press may do: "ok", or why not ("expired", "not_yours", "already_sent",
    "cooldown" with the seconds to `wait`)."""

    verdict: str
    shown: Shown | None = None
    wait: float = 0.0


@dataclass
class Conversations:
    """Button state, the no-repeat rotation per channel, and the per-user cooldown."""

    library: Library
    cooldown: Cooldown
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

    def press(self, token: str, actor: str, button: str) -> Press:
        """Decide a button press, the same way on every platform.

        The asker alone may page, send, post, cancel, and see the context of a private answer;
        anyone may ask for Another and see the context of a public answer. Send and Post work
        once. Another counts against the presser's cooldown.
        """
        shown = self._states.get(token)
        if shown is None:
            return Press("expired")
        public_context = button == "context" and not shown.private
        if actor != shown.user and button not in ANYONE and not public_context:
            return Press("not_yours", shown)
        if button in SINGLE_USE:
            if shown.sent:
                return Press("already_sent", shown)
            shown.sent = True
        if button in NEW_ANSWER and (wait := self.cooldown.wait(actor)):
            return Press("cooldown", shown, wait)
        return Press("ok", shown)

    def unsend(self, token: str) -> None:
        """Sending failed (the bot is not in the channel): the asker may press Send again."""
        if shown := self._states.get(token):
            shown.sent = False

    def mark_seen(self, channel: str, query: Query, ref: str) -> None:
        self._seen_in(channel, query).add(ref)

    def _seen_in(self, channel: str, query: Query) -> set[str]:
        seen = self._seen.setdefault((channel, query), set())
        self._seen.move_to_end((channel, query))
        if len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)
        return seen

    def another(self, channel: str, query: Query) -> Quote | None:
        """A quote for `query` not yet shown in `channel`, until every match has been."""
        seen = self._seen_in(channel, query)

        def draw() -> Quote | None:
            return self.library.random(query, rng=self.rng, exclude=seen)

        quote = draw()
        if quote is None and seen:
            seen.clear()  # every match has been shown here: start a new round
            quote = draw()
        if quote is not None:
            seen.add(quote.ref)
        return quote

    def answer(self, channel: str, user: str, query: Query, *, private: bool = False,
               page: int = 5) -> tuple[Shown, str] | None:
        """A command's answer: the best hits for words, or a fresh random quote; None if none."""
        if query.words:
            hits = self.library.search(query, limit=page)
            refs, spans = [h.quote.ref for h in hits], [h.spans for h in hits]
        else:
            quote = self.another(channel, query)
            refs, spans = ([quote.ref], [()]) if quote else ([], [])
        if not refs:
            return None
        shown = Shown(query, user, refs, spans, private=private)
        self.mark_seen(channel, query, refs[0])
        return shown, self.remember(shown)

    def next_quote(self, channel: str, user: str, shown: Shown) -> tuple[Shown, str] | None:
        """The Another button: a new answer to the same query, keeping its highlights if known."""
        quote = self.another(channel, shown.query)
        if quote is None:
            return None
        spans = next((s for ref, s in zip(shown.refs, shown.spans) if ref == quote.ref), ())
        fresh = Shown(shown.query, user, [quote.ref], [spans], private=shown.private)
        return fresh, self.remember(fresh)


def no_match(library: Library, query: Query, *, escape: Callable[[str], str] = str) -> str:
    """Nothing matched: say so, and who does speak of the words when a filter was in the way.

    `escape` makes data safe for the platform's markup (names and the query come from users).
    """
    text = f"No quote matches {escape(query.describe())}."
    filtered = query.speaker or query.topic or query.panel
    if query.words and filtered and (speakers := library.speakers_of(query.words)):
        text += f" {' and '.join(escape(s.name) for s in speakers)} speak{'s' if len(speakers) == 1 else ''} of it."
    return text
