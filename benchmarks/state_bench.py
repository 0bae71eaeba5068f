"""What the shared chat state costs per command and per button press, beside the memory store.

    python -m benchmarks.state_bench [--count 1000]

A chat core answers commands (a search with buttons) and presses (Next, which reads and saves
the buttons' state) on each store: this process's memory, the SQLite file, and a PostgreSQL
server started for the run (skipped without its binaries). The cooldown is on, so each command
also counts against it; the figures are the whole core call, search included.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import bot
from bot import Actor, Chat, ChatState, Cooldown, MemoryState, Place, SqlState, Store
from tests.postgres import running_postgres, server_binaries

KEYWORDS = ["算力", "大模型", "数智人", "奇瑞", "开源 数据集", "创业 机会", "GPT4", "应用层", "suanli", "柳叶熙"]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99) - 1] * 1e3


def _timed(call: Callable[[int], object], count: int) -> list[float]:
    samples = []
    for n in range(count):
        started = time.perf_counter()
        call(n)
        samples.append(time.perf_counter() - started)
    return samples


@contextlib.contextmanager
def _stores() -> Iterator[Iterator[tuple[str, Callable[[], ChatState]]]]:
    with tempfile.TemporaryDirectory() as folder:
        def stores() -> Iterator[tuple[str, Callable[[], ChatState]]]:
            yield "memory", MemoryState
            yield "SQLite file", lambda: SqlState(Store.open(f"sqlite:///{Path(folder) / 's.sqlite3'}").engine)
            if server_binaries() is not None:
                with running_postgres() as url:
                    yield "PostgreSQL", lambda: SqlState.beside(Store.open(url).engine)
        yield stores()


def measure(chat: Chat, count: int) -> tuple[float, float, float, float]:
    """Commands, then a Next press on each answer: (command p50, p99, press p50, p99) in ms."""
    place = Place("bench", "C1")
    users = [Actor(f"U{n}") for n in range(50)]
    for n in range(50):  # warm up: caches, connections
        chat.ask(KEYWORDS[n % len(KEYWORDS)], users[n % 50], place)
    tokens: list[str] = []

    def command(n: int) -> None:
        tokens.append(chat.ask(KEYWORDS[n % len(KEYWORDS)], users[n % 50], place).token)  # type: ignore[union-attr]

    commands = _timed(command, count)
    presses = _timed(lambda n: chat.press(tokens[n], "next", users[n % 50], place), count)
    return (*_percentiles(commands), *_percentiles(presses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    library = bot.load_library()
    rows = []
    with _stores() as stores:
        for name, make in stores:
            chat = Chat(library, cooldown=Cooldown(10**8, 60), state=make())  # counted, never refused
            rows.append((name, *measure(chat, args.count)))
    print(f"| {args.count:,} each, one at a time | command p50 ms | p99 ms | Next press p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- |")
    for name, c50, c99, p50, p99 in rows:
        print(f"| {name} | {c50:.2f} | {c99:.2f} | {p50:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
