"""What the chat core answers: typed replies that every front end renders in its own markup.

A reply says what to show, to whom and with which buttons; its words are catalogue keys with
parameters (`Message`), never sentences, so each front end shows them in its user's language
and escapes every parameter for its own markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from ..models import Context, Panel, Quote, Span, Speaker
from ..panels.moments import Moment, moment
from ..quotecard import QuoteImage


class Audience(StrEnum):
    """Who sees a reply: the person who asked or pressed, or everyone in the place."""

    ACTOR = "actor"
    EVERYONE = "everyone"


class Button(StrEnum):
    """The buttons a quote can carry. Their labels are catalogue keys `button.<value>`."""

    ANOTHER = "another"
    CONTEXT = "context"
    PREV = "prev"
    NEXT = "next"
    SEND = "send"
    CANCEL = "cancel"
    CARD = "card"  # the quote as an image (a 金句卡片), posted to the place


class Raw(str):
    """A parameter a front end made in its own markup (a mention): shown without escaping."""



@dataclass(frozen=True, slots=True)
class Message:
    """A catalogue key and its parameters; `count` picks the plural form."""

    key: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    count: int | None = None


def message(key: str, count: int | None = None, **params: object) -> Message:
    """`message("cooldown", seconds=3)`: a Message whose parameters cannot change afterwards."""
    return Message(key, MappingProxyType(dict(params)), count)


def message_with(key: str, params: Mapping[str, object]) -> Message:
    """A Message from parameters gathered elsewhere (an error's)."""
    return Message(key, MappingProxyType(dict(params)))


@dataclass(frozen=True, slots=True)
class Card:
    """One quote as a front end shows it: the quote, its panel, and the matched spans to stress."""

    quote: Quote
    panel: Panel
    spans: tuple[Span, ...] = ()
    language: str = ""  # the reader's: an English reader gets the glosses (`text_en`, `title_en`...)

    @property
    def speaker(self) -> Speaker:
        return self.quote.speaker

    @property
    def english(self) -> bool:
        """Whether the reader reads English and the panel was not in English."""
        return self.language.startswith("en") and not (self.panel.language or "").startswith("en")

    @property
    def gloss(self) -> str | None:
        """The quote's English gloss, for an English reader, shown beneath the original."""
        return self.quote.text_en if self.english else None

    @property
    def title(self) -> str:
        """The speaker's title, in English for an English reader where it is glossed."""
        speaker = self.quote.speaker
        return speaker.title_en if self.english and speaker.title_en else speaker.title

    @property
    def who(self) -> str:
        """陈石 · 峰瑞资本投资合伙人, or 陈石 · Partner, Fengrui Capital for an English reader."""
        return f"{self.speaker.name} · {self.title}" if self.title else self.speaker.name

    @property
    def where(self) -> tuple[str, ...]:
        """Topic, panel title, event and date (in English where glossed, for an English reader):
        what the line under a quote says, the empty and the repeated left out."""
        quote, panel, en = self.quote, self.panel, self.english
        topic = quote.topic
        parts = ((topic.name_en if en and topic.name_en else topic.name) if topic else "",
                 panel.title_en if en and panel.title_en else panel.title,
                 panel.event_en if en and panel.event_en else panel.event,
                 panel.date.isoformat() if panel.date else "")
        return tuple(dict.fromkeys(p for p in parts if p))

    @property
    def moment(self) -> Moment | None:
        """When it was said, with a link into the recording when the panel has one."""
        return moment(self.panel, self.quote)


@dataclass(frozen=True, slots=True)
class Answer:
    """A quote to show, with its buttons (their state is kept under `token`).

    `page` is (n, of) when the answer pages through several hits; `replaces` means the message
    the button was pressed on is edited rather than a new one sent.
    """

    card: Card
    audience: Audience
    buttons: tuple[Button, ...] = ()
    token: str = ""
    page: tuple[int, int] | None = None
    note: Message | None = None
    replaces: bool = False


@dataclass(frozen=True, slots=True)
class Shared:
    """Send was pressed: post `card` to everyone, shared by `by` (a user id), and drop the preview."""

    card: Card
    by: str
    token: str


@dataclass(frozen=True, slots=True)
class Picture:
    """Card was pressed, or `card ID` typed: `card` as an image, posted for everyone in the place
    (as shared by `by`, a user id); a front end with no channel (the console) saves it instead."""

    card: Card
    image: QuoteImage
    by: str
    audience: Audience = Audience.EVERYONE


@dataclass(frozen=True, slots=True)
class ContextLine:
    quote: Quote
    is_question: bool = False
    is_focus: bool = False  # the quote the context was asked for


@dataclass(frozen=True, slots=True)
class ContextView:
    """The question a quote answers and the paragraphs around it, in the order they were said."""

    lines: tuple[ContextLine, ...]
    panel: Panel
    audience: Audience = Audience.ACTOR


def context_view(context: Context, panel: Panel) -> ContextView:
    """The context rule, once: the question comes first unless it is already the paragraph before."""
    question = [ContextLine(context.question, is_question=True)] \
        if context.question and context.question not in context.before else []
    lines = [*question, *(ContextLine(q, is_question=q == context.question) for q in context.before),
             ContextLine(context.quote, is_focus=True), *(ContextLine(q) for q in context.after)]
    return ContextView(tuple(lines), panel)


@dataclass(frozen=True, slots=True)
class Listing:
    """A table of what the library holds (`kind`: speakers, topics or panels); a column's header is
    the catalogue's `column.<kind>.<column>`; the first two columns of every row are an id and a name."""

    kind: str
    title: Message
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    audience: Audience = Audience.ACTOR
    words: tuple[str, ...] = ("role",)  # columns whose cells are words of ours (`<column>.<cell>` keys)

    def shown(self, row: tuple[str, ...], say: Callable[[Message], str]) -> list[str]:
        """A row as a user reads it: our own words (a speaker's role) in their language."""
        return [say(message(f"{column}.{cell}")) if column in self.words and cell else cell
                for column, cell in zip(self.columns, row)]


@dataclass(frozen=True, slots=True)
class Notice:
    """Sentences to show: a confirmation, a refusal, an error or no match."""

    messages: tuple[Message, ...]
    audience: Audience = Audience.ACTOR
    error: bool = False


@dataclass(frozen=True, slots=True)
class HelpEntry:
    example: str  # in the command language, without the platform's prefix (`/quote `)
    meaning: Message


@dataclass(frozen=True, slots=True)
class Help:
    entries: tuple[HelpEntry, ...]
    intro: Message
    outro: Message
    audience: Audience = Audience.ACTOR


@dataclass(frozen=True, slots=True)
class Removed:
    """Cancel was pressed: remove the preview the button was on."""

    audience: Audience = Audience.ACTOR


Reply = Answer | Shared | Picture | ContextView | Listing | Notice | Help | Removed
