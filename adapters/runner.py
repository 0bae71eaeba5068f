"""Running the chat front ends side by side: the health endpoint, and stopping on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.errors import DataError, QuoteBotError
from bot.health import Health
from bot.library import Library
from bot.panels.cache import data_path, fingerprint, load_library
from bot.terminal.cli import Adapter

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10


async def watch_panels(library: Library, path: Path, reload_now: asyncio.Event, every: float) -> None:
    """Reload the panels when their files change or on SIGHUP; a broken file keeps the old ones."""
    seen = fingerprint(path)
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reload_now.wait(), every)
        forced, current = reload_now.is_set(), fingerprint(path)
        reload_now.clear()
        if not forced and current == seen:
            continue
        seen = current
        try:
            newer = await asyncio.to_thread(load_library, path)
        except DataError as error:
            for problem in error.problems:
                logger.error("not reloaded, still serving the previous panels: %s", problem)
            continue
        library.refresh(newer)
        logger.info("reloaded %d quotes from %s", len(library.quotes), path)


def serve_all(library: Library, adapters: list[Adapter], data: str | None = None) -> int:
    """Run every configured chat adapter, and the health endpoint, until one stops or SIGTERM.

    On SIGTERM (docker stop) the adapters are cancelled, which closes their connections, and
    given 10 s to finish what they are doing.
    """
    health = Health()

    async def all_of() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        reload_now = asyncio.Event()
        loop.add_signal_handler(signal.SIGHUP, reload_now.set)
        every = float(os.environ.get("QUOTES_RELOAD_SECONDS", "5") or 5)
        watcher = asyncio.create_task(watch_panels(library, data_path(data), reload_now, every))
        tasks: list[asyncio.Task[Any]] = [asyncio.create_task(start(library, health), name=name)
                                          for name, start in adapters]
        for name, _ in adapters:
            logger.info("starting the %s bot", name)
        endpoint = await _health_endpoint(health)
        stopping: asyncio.Task[Any] = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait([*tasks, stopping], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
            if late:
                logger.warning("%d bot(s) did not stop within %d s", len(late), SHUTDOWN_SECONDS)
            for task in done - {stopping}:
                task.result()  # a bot that stopped by itself: re-raise why
        finally:
            stopping.cancel()
            watcher.cancel()
            if endpoint is not None:
                await endpoint.cleanup()
        logger.info("stopped")

    asyncio.run(all_of())
    return 0


async def _health_endpoint(health: Any) -> Any:
    """/healthz on HEALTH_HOST:HEALTH_PORT (default 127.0.0.1:8080); HEALTH_PORT=0 turns it off."""
    port = os.environ.get("HEALTH_PORT", "8080")
    if port == "0":
        return None
    if not port.isdigit():
        raise QuoteBotError(f"HEALTH_PORT={port!r}: expected a port number, or 0 for no health endpoint")
    async def healthz(_request: web.Request) -> web.Response:
        healthy, report = health.report()
        return web.json_response(report, status=200 if healthy else 503)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    host = os.environ.get("HEALTH_HOST", "127.0.0.1")
    try:
        await web.TCPSite(runner, host, int(port)).start()
    except OSError as error:
        await runner.cleanup()
        raise QuoteBotError(f"cannot serve /healthz on HEALTH_HOST={host} HEALTH_PORT={port}: {error.strerror}") from None
    return runner


