"""A per-user cooldown: at most `limit` commands in any `per` seconds, for every front end."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable

from ..errors import QuoteBotError

_USERS = 100_000  # users remembered; the longest idle are forgotten first


class Cooldown:
    """Sliding-window limit per user. The clock is injectable so tests move time by hand."""

    def __init__(self, limit: int = 5, per: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or per <= 0:
            raise ValueError("a cooldown needs limit >= 1 and per > 0")
        self.limit, self.per, self._clock = limit, per, clock
        self._recent: OrderedDict[Hashable, deque[float]] = OrderedDict()

    def wait(self, user: Hashable) -> float:
        """0 when `user` may run a command now (and counts it); else the seconds to wait."""
        now = self._clock()
        recent = self._recent.pop(user, None) or deque()
        while recent and recent[0] <= now - self.per:
            recent.popleft()
        self._recent[user] = recent
        if len(self._recent) > _USERS:
            self._recent.popitem(last=False)
        if len(recent) >= self.limit:
            return recent[0] + self.per - now
        recent.append(now)
        return 0.0

    @classmethod
    def parse(cls, text: str, *, name: str = "QUOTE_COOLDOWN") -> Cooldown:
        """`5/30` is five commands in 30 seconds; `off` turns the cooldown off."""
        if text.strip().lower() in ("off", "0", "none"):
            return cls(limit=10**9, per=1.0)
        try:
            limit, per = text.split("/")
            return cls(int(limit), float(per))
        except ValueError:
            raise QuoteBotError(f"{name}={text!r}: expected COMMANDS/SECONDS such as 5/30, or off") from None
