"""What the chat core remembers between events, behind one interface with two stores.

`MemoryState` keeps it in this process (the console, tests); `SqlState` keeps it in the bot's
database, so replicas of one bot share it and a restart keeps it: the buttons under an answer
(for `BUTTON_DAYS`), the single-use mark of Send, the no-repeat rotation of random quotes per
place and query, and the cooldown's recent commands per user.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Protocol

from ..models import Query, Span

BUTTON_DAYS = 7  # buttons older than this have expired
_REMEMBERED = 10_000  # the memory store's bound on buttons and rotations
_USERS = 100_000  # ... and on users with recent commands


@dataclass
class Shown:
    """What a message with buttons shows: the query, its hits, who asked, which one is shown."""

    query: Query
    user: str
    refs: list[str]
    spans: list[tuple[Span, ...]]
    index: int = 0
    private: bool = False
    partial_of: tuple[str, ...] = ()  # phrases of the query no quote says; the hits hold parts of them

    @property
    def ref(self) -> str:
        return self.refs[self.index]

    @property
    def current_spans(self) -> tuple[Span, ...]:
        return self.spans[self.index]

    def to_json(self) -> str:
        # By hand, not asdict(): its deep copy of every span cost more than the database write.
        return json.dumps({"query": {name: getattr(self.query, name) for name in _QUERY_FIELDS},
                           "user": self.user, "refs": self.refs, "spans": self.spans, "index": self.index,
                           "private": self.private, "partial_of": self.partial_of}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Shown:
        data = json.loads(text)
        spans = [tuple(tuple(span) for span in spans) for spans in data.pop("spans")]
        partial_of = tuple(data.pop("partial_of", ()))  # rows written before it was kept have none
        return cls(query=Query(**data.pop("query")), spans=spans, partial_of=partial_of, **data)  # type: ignore[arg-type]


_QUERY_FIELDS = tuple(field.name for field in fields(Query))


@functools.lru_cache(maxsize=4096)
def query_key(query: Query) -> str:
    """A short stable name for a query's filters and words, for the rotation's rows."""
    return hashlib.sha256(json.dumps(asdict(query), ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


def new_token() -> str:
    """A token short enough for any platform's button value, and unguessable."""
    return secrets.token_urlsafe(12)


class ChatState(Protocol):
    """The storage the chat core needs; every method is one short step for its store."""

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Group the steps of one command or press (one transaction, for a database)."""
        ...

    def remember(self, shown: Shown) -> str: ...
    def recall(self, token: str) -> Shown | None: ...
    def save(self, token: str, shown: Shown) -> None: ...
    def forget(self, token: str) -> None: ...

    def claim_send(self, token: str) -> bool:
        """True for the one press that may post; every other press, on any replica, gets False."""
        ...

    def release_send(self, token: str) -> None:
        """The post did not happen: Send may be pressed again."""
        ...

    def hold(self, key: str) -> None:
        """Keep other replicas off `key` until this batch ends (a no-op where there are none)."""
        ...

    def seen(self, place: str, query: Query) -> set[str]: ...
    def see(self, place: str, query: Query, ref: str) -> None: ...
    def new_round(self, place: str, query: Query) -> None: ...

    def spend(self, user: str, limit: int, per: float) -> float:
        """Count one command of `user` and return 0, or the seconds to wait when `limit` commands
        were made in the last `per` seconds already (that one is not counted)."""
        ...

    def first_time(self, key: str, within: float) -> bool:
        """True the first time `key` is met in `within` seconds, on any replica; False for a replay."""
        ...


class MemoryState:
    """This process's memory: gone at a restart, unknown to other processes."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.batch = contextlib.nullcontext
        self._buttons: OrderedDict[str, tuple[Shown, float]] = OrderedDict()
        self._sent: set[str] = set()
        self._seen: OrderedDict[tuple[str, str], set[str]] = OrderedDict()
        self._recent: OrderedDict[str, deque[float]] = OrderedDict()
        self._met: OrderedDict[str, float] = OrderedDict()  # key -> until when it counts as met

    def remember(self, shown: Shown) -> str:
        token = new_token()
        self._buttons[token] = (shown, self.clock() + BUTTON_DAYS * 86400)
        if len(self._buttons) > _REMEMBERED:
            gone, _ = self._buttons.popitem(last=False)
            self._sent.discard(gone)
        return token

    def recall(self, token: str) -> Shown | None:
        found = self._buttons.get(token)
        return found[0] if found and found[1] > self.clock() else None

    def save(self, token: str, shown: Shown) -> None:
        if token in self._buttons:
            self._buttons[token] = (shown, self._buttons[token][1])

    def forget(self, token: str) -> None:
        self._buttons.pop(token, None)
        self._sent.discard(token)

    def claim_send(self, token: str) -> bool:
        if token in self._sent:
            return False
        self._sent.add(token)
        return True

    def release_send(self, token: str) -> None:
        self._sent.discard(token)

    def _round(self, place: str, query: Query) -> set[str]:
        key = (place, query_key(query))
        seen = self._seen.setdefault(key, set())
        self._seen.move_to_end(key)
        if len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)
        return seen

    def hold(self, key: str) -> None:
        """One process: nobody else to wait for."""

    def seen(self, place: str, query: Query) -> set[str]:
        return set(self._round(place, query))

    def see(self, place: str, query: Query, ref: str) -> None:
        self._round(place, query).add(ref)

    def new_round(self, place: str, query: Query) -> None:
        self._round(place, query).clear()

    def spend(self, user: str, limit: int, per: float) -> float:
        now = self.clock()
        recent = self._recent.pop(user, None) or deque()
        while recent and recent[0] <= now - per:
            recent.popleft()
        self._recent[user] = recent
        if len(self._recent) > _USERS:
            self._recent.popitem(last=False)
        if len(recent) >= limit:
            return recent[0] + per - now
        recent.append(now)
        return 0.0

    def first_time(self, key: str, within: float) -> bool:
        now = self.clock()
        while self._met and next(iter(self._met.values())) <= now:
            self._met.popitem(last=False)
        if key in self._met:
            return False
        self._met[key] = now + within  # keys arrive in time order, so the oldest expire first
        if len(self._met) > _USERS:
            self._met.popitem(last=False)
        return True
