"""How far a long build has got: a bar on a terminal, INFO lines in a running bot's log.

Building the index of a large library takes tens of seconds; nothing of it shows for the
first second, so a small library builds in silence.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

logger = logging.getLogger(__name__)
QUIET_SECONDS = 1.0  # a step quicker than this shows nothing
LOG_EVERY = 5.0  # seconds between the log's lines


class Progress:
    """One step of a build (`what`, counted in `unit`s up to `total`), told as it goes."""

    def __init__(self, what: str, total: int, unit: str, *, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, quiet: float | None = None) -> None:
        self.what, self.total, self.unit, self.clock = what, total, unit, clock
        self.quiet = QUIET_SECONDS if quiet is None else quiet
        self.done, self.started, self._logged = 0, clock(), clock()
        stream = sys.stderr if stream is None else stream
        self._bar = None
        if stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=what, unit=f" {unit}", file=stream, delay=self.quiet, leave=False,
                             dynamic_ncols=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
            return
        now = self.clock()
        if now - self.started >= self.quiet and now - self._logged >= LOG_EVERY:
            self._logged = now
            rate = self.done / max(now - self.started, 1e-9)
            left = (self.total - self.done) / rate if rate else 0.0
            logger.info("%s: %d of %d %s (%d%%), about %d s left", self.what, self.done, self.total, self.unit,
                        100 * self.done // max(self.total, 1), round(left))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elapsed = self.clock() - self.started
        if elapsed >= self.quiet:
            logger.info("%s: %d %s in %.1f s", self.what, self.done, self.unit, elapsed)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
