"""Two real bot processes on one PostgreSQL and the fake Slack behave as one bot.

What a load balancer in front of Slack's HTTP mode does: consecutive requests of one user land
on different replicas, and a replica restarts between a command and its click.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from .conftest import ROOT
from .fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, signed_headers
from .postgres import running_postgres, server_binaries

pytestmark = pytest.mark.skipif(server_binaries() is None,
                                reason="NO POSTGRESQL SERVER BINARIES: install Debian's postgresql (CI does)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica:
    """`python -m bot run` serving Slack's HTTP mode on a port of its own, against the shared database."""

    def __init__(self, fake: FakeSlack, database: str, cache: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self.env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": fake.api_url, "SLACK_HTTP_PORT": str(self.port), "HEALTH_PORT": "0",
                    "DATABASE_URL": database, "QUOTE_COOLDOWN": "3/60", "QUOTES_CACHE_DIR": str(cache)}
        self.env.pop("SLACK_APP_TOKEN", None)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", "--only", "slack",
                                                            cwd=ROOT, env=self.env, stderr=asyncio.subprocess.PIPE)
        for _ in range(300):  # up to 30 s to listen
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the replica never listened")

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.communicate(), 30)


@contextlib.asynccontextmanager
async def two_replicas(tmp_path: Path) -> AsyncIterator[tuple[FakeSlack, Replica, Replica]]:
    fake = FakeSlack()
    await fake.start()
    with running_postgres() as database:
        replicas = [Replica(fake, database, tmp_path / "cache") for _ in range(2)]
        try:
            for replica in replicas:  # one after the other: the first runs the migrations
                await replica.start()
            yield fake, replicas[0], replicas[1]
        finally:
            for replica in replicas:
                await replica.stop()
            await fake.stop()


async def command(fake: FakeSlack, replica: Replica, text: str, user: str = "U0ALICE") -> dict:
    status, body = await FakeSlack.post(replica.url, fake.slash_command(text, user=user))
    assert status == 200, body
    return json.loads(body) if body.startswith("{") else {"text": body}


async def press(fake: FakeSlack, replica: Replica, button: str, token: str, user: str = "U0ALICE") -> int:
    payload = fake.action(f"quote_{button}", token, user=user)
    status, _ = await FakeSlack.post(replica.url, {"payload": json.dumps(payload)})
    return status


def token_of(reply: dict) -> str:
    return next(b for b in reply["blocks"] if b["type"] == "actions")["elements"][0]["value"]


async def answers(fake: FakeSlack, count: int) -> list[dict]:
    def found() -> list[dict] | None:
        replies = [c.body for c in fake.calls if c.method == "response_url"]
        return replies if len(replies) >= count else None

    return await fake._until(found, 15)


async def test_two_processes_on_one_postgresql_are_one_bot(tmp_path: Path) -> None:
    async with asyncio.timeout(120), two_replicas(tmp_path) as (fake, a, b):
        preview = await command(fake, a, "random speaker:林莱尼")
        token = token_of(preview)
        assert await press(fake, b, "another", token) == 200  # the click lands on the other replica
        shuffled = (await answers(fake, 1))[0]
        assert shuffled["replace_original"] is True
        fresh = token_of(shuffled)
        # Send pressed on both replicas at once: one post.
        assert await asyncio.gather(press(fake, a, "send", fresh), press(fake, b, "send", fresh)) == [200, 200]
        replies = await answers(fake, 3)
        assert sum(1 for r in replies[1:] if r.get("text") == "Already sent.") == 1
        assert [c.method for c in fake.calls].count("chat.postMessage") == 1
        # The cooldown (3 a minute) is one for both: the command on A and Another on B used two.
        assert "blocks" in await command(fake, b, "算力")
        assert (await command(fake, a, "算力"))["text"].startswith("Slow down a little")
        # A signed request served by A is a replay for B.
        body = urllib.parse.urlencode(fake.slash_command("奇瑞", user="U0BOB")).encode()
        headers = signed_headers(body)
        async with aiohttp.ClientSession() as http:
            statuses = []
            for replica in (a, b):
                async with http.post(replica.url, data=body, headers=headers) as answer:
                    statuses.append(answer.status)
        assert statuses == [200, 401]
        # A restart between a command and its click: the click still works.
        later = token_of(await command(fake, a, "大模型", user="U0BOB"))
        await a.stop()
        await a.start()
        assert await press(fake, a, "next", later, user="U0BOB") == 200
        paged = (await answers(fake, 4))[3]
        assert paged.get("replace_original") is True and "2 of 5" in json.dumps(paged, ensure_ascii=False), paged
