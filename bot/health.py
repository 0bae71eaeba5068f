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
    stale_panels: str | None = None  # why the last reload failed, while the panels before it serve

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, JSON-ready details): healthy when every registered bot is connected.

        Panels that failed to reload make the bot "degraded", still healthy: it answers from the
        panels it had, and restarting it would not mend the file (nor should a healthcheck try)."""
        bots = {name: bool(probe()) for name, probe in self.connected.items()}
        runs = {name: (when.isoformat() if (when := probe()) else None) for name, probe in self.digest_runs.items()}
        healthy = bool(bots) and all(bots.values())
        status = "unavailable" if not healthy else "degraded" if self.stale_panels else "ok"
        report = {"status": status, "connected": bots, "digest_last_run": runs}
        if self.stale_panels:
            report["panels"] = f"not reloaded, serving the previous panels: {self.stale_panels}"
        return healthy, report
