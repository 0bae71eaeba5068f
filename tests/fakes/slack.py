"""A small Slack on 127.0.0.1: the Web API methods the app calls, a response_url sink, a Socket
Mode websocket, and a sender that signs HTTP requests exactly as Slack does.

Everything received is recorded; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web

from .limits import PerSecond
from .loopback import serve_on_loopback, unanswered

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
TEAM, CHANNEL, USER, OTHER_USER, BOT_USER = "T0TEAM", "C0GENERAL", "U0ALICE", "U0BOB", "U0QUOTEBOT"
WAIT = 5.0


@dataclass
class Call:
    method: str  # a Web API method such as chat.postMessage, or "response_url"
    body: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)


def signed_headers(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    """The headers Slack adds to an HTTP request: v0= HMAC-SHA256 of v0:{timestamp}:{raw body}."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature, "Content-Type": content_type}


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # envelope id -> what the app acked
    errors: dict[str, str] = field(default_factory=dict)  # Web API method -> error to answer once
    rate_limit_next: int = 0  # answer this many calls with 429 and Retry-After: 3
    deleted_channels: set[str] = field(default_factory=set)  # posting there: channel_not_found
    per_second: float | None = None  # a rate limit on chat.postMessage, as Slack has one
    locales: dict[str, str] = field(default_factory=dict)  # user -> what users.info says (default en-US)
    post_latency: float = 0.0  # seconds chat.postMessage takes to answer
    drop_posts: int = 0  # make this many messages, then drop the connection unanswered
    drop_uploads: int = 0  # share this many uploads (files.completeUploadExternal), then drop the connection
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages, newest first
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id -> what files_upload_v2 sent, step by step
    _limit: PerSecond = field(default_factory=PerSecond)
    port: int = 0
    _runner: web.AppRunner | None = None
    _socket: web.WebSocketResponse | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response/{next(self._ids)}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response)
        app.router.add_post("/upload/{id}", self._upload)
        app.router.add_get("/socket", self._websocket)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _until(self, found: Any, timeout: float) -> Any:
        async def wait() -> Any:
            async with self._changed:
                while (result := found()) is None:
                    await self._changed.wait()
                return result
        return await asyncio.wait_for(wait(), timeout)

    async def call(self, method: str, timeout: float = WAIT, after: int = 0) -> Call:
        """The first call of `method` recorded at index `after` or later."""
        return await self._until(lambda: next((c for c in self.calls[after:] if c.method == method), None), timeout)

    # -- Web API ---------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.method == "GET":
            body: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            body = await request.json()
        else:
            body = {**request.query, **{k: v for k, v in (await request.post()).items()}}
        self.calls.append(Call(method, body))
        await self._notify()
        if self.rate_limit_next or self._over_rate():
            self.rate_limit_next = max(0, self.rate_limit_next - 1)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "3" if self.per_second is None else "1"})
        if error := self.errors.pop(method, None):
            return web.json_response({"ok": False, "error": error})
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://fake.slack/", "team": "Fake", "user": "quotebot",
                                      "team_id": TEAM, "user_id": BOT_USER, "bot_id": "B0QUOTEBOT"})
        if method == "users.info":
            user = body.get("user")
            profile = {"id": user, "is_admin": user == USER, "is_owner": False}
            if str(body.get("include_locale", "")).lower() in ("true", "1"):
                profile["locale"] = self.locales.get(str(user), "en-US")
            return web.json_response({"ok": True, "user": profile})
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})
        if method == "chat.postMessage" and body.get("channel") in self.deleted_channels:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        if method == "conversations.history":  # newest first, from `oldest` on, a page at a time
            after = float(body.get("oldest") or 0)
            every = [m for m in self.messages.get(str(body.get("channel")), []) if float(m["ts"]) > after]
            start, limit = int(body.get("cursor") or 0), int(body.get("limit") or 100)
            page, more = every[start:start + limit], start + limit < len(every)
            with_metadata = str(body.get("include_all_metadata", "")).lower() in ("true", "1")
            return web.json_response({"ok": True, "has_more": more,
                                      "response_metadata": {"next_cursor": str(start + limit) if more else ""},
                                      "messages": [{k: v for k, v in m.items() if k != "metadata" or with_metadata}
                                                   for m in page]})
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            metadata = body.get("metadata")
            self.messages.setdefault(str(body.get("channel")), []).insert(0, {
                "type": "message", "ts": ts, "text": body.get("text"),
                **({"metadata": json.loads(metadata) if isinstance(metadata, str) else metadata} if metadata else {})})
            if self.drop_posts:
                self.drop_posts -= 1
                return unanswered(request)  # the message exists; its answer never arrives
            if self.post_latency:
                await asyncio.sleep(self.post_latency)  # bounded: a test sets a fraction of a second
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": ts, "message_ts": ts})
        if method == "files.getUploadURLExternal":  # files_upload_v2, step 1 of 3
            file_id = f"F{next(self._ids):08d}"
            self.files[file_id] = {"filename": body.get("filename"), "length": int(body.get("length") or 0),
                                   "alt_txt": body.get("alt_txt")}
            return web.json_response({"ok": True, "file_id": file_id,
                                      "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"})
        if method == "files.completeUploadExternal":  # step 3: share what was uploaded in step 2
            shared = self._complete_upload(body)
            if self.drop_uploads and str(body.get("channel_id")) not in self.deleted_channels:
                self.drop_uploads -= 1
                return unanswered(request)  # the file is in the channel; the answer never arrives
            return shared
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}",
                                      "message_ts": f"{time.time():.6f}"})
        return web.json_response({"ok": False, "error": "unknown_method"})

    def _complete_upload(self, body: dict[str, Any]) -> web.Response:
        channel = str(body.get("channel_id") or "")
        if channel in self.deleted_channels:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        shared = []
        for item in json.loads(body.get("files") or "[]"):
            upload = self.files.get(item.get("id"), {})
            if "data" not in upload or len(upload["data"]) != upload["length"]:
                return web.json_response({"ok": False, "error": "file_upload_incomplete"})
            upload.update(title=item.get("title"), channel=channel, initial_comment=body.get("initial_comment"))
            shared.append({"id": item["id"], "name": upload["filename"], "title": item.get("title")})
        if channel:  # the files appear in the channel as a message of their own
            self.messages.setdefault(channel, []).insert(0, {"type": "message", "ts": f"{time.time():.6f}",
                                                             "text": body.get("initial_comment") or "", "files": shared})
        return web.json_response({"ok": True, "files": shared})

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["id"]
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id, "length": len(data)}))
        if file_id not in self.files:
            return web.Response(status=404, text="unknown upload")
        self.files[file_id]["data"] = data
        await self._notify()
        return web.Response(text=f"OK - {len(data)}")

    def _over_rate(self) -> bool:
        self._limit.limit = self.per_second
        return self._limit.exceeded()

    async def _response(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        await self._notify()
        return web.Response(text="ok")

    # -- HTTP mode: what Slack sends the app ----------------------------------------------------

    def slash_command(self, text: str, *, user: str = USER) -> dict[str, str]:
        return {"token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": CHANNEL,
                "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/quote",
                # Slack escapes &, < and > in what the user typed (and turns mentions into <@U...>)
                "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                "api_app_id": "A0QUOTES", "response_url": self.response_url(), "trigger_id": "1.2.3"}

    def action(self, action_id: str, value: str, *, user: str = USER) -> dict[str, Any]:
        return {"type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                "api_app_id": "A0QUOTES", "token": "legacy", "trigger_id": "1.2.3", "team": {"id": TEAM, "domain": "fake"},
                "container": {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL, "is_ephemeral": True},
                "channel": {"id": CHANNEL, "name": "general"}, "response_url": self.response_url(),
                "actions": [{"action_id": action_id, "block_id": "quote_actions", "value": value, "type": "button",
                             "action_ts": "1.0"}], "state": {"values": {}}}

    @staticmethod
    async def post(url: str, form: dict[str, str], **signing: Any) -> tuple[int, str]:
        """POST a form to the app as Slack does, signed (or signed wrongly, through `signing`)."""
        body = urllib.parse.urlencode(form).encode()
        return await FakeSlack.send(url, body, signed_headers(body, **signing))

    @staticmethod
    async def send(url: str, body: bytes, headers: dict[str, str],
                   session: aiohttp.ClientSession | None = None) -> tuple[int, str]:
        """POST exactly these bytes and headers to the app (in `session`, when one is given)."""
        if session is None:
            async with aiohttp.ClientSession() as own:
                return await FakeSlack.send(url, body, headers, own)
        async with session.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=WAIT)) as r:
            return r.status, await r.text()

    # -- Socket Mode -----------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                          "debug_info": {"host": "fake", "approximate_connection_time": 3600}}))
        await self._notify()
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                break
            ack = json.loads(message.data)
            self.acks[ack["envelope_id"]] = ack
            await self._notify()
        return socket

    async def connected(self, timeout: float = WAIT) -> None:
        await self._until(lambda: self._socket, timeout)

    async def envelope(self, kind: str, payload: dict[str, Any], timeout: float = WAIT) -> dict[str, Any]:
        """Send an envelope over Socket Mode and return the app's ack of it."""
        assert self._socket is not None, "no Socket Mode connection"
        envelope_id = f"envelope-{next(self._ids)}"
        await self._socket.send_str(json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                                "accepts_response_payload": kind != "events_api"}))
        return await self._until(lambda: self.acks.get(envelope_id), timeout)
