"""The chat core: what every command and every button does, decided once for every front end.

A front end turns a platform event into `Chat.ask` (typed text), `Chat.run` (a command it
parsed from its own options) or `Chat.press` (a button), with who did it (`Actor`) and where
(`Place`), and renders the typed reply it gets back. Who may press what, single-use Send, the
cooldown, no-match suggestions and the context rule live here and nowhere else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import QuoteBotError
from ..library import Library
from ..models import Query, Quote, well_formed
from . import digests, listings
from .command import Command, parse_command
from .conversation import Conversations
from .cooldown import Cooldown
from .parties import Actor, Place
from .replies import (
    Answer,
    Audience,
    Button,
    Card,
    Help,
    HelpEntry,
    Message,
    Notice,
    Picture,
    Removed,
    Reply,
    Shared,
    context_view,
    message,
    message_with,
)
from .state import ChatState, MemoryState, Shown

if TYPE_CHECKING:
    from ..digest.store import Store  # the database is imported by whoever opens one

PAGE = 5


def failure(error: QuoteBotError) -> Notice:
    """A user error as a notice: its catalogue message, or its English line when it has none."""
    said = message_with(error.key, error.params) if error.key else message("error.text", text=str(error))
    if error.key.startswith("unknown.") and error.params.get("closest"):
        return Notice((said, message("unknown.closest", names=error.params["closest"])), error=True)
    return Notice((said,), error=True)


def _well_formed(command: Command) -> Command:
    """A command a front end built from a platform's payload, with text that can be stored and
    shown (its query cleans itself)."""
    order = command.digest
    if order is not None:
        order = dataclasses.replace(order, time=order.time and well_formed(order.time),
                                    zone=order.zone and well_formed(order.zone))
    return dataclasses.replace(command, argument=well_formed(command.argument), digest=order)


def buttons_for(shown: Shown) -> tuple[Button, ...]:
    """Another, Context and Card always; Prev and Next through several hits; Send and Cancel on a
    private answer, which only its asker sees."""
    buttons = [Button.ANOTHER, Button.CONTEXT, Button.CARD]
    if len(shown.refs) > 1:
        buttons += [Button.PREV, Button.NEXT]
    if shown.private:
        buttons += [Button.SEND, Button.CANCEL]
    return tuple(buttons)


def may_press(shown: Shown, button: Button, actor: Actor) -> bool:
    """The asker may press anything; others only Another, Context and Card under a public answer."""
    return actor.id == shown.user or (not shown.private and button in (Button.ANOTHER, Button.CONTEXT, Button.CARD))


class Chat:
    """One chat core per running bot, shared by all its front ends' events.

    Example:
        >>> chat = Chat(load_library())  # doctest: +SKIP
        >>> chat.ask("算力 speaker:陈石", Actor("u1"), Place("console", "here")).card.speaker.name  # doctest: +SKIP
        '陈石'
    """

    def __init__(self, library: Library, *, cooldown: Cooldown | None = None, store: Store | None = None,
                 open_store: Callable[[], Store] | None = None, state: ChatState | None = None,
                 default_timezone: str = "UTC", page: int = PAGE, rng: random.Random | None = None,
                 card_size: str = "square", card_theme: str = "light") -> None:
        self.library = library
        self.cooldown = cooldown or Cooldown.parse("off")
        self.state: ChatState = state or MemoryState()
        self.conversations = Conversations(library, self.state, rng or random.Random())
        self.default_timezone = default_timezone
        self.page = page
        self.card_size, self.card_theme = card_size, card_theme  # what the Card button draws
        self._store, self._open_store = store, open_store

    @property
    def store(self) -> Store | None:
        """The digests' store, or `open_store()` on first use (the console opens it only for /digest)."""
        if self._store is None and self._open_store is not None:
            self._store = self._open_store()
        return self._store

    # -- commands ----------------------------------------------------------------------------

    def ask(self, text: str, actor: Actor, place: Place, *, private: bool = False) -> Reply:
        """Answer what follows `/quote` (the command language), as typed."""
        try:
            command = parse_command(well_formed(text))
        except QuoteBotError as error:
            return failure(error)
        return self.run(command, actor, place, private=private)

    def run(self, command: Command, actor: Actor, place: Place, *, private: bool = False) -> Reply:
        """Answer a parsed command. `private` answers only the actor (with Send to share it)."""
        command = _well_formed(command)
        # A digest command writes through the digests' store, on connections of its own: it runs
        # outside the batch, whose open transaction would hold SQLite's write lock against it.
        batch = self.state.batch() if command.action != "digest" else contextlib.nullcontext()
        with batch:  # a user's error is an answer too: what it counted is kept
            try:
                return self._decide(command, actor, place, private)
            except QuoteBotError as error:
                return failure(error)

    def _decide(self, command: Command, actor: Actor, place: Place, private: bool) -> Reply:
        if command.action == "help":
            return self.help()
        if waiting := self._cooled(actor, place):
            return waiting
        if command.action in ("speakers", "topics", "panels"):
            return listings.listing(self.library, command.action)
        if command.action == "context":
            return self.context(command.argument)
        if command.action == "card":
            return self.picture(command.argument, actor)
        if command.action == "digest":
            return digests.answer(command, actor, place, library=self.library, store=self.store,
                                  default_timezone=self.default_timezone)
        if command.action == "press":
            raise QuoteBotError("only the console types its buttons", key="bad.command", name=command.argument)
        answered = self.conversations.answer(place.key, actor.id, command.query, private=private, page=self.page)
        if answered is None:
            return self.no_match(command.query)
        return self.answer(*answered, language=actor.language)

    def help(self) -> Help:
        """The commands, with examples drawn from the loaded panels."""
        word, hit = self._example()
        speaker = hit.speaker.name if hit else ""
        topic = hit.topic.name if hit and hit.topic else (self.library.topics[0].name if self.library.topics else "")
        quote = hit.ref if hit else ""
        entries = [HelpEntry(_quoted(word), message("help.search")),
                   HelpEntry(f"{_quoted(word)} speaker:{_quoted(speaker)}", message("help.speaker")),
                   HelpEntry(f"topic:{_quoted(topic)}", message("help.topic")),
                   HelpEntry("random", message("help.random")),
                   HelpEntry("speakers", message("help.speakers")),
                   HelpEntry("topics", message("help.topics")),
                   HelpEntry("panels", message("help.panels")),
                   HelpEntry(f"context {quote}", message("help.context")),
                   HelpEntry(f"card {quote}", message("help.card")),
                   HelpEntry(f"digest subscribe 09:00 {self.default_timezone}", message("help.digest")),
                   HelpEntry("help", message("help.help"))]
        return Help(tuple(entries), message("help.intro"), message("help.filters"))

    def _example(self) -> tuple[str, Quote | None]:
        """A word from the panels' own topics that finds what a panelist said, and the best such quote:
        the longest of a topic's words first (a word, not a whole question, is what people type)."""
        for topic in self.library.topics:
            words = sorted({w for w in self.library.words_of(topic.name) if len(w) > 1}, key=len, reverse=True)
            for word in (*words, topic.name):
                try:
                    hits = self.library.search(Query(word), limit=1)
                except QuoteBotError:
                    continue
                if hits:
                    return word, hits[0].quote
        first = next((q for q in self.library.quotes if not q.speaker.is_moderator), None)
        return (first.speaker.name if first else "AI"), first

    def context(self, ref: str) -> Reply:
        quote = self.library.quote(ref)
        return context_view(self.library.context(quote.ref), self.library.panel(quote.panel))

    def no_match(self, query: Query) -> Notice:
        """Nothing matched: say so, and who does speak of the words when a filter was in the way."""
        said = [message("no_match", query=query.describe())]
        filtered = query.speaker or query.topic or query.panel
        if query.words and filtered and (speakers := self.library.speakers_of(query.words)):
            said.append(message("no_match.who_speaks", count=len(speakers), names=tuple(s.name for s in speakers)))
        return Notice(tuple(said))

    def picture(self, ref: str, actor: Actor, spans: tuple[tuple[int, int], ...] = ()) -> Picture:
        """The quote as an image for `actor`'s language (an English reader gets the gloss beneath),
        its matched words highlighted; a QuoteBotError when no installed font draws Chinese."""
        from ..quotecard.draw import render_card_image  # Pillow is loaded with the first card

        card = self.card(ref, spans, actor.language)
        return Picture(card, render_card_image(card, self.card_size, self.card_theme), actor.id)

    def picture_failed(self, reason: str) -> Notice:
        """Posting a card did not reach the channel (`reason`: a `share.*` key)."""
        return Notice((message(f"share.{reason}"),), error=True)

    def card(self, ref: str, spans: tuple[tuple[int, int], ...] = (), language: str = "") -> Card:
        quote = self.library.quote(ref)
        return Card(quote, self.library.panel(quote.panel), spans, language)

    def answer(self, shown: Shown, token: str, *, replaces: bool = False, note: Message | None = None,
               language: str = "") -> Answer:
        """`shown`'s current quote with its buttons, for a reader of `language`."""
        if note is None and shown.partial_of:  # no quote says the phrase: say these hold parts of it
            note = message("search.partial", phrases=shown.partial_of)
        return Answer(self.card(shown.ref, shown.current_spans, language),
                      Audience.ACTOR if shown.private else Audience.EVERYONE,
                      buttons_for(shown), token, (shown.index + 1, len(shown.refs)) if len(shown.refs) > 1 else None,
                      note, replaces)

    # -- buttons -----------------------------------------------------------------------------

    def press(self, token: str, button: str, actor: Actor, place: Place) -> Reply:
        """Decide a button press: refuse it (expired, not yours, already sent, cooldown) or answer it."""
        with self.state.batch():
            try:
                return self._press(well_formed(token), well_formed(button), actor, place)
            except QuoteBotError as error:
                return failure(error)

    def _press(self, token: str, name: str, actor: Actor, place: Place) -> Reply:
        if not token:
            return Notice((message("refused.nothing_yet"),))
        shown = self.state.recall(token)
        pressed = next((b for b in Button if b.value == name), None)
        if shown is None or pressed is None or not self._still_there(shown):
            return Notice((message("refused.expired"),))
        if pressed not in buttons_for(shown):
            return Notice((message("refused.not_offered", button=message(f"button.{pressed.value}")),))
        if not may_press(shown, pressed, actor):
            return Notice((message("refused.not_yours"),))
        if pressed is Button.SEND:
            if not self.state.claim_send(token):  # one press posts, on whichever replica it lands
                return Notice((message("refused.already_sent"),))
            return Shared(self.card(shown.ref, shown.current_spans, actor.language), actor.id, token)
        if pressed is Button.CANCEL:
            self.state.forget(token)
            return Removed()
        if pressed in (Button.PREV, Button.NEXT):  # the same answer, paged in place: no new message
            shown.index = (shown.index + (1 if pressed is Button.NEXT else -1)) % len(shown.refs)
            self.state.save(token, shown)
            return self.answer(shown, token, replaces=True, language=actor.language)
        if waiting := self._cooled(actor, place):  # a new message: it counts
            return waiting
        if pressed is Button.CONTEXT:
            return self.context(shown.ref)
        if pressed is Button.CARD:
            return self.picture(shown.ref, actor, shown.current_spans)
        fresh = self.conversations.next_quote(place.key, actor.id, shown)
        if fresh is None:
            return self.no_match(shown.query)
        if shown.private:
            self.state.forget(token)  # the preview is shuffled in place: its old buttons are gone
        return self.answer(*fresh, replaces=shown.private, language=actor.language)

    def _cooled(self, actor: Actor, place: Place) -> Notice | None:
        """The cooldown's answer when the actor has used it up, else None (and the command counts)."""
        if self.cooldown.off:
            return None
        wait = self.state.spend(f"{place.platform}:{actor.id}", self.cooldown.limit, self.cooldown.per)
        return Notice((message("cooldown", seconds=max(1, round(wait))),)) if wait else None

    def _still_there(self, shown: Shown) -> bool:
        """Whether the panels (reloaded since, maybe) still hold every quote the buttons page through."""
        try:
            for ref in shown.refs:
                self.library.quote(ref)
        except QuoteBotError:
            return False
        return True

    def share_failed(self, token: str, reason: str) -> Notice:
        """Sending did not reach the channel (`reason`: a `share.*` key): Send may be pressed again."""
        self.state.release_send(token)
        return Notice((message(f"share.{reason}"),), error=True)


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) else value
