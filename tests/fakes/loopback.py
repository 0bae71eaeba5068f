"""Serving an aiohttp application on 127.0.0.1 at a free port: what every fake and test app needs."""

from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start `app` on 127.0.0.1 on a port the system picks; return its runner and the port."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


def unanswered(request: web.Request) -> web.Response:
    """Drop the connection without an answer: what a lost answer looks like to the client."""
    if request.transport is not None:
        request.transport.close()
    return web.Response()  # never sent
