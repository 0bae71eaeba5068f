"""Errors whose message is meant for the person who caused them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_MESSAGE = 500  # characters of one problem's message: a line a person reads


class QuoteBotError(Exception):
    """An error to show to the user: bad input, unknown names, bad data.

    `str(error)` is the English line the command line prints; `key` and `params`, when given,
    name the catalogue message chat front ends show instead, in the user's language.
    """

    def __init__(self, text: str = "", *, key: str = "", **params: object) -> None:
        super().__init__(text)
        self.key, self.params = key, params


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a data file, at a line when one is known."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        message = self.message if len(self.message) <= MAX_MESSAGE else self.message[:MAX_MESSAGE - 1] + "…"
        return f"{where}: {message}"


class DataError(QuoteBotError):
    """The data files are broken; `problems` lists every problem found, one per line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem]]]:
        return DataError, (self.problems,)  # whole, from the process that built the library


class UnknownValueError(QuoteBotError):
    """A speaker, topic, panel or quote that the library does not have."""

    def __init__(self, kind: str, value: str, suggestions: Sequence[str]) -> None:
        self.kind, self.value, self.suggestions = kind, value, list(suggestions)
        hint = f"; closest: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"unknown {kind} {value!r}{hint}", key=f"unknown.{kind}", value=value,
                         closest=tuple(self.suggestions))


class AmbiguousValueError(QuoteBotError):
    """A name that fits several speakers or topics."""

    def __init__(self, kind: str, value: str, matches: Sequence[str]) -> None:
        self.kind, self.value, self.matches = kind, value, list(matches)
        super().__init__(f"{kind} {value!r} is ambiguous: {', '.join(self.matches)}", key=f"ambiguous.{kind}",
                         value=value, matches=tuple(self.matches))


class QueryError(QuoteBotError):
    """A query that cannot be run as given (too long, bad limit, bad date)."""
