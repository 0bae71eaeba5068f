"""Daily digest: 10,000 subscriptions due at once, posted to the fake Slack through the real client.

    python -m benchmarks.digest_bench [--subscriptions 10000] [--per-second 300]

The fake Slack answers chat.postMessage with 429 and Retry-After past `--per-second` posts a
second, as Slack does; the scheduler waits as told. Runs on an SQLite file, and on PostgreSQL
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
from bot.scheduler import DigestScheduler
from bot.store import Store
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


async def measure(url: str, count: int, per_second: float) -> dict[str, float]:
    from slack_sdk.web.async_client import AsyncWebClient

    library = bot.load_library()
    setup = Store.open(url)
    for n in range(count):
        setup.subscribe("slack", f"C{n:07d}", "09:00", "UTC", now=NOW)
    store = TimedStore(setup.engine)
    fake = FakeSlack(per_second=per_second)
    await fake.start()
    try:
        client = AsyncWebClient(token="xoxb-bench", base_url=fake.api_url)
        scheduler = DigestScheduler(store, library, {"slack": slack_poster(client, library)}, clock=lambda: NOW)
        started = time.perf_counter()
        made = await scheduler.run_once()
        wall = time.perf_counter() - started
    finally:
        await fake.stop()
    limited = sum(1 for c in fake.calls if c.method == "chat.postMessage") - made
    return {"posted": made, "wall": wall, "db_ms": store.seconds / max(made, 1) * 1e3, "limited": limited}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--per-second", type=float, default=300.0)
    args = parser.parse_args()
    print(f"| {args.subscriptions:,} due at once, Slack limit {args.per_second:.0f}/s | posted | seconds | posts/s "
          "| DB ms per post | 429s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, url in databases():
        r = asyncio.run(measure(url, args.subscriptions, args.per_second))
        print(f"| {name} | {r['posted']:,.0f} | {r['wall']:.1f} | {r['posted'] / r['wall']:.0f} "
              f"| {r['db_ms']:.2f} | {r['limited']:,.0f} |")


if __name__ == "__main__":
    main()
