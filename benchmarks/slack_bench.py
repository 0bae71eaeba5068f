"""Slack round trip: signed slash command -> the app's ack, in HTTP mode and in Socket Mode.

    python -m benchmarks.slack_bench [--count 1000]

The real slack-bolt app runs against `tests/fakes/slack.py` on 127.0.0.1, in the same process
and event loop as the fake. HTTP mode: a signed form POST to the app's aiohttp server, timed to
the response. Socket Mode: an envelope over the websocket, timed to the ack that carries the
preview blocks.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import urllib.parse

import aiohttp

import bot
from tests.fakes.harness import slack_session
from tests.fakes.slack import signed_headers

QUERIES = ["算力", "大模型 speaker:陈石", "topic:同质化", "数智人", "random", "开源 数据集", "suanli", "奇瑞"]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99) - 1] * 1e3


async def http_mode(count: int) -> tuple[float, float]:
    async with slack_session(bot.load_library()) as session, aiohttp.ClientSession() as client:
        samples = []
        for n in range(count + 20):
            body = urllib.parse.urlencode(session.fake.slash_command(QUERIES[n % len(QUERIES)])).encode()
            started = time.perf_counter()
            async with client.post(session.url, data=body, headers=signed_headers(body)) as response:
                await response.read()
                assert response.status == 200
            if n >= 20:  # the first ones warm up
                samples.append(time.perf_counter() - started)
        return _percentiles(samples)


async def socket_mode(count: int) -> tuple[float, float]:
    async with slack_session(bot.load_library(), socket_mode=True) as session:
        samples = []
        for n in range(count + 20):
            payload = session.fake.slash_command(QUERIES[n % len(QUERIES)])
            started = time.perf_counter()
            await session.fake.envelope("slash_commands", payload)
            if n >= 20:
                samples.append(time.perf_counter() - started)
        return _percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    print(f"| {args.count:,} slash commands, one at a time | p50 ms | p99 ms | target p99 |")
    print("| --- | --- | --- | --- |")
    for name, measure in (("HTTP mode (signed request -> ack)", http_mode), ("Socket Mode (envelope -> ack)", socket_mode)):
        p50, p99 = asyncio.run(measure(args.count))
        print(f"| {name} | {p50:.2f} | {p99:.2f} | 20 ms |")


if __name__ == "__main__":
    main()
