"""Discord round trip: interaction sent by the fake Discord -> callback received by it.

    python -m benchmarks.discord_bench [--count 1000]

The real discord.py client runs against `tests/fakes/discord.py` on 127.0.0.1, in the same
process and event loop as the fake, so the figure includes both sides' work: JSON over a local
websocket, the client's dispatch, the library search, the embed, and the HTTP callback.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time

import bot
from tests.fakes.harness import discord_session

KEYWORDS = ["算力", "大模型", "数智人", "奇瑞", "开源 数据集", "创业 机会", "GPT4", "应用层", "suanli", "柳叶熙"]
TYPED = ["chen", "陈", "峰瑞", "ma", "林", "zhu", "量子位", ""]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99) - 1] * 1e3


async def measure(count: int) -> dict[str, tuple[float, float]]:
    results: dict[str, tuple[float, float]] = {}
    async with discord_session(bot.load_library()) as (fake, _client):
        for kind, send in (
            ("/quote command", lambda n: fake.command("quote", {"keyword": KEYWORDS[n % len(KEYWORDS)]})),
            ("speaker autocomplete", lambda n: fake.autocomplete("quote", "speaker", TYPED[n % len(TYPED)])),
        ):
            for n in range(20):  # warm up
                await fake.callback_for(await send(n))
            samples = []
            for n in itertools.islice(itertools.count(), count):
                interaction = await send(n)
                callback = await fake.callback_for(interaction)
                samples.append(callback.at - fake.sent_at[str(interaction)])
            results[kind] = _percentiles(samples)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    started = time.perf_counter()
    results = asyncio.run(measure(args.count))
    print(f"| {args.count:,} each, one at a time | p50 ms | p99 ms | target p99 |")
    print("| --- | --- | --- | --- |")
    for (kind, (p50, p99)), target in zip(results.items(), ("10 ms", "5 ms")):
        print(f"| {kind} | {p50:.2f} | {p99:.2f} | {target} |")
    print(f"\n({time.perf_counter() - started:.1f} s in all)")


if __name__ == "__main__":
    main()
