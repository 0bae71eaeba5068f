"""Daily digest: 10,000 subscriptions due at once, posted to the fake Slack and the fake Discord
through the real clients.

    python -m benchmarks.digest_bench [--subscriptions 10000] [--per-second 300]

Past `--per-second` posts a second each fake answers 429 as its platform does: the fake Slack
with Retry-After: 1, which the scheduler waits out; the fake Discord with retry_after 0.05,
which discord.py waits out itself. Runs on an SQLite file, and on PostgreSQL
too when its server binaries are installed (the benchmark starts a throwaway server).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import bot
from adapters.slack.digest import slack_poster
from bot.digest.scheduler import DigestScheduler, Poster
from bot.digest.store import Store
from tests.fakes.slack import FakeSlack
from tests.postgres import running_postgres, server_binaries

NOW = dt.datetime(2026, 11, 28, 9, 0, 30, tzinfo=dt.UTC)


class TimedStore(Store):
    """The store, adding up the time spent claiming and recording posts."""

    seconds = 0.0

    def _timed(self, work, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def claim(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return self._timed(super().claim, *args, **kwargs)

    def posted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return self._timed(super().posted, *args, **kwargs)


def databases() -> Iterator[tuple[str, str]]:
    """Each database to measure, set up for the loop's body and torn down after it."""
    with tempfile.TemporaryDirectory() as folder:
        yield "SQLite file", f"sqlite:///{Path(folder) / 'state.sqlite3'}"
    if server_binaries() is not None:
        with running_postgres() as url:
            yield "PostgreSQL", url


def _subscribe(url: str, platform: str, count: int) -> TimedStore:
    setup = Store.open(url)
    for n in range(count):
        setup.subscribe(platform, str(710000000000000000 + n) if platform == "discord" else f"C{n:07d}", "09:00",
                        "UTC", now=NOW)
    return TimedStore(setup.engine)


async def _run(store: TimedStore, platform: str, poster: Poster) -> tuple[int, float]:
    scheduler = DigestScheduler(store, bot.load_library(), {platform: poster}, clock=lambda: NOW)
    started = time.perf_counter()
    made = await scheduler.run_once()
    return made, time.perf_counter() - started


async def measure_slack(url: str, count: int, per_second: float) -> dict[str, float]:
    from slack_sdk.web.async_client import AsyncWebClient

    store = _subscribe(url, "slack", count)
    fake = FakeSlack(per_second=per_second)
    await fake.start()
    try:
        client = AsyncWebClient(token="xoxb-bench", base_url=fake.api_url)
        made, wall = await _run(store, "slack", slack_poster(client, bot.load_library()))
    finally:
        await fake.stop()
    sent = sum(1 for c in fake.calls if c.method == "chat.postMessage")
    return {"posted": made, "wall": wall, "db_ms": store.seconds / max(made, 1) * 1e3, "limited": sent - made}


async def measure_discord(url: str, count: int, per_second: float) -> dict[str, float]:
    from adapters.discord.digest import discord_poster
    from tests.fakes.harness import discord_session

    store = _subscribe(url, "discord", count)
    library = bot.load_library()
    async with discord_session(library) as (fake, client):
        fake.messages_per_second = per_second
        made, wall = await _run(store, "discord", discord_poster(client, "en"))
        sent = sum(1 for r in fake.requests if r.method == "POST" and r.path.endswith("/messages"))
    return {"posted": made, "wall": wall, "db_ms": store.seconds / max(made, 1) * 1e3, "limited": sent - made}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--per-second", type=float, default=300.0)
    args = parser.parse_args()
    print(f"| {args.subscriptions:,} due at once, limit {args.per_second:.0f} posts/s | posted | seconds | posts/s "
          "| DB ms per post | 429s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, url in databases():
        for platform, measure in (("Slack", measure_slack), ("Discord", measure_discord)):
            r = asyncio.run(measure(url, args.subscriptions, args.per_second))
            print(f"| {platform}, {name} | {r['posted']:,.0f} | {r['wall']:.1f} | {r['posted'] / r['wall']:.0f} "
                  f"| {r['db_ms']:.2f} | {r['limited']:,.0f} |")


if __name__ == "__main__":
    main()
