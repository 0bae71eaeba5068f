"""What /healthz reports: whether each chat bot is connected, and when digests last ran."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Health:
    """Probes the front ends register; the health endpoint reads them, the core never serves them."""

    connected: dict[str, Callable[[], bool]] = field(default_factory=dict)
    digest_runs: dict[str, Callable[[], dt.datetime | None]] = field(default_factory=dict)

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, JSON-ready details): healthy when every registered bot is connected."""
        bots = {name: bool(probe()) for name, probe in self.connected.items()}
        runs = {name: (when.isoformat() if (when := probe()) else None) for name, probe in self.digest_runs.items()}
        healthy = bool(bots) and all(bots.values())
        return healthy, {"status": "ok" if healthy else "unavailable", "connected": bots, "digest_last_run": runs}
