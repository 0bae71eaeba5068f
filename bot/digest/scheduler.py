"""Posting each subscription's quote of the day at its local time, once, on any platform.

The scheduler asks the store what is due, claims each post (the claim is what makes it exactly
once across processes), and hands the quote to a platform's `Poster`. What a platform reports
decides what happens next: rate limited, wait as told and retry; channel gone, disable the
subscription with the reason; anything else, retry with backoff a bounded number of times.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace

from ..library import Library
from ..models import Quote
from .schedule import due_date, parse_timezone, utc_now
from .store import Store, Subscription

logger = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Delivery:
    """What a poster needs beyond the quote: the post's idempotency `mark` (the same on every try of
    a subscription's day, at most 25 characters, as Discord's nonce allows) and whether an earlier
    try may have reached the platform, so that the poster looks before it posts again."""

    mark: str
    retry: bool = False
    since: float = 0.0  # when the post was claimed (epoch seconds): no earlier message can be it


def mark_of(subscription_id: int, day: dt.date) -> str:
    return f"pq{subscription_id}-{day:%Y%m%d}"


Poster = Callable[[Subscription, Quote, Delivery], Awaitable[str]]  # posts the quote, returns the message id
GRACE_SECONDS = 8.0  # how long a stopping bot lets the post under way finish (the runner waits 10)


class RateLimited(Exception):
    """The platform asked to wait `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class ChannelGone(Exception):
    """The channel is gone, archived, or the bot was removed: stop posting there."""


@dataclass
class DigestScheduler:
    """One process's scheduler; run as many as you like against one database."""

    store: Store
    library: Library
    posters: Mapping[str, Poster]  # platform name -> how to post there
    clock: Callable[[], dt.datetime] = utc_now
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    attempts: int = 4
    backoff: float = 2.0
    last_run: dt.datetime | None = field(default=None, init=False)

    def due(self, now: dt.datetime) -> list[tuple[Subscription, dt.date]]:
        """Enabled subscriptions whose local posting time has come today and that have no post yet."""
        done = self.store.claimed_since((now - dt.timedelta(days=1)).date())
        due = []
        for sub in self.store.enabled():
            if sub.platform not in self.posters:
                continue  # another process serves that platform
            day = due_date(sub.post_time, parse_timezone(sub.timezone), now)
            if day is not None and (sub.id, day) not in done:
                due.append((sub, day))
        return due

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Post everything due now; return how many posts this process made.

        With `stop` set mid-round, the post under way finishes and the rest is left for the next
        process: a graceful restart loses and doubles nothing.
        """
        now = self.clock()
        made = 0
        for sub, day in self.due(now):
            if stop is not None and stop.is_set():
                break
            quote = self.library.digest(sub.digest_key, day, sub.filters, self.store.posted_refs(sub.id))
            if quote is None:
                self.store.disable(sub.id, "no quote matches its topic and speaker filter")
                continue
            # Claim, then post at once: a process dying in between loses that day's post rather
            # than ever doubling it.
            claimed_at = self.clock()
            claim = self.store.claim(sub.id, day, quote.ref, claimed_at)
            delivery = Delivery(mark_of(sub.id, day), since=claimed_at.timestamp())
            if claim is not None and await self._deliver(sub, quote, claim, delivery, stop):
                made += 1
        self.last_run = now
        return made

    async def _deliver(self, sub: Subscription, quote: Quote, claim: int, delivery: Delivery,
                       stop: asyncio.Event | None = None) -> bool:
        poster = self.posters[sub.platform]
        for attempt in range(1, self.attempts + 1):
            if attempt > 1 and stop is not None and stop.is_set():
                # Stopping: no further tries, and the claim says why (the next process does not
                # post that day again; if the lost answer had made the message, it stands alone).
                self.store.failed(claim, "the bot stopped before the platform confirmed the post")
                return False
            try:
                message_id = await poster(sub, quote, replace(delivery, retry=attempt > 1))
            except RateLimited as limit:
                logger.info("digest %s rate limited; waiting %.1f s", sub.digest_key, limit.retry_after)
                await self.sleep(limit.retry_after)
            except ChannelGone as gone:
                logger.warning("digest %s disabled: %s", sub.digest_key, gone)
                self.store.disable(sub.id, str(gone))
                self.store.failed(claim, str(gone))
                return False
            except Exception as error:
                logger.warning("digest %s failed (attempt %d of %d): %s", sub.digest_key, attempt, self.attempts,
                               error)
                if attempt == self.attempts:
                    self.store.failed(claim, f"{type(error).__name__}: {error}")
                    return False
                await self.sleep(self.backoff ** attempt)
            else:
                self.store.posted(claim, message_id, self.clock())
                return True
        self.store.failed(claim, "still rate limited after every attempt")
        return False

    async def run(self, stop: asyncio.Event, interval: float = 20.0) -> None:
        """Check every `interval` seconds until `stop` is set."""
        while not stop.is_set():
            try:
                await self.run_once(stop)
            except Exception:  # one bad round must not end the scheduler
                logger.exception("digest round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


async def finish(task: asyncio.Task[None], stop: asyncio.Event, grace: float = GRACE_SECONDS) -> None:
    """Stop a scheduler's task gracefully: the post under way finishes (within `grace` seconds) and
    the rest of the round is left to the next process; only then is the task cancelled."""
    stop.set()
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        logger.warning("the digest round did not finish within %.0f s; stopping it", grace)
        task.cancel()
