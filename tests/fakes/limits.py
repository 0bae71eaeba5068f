"""A platform's rate limit, as the fakes enforce it: at most N requests in any one second."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class PerSecond:
    limit: float | None = None  # None: no limit
    _recent: list[float] = field(default_factory=list)

    def exceeded(self) -> bool:
        """Whether one more request now goes over the limit; counts it when it does not."""
        if self.limit is None:
            return False
        now = time.monotonic()
        self._recent = [t for t in self._recent if t > now - 1.0]
        if len(self._recent) >= self.limit:
            return True
        self._recent.append(now)
        return False
