"""Running the chat front ends side by side: reloading the panels, /healthz, stopping on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http.server
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import DataError, QuoteBotError
from .health import Health
from .library import Library
from .panels.cache import data_path, fingerprint, load_library, open_library
from .panels.indexer import Indexer
from .platforms import Serve
from .settings import Settings

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10
_SWITCH_SECONDS = 0.0005
_LOGGED_PROBLEMS = 20  # a reload logs this many of a broken library's problems, then a count


async def watch_panels(library: Library, path: Path, reload_now: asyncio.Event, every: float,
                       health: Health | None = None, indexer: Indexer | None = None) -> None:
    """Reload the panels when their files change (told by the file system at once where it
    can, and looked at every `every` seconds; 0 for neither) or on SIGHUP. `indexer`, when
    given, builds the new library in its own process, so this one only opens it.

    Whatever a reload meets, a broken file or a bug, the panels before it keep serving, the
    reason is logged and shown on /healthz, and the next change is tried again: the watcher
    itself never stops."""
    seen = await asyncio.to_thread(fingerprint, path)  # thousands of files: off the loop
    changed = asyncio.Event()
    helpers = [asyncio.create_task(_notice_changes(path, changed))] if every else []
    if indexer is not None and every:
        helpers.append(asyncio.create_task(indexer.warm(path)))
    try:
        while True:
            await _first_of(reload_now, changed, every)
            forced, current = reload_now.is_set(), await asyncio.to_thread(fingerprint, path)
            reload_now.clear()
            changed.clear()
            if not forced and current == seen:
                continue
            seen = current
            try:
                newer = await _reloaded(path, indexer)
            except DataError as error:
                for problem in error.problems[:_LOGGED_PROBLEMS]:
                    logger.error("not reloaded, still serving the previous panels: %s", problem)
                if len(error.problems) > _LOGGED_PROBLEMS:
                    logger.error("... and %d more problems: python -m bot validate lists them all",
                                 len(error.problems) - _LOGGED_PROBLEMS)
                _mark_stale(health, str(error.problems[0]) if error.problems else "a problem in the data")
                continue
            except Exception as error:  # a bug met on some file: keep serving, say so, keep watching
                logger.exception("not reloaded, still serving the previous panels")
                _mark_stale(health, f"{type(error).__name__}: {str(error)[:200]}")
                continue
            library.refresh(newer)
            _mark_stale(health, None)
            logger.info("reloaded %d quotes from %s", len(library.quotes), path)
    finally:
        for helper in helpers:
            helper.cancel()


async def _first_of(forced: asyncio.Event, changed: asyncio.Event, every: float) -> None:
    """Wait for a SIGHUP, a change the file system told of, or `every` seconds (0: forever)."""
    waits = [asyncio.create_task(forced.wait()), asyncio.create_task(changed.wait())]
    try:
        await asyncio.wait(waits, timeout=every or None, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def _reloaded(path: Path, indexer: Indexer | None) -> Library:
    """The new library, built (by `indexer` when there is one) and made ready off the loop."""
    if indexer is None:
        return await _beside_the_loop(load_library, path)
    try:
        file = await indexer.build(path)
    except (RuntimeError, OSError) as error:  # the worker died, or cannot write the cache: build here
        logger.warning("%s; reloading in this process", error)
        return await _beside_the_loop(load_library, path)
    return await _beside_the_loop(open_library, file)


async def _beside_the_loop(load: Callable[[Path], Library], path: Path) -> Library:
    """`load` in a thread, the new library made ready there. Meanwhile the interpreter passes
    between threads every half millisecond, not every five: each read of a quote's text lets
    the loading thread run, and at five milliseconds a turn a search of twenty reads would
    wait a tenth of a second."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_SECONDS))
    try:
        return await asyncio.to_thread(_ready, load, path)
    finally:
        sys.setswitchinterval(interval)


def _ready(load: Callable[[Path], Library], path: Path) -> Library:
    if load is open_library:
        with _settled():
            library = load(path)
            library.warm()
        return library
    library = load(path)  # a whole build, in this process: the collector runs as usual meanwhile
    with _settled():
        library.warm()
    return library


@contextlib.contextmanager
def _settled() -> Iterator[None]:
    """No cyclic garbage collection while a library is made ready, and its objects (and all
    others there are then) left out of every later one. A full collection walks every object
    the process holds, holding the interpreter throughout: 20 to 35 ms at 100,000 quotes, a
    pause in answering, and a reload's new objects set one off. The libraries hold no cycles
    (tests/test_cache.py drops one and finds no cyclic garbage), so a replaced one is still freed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


async def _notice_changes(path: Path, changed: asyncio.Event) -> None:
    """Set `changed` whenever the file system says something under `path` changed: a saved
    panel is searchable within a second, without looking at thousands of files a second."""
    try:
        import watchfiles

        async for _ in watchfiles.awatch(path, debounce=50, step=20, recursive=True):
            changed.set()
    except asyncio.CancelledError:
        raise
    except Exception as error:  # no inotify here (a network file system): the periodic look remains
        logger.info("not told of changes under %s (%s): looking at the files every few seconds instead", path, error)


def _mark_stale(health: Health | None, reason: str | None) -> None:
    if health is not None:
        health.stale_panels = reason


def serve_all(library: Library, adapters: list[tuple[str, Serve]], data: str | None = None,
              settings: Settings | None = None) -> int:
    """Run every configured chat adapter, and the health endpoint, until one stops or SIGTERM.

    On SIGTERM (docker stop) the adapters are cancelled, which closes their connections, and
    given 10 s to finish what they are doing.
    """
    health = Health()
    settings = settings or Settings.from_env()

    async def all_of() -> None:
        with _settled():  # the library loaded at start: no collection walks it again
            library.warm()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        reload_now = asyncio.Event()
        loop.add_signal_handler(signal.SIGHUP, reload_now.set)
        indexer = Indexer()
        watcher = asyncio.create_task(watch_panels(library, data_path(data), reload_now, settings.reload_seconds,
                                                   health, indexer))
        tasks: list[asyncio.Task[Any]] = [asyncio.create_task(start(library, health), name=name)
                                          for name, start in adapters]
        for name, _ in adapters:
            logger.info("starting the %s bot", name)
        endpoint = _health_endpoint(health, settings)
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
            indexer.close()
            if endpoint is not None:
                endpoint.shutdown()
                endpoint.server_close()
        logger.info("stopped")

    asyncio.run(all_of())
    return 0


class _HealthRequests(http.server.BaseHTTPRequestHandler):
    health: Health

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/healthz":
            self.send_error(404)
            return
        healthy, report = self.health.report()
        body = json.dumps(report).encode()
        self.send_response(200 if healthy else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Probes every few seconds would flood the log: keep quiet."""


def _health_endpoint(health: Health, settings: Settings) -> http.server.ThreadingHTTPServer | None:
    """/healthz on HEALTH_HOST:HEALTH_PORT (default 127.0.0.1:8080), served from a thread of its
    own so a busy event loop cannot fail the probe; HEALTH_PORT=0 turns it off."""
    if settings.health_port == 0:
        return None
    host, port = settings.health_host, settings.health_port
    handler = type("Handler", (_HealthRequests,), {"health": health})
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise QuoteBotError(f"cannot serve /healthz on HEALTH_HOST={host} HEALTH_PORT={port}: {error.strerror}") from None
    threading.Thread(target=server.serve_forever, name="healthz", daemon=True).start()
    return server
