"""The per-user cooldown: at most `limit` commands in any `per` seconds, for every front end.

This is the policy; the recent commands it counts are kept by the chat state (`ChatState.spend`),
so that replicas of one bot share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QuoteBotError

_OFF = 10**9


@dataclass(frozen=True, slots=True)
class Cooldown:
    limit: int = 5
    per: float = 30.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.per <= 0:
            raise ValueError("a cooldown needs limit >= 1 and per > 0")

    @property
    def off(self) -> bool:
        return self.limit >= _OFF

    @classmethod
    def parse(cls, text: str, *, name: str = "QUOTE_COOLDOWN") -> Cooldown:
        """`5/30` is five commands in 30 seconds; `off` turns the cooldown off."""
        if text.strip().lower() in ("off", "0", "none"):
            return cls(limit=_OFF, per=1.0)
        try:
            limit, per = text.split("/")
            cooldown = cls(int(limit), float(per))
        except ValueError:
            raise QuoteBotError(f"{name}={text!r}: expected COMMANDS/SECONDS such as 5/30, or off") from None
        if cooldown.per > 86400:
            raise QuoteBotError(f"{name}={text!r}: the window is at most a day (86400 seconds)")
        return cooldown
