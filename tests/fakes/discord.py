"""A small Discord on 127.0.0.1: the REST routes and gateway websocket discord.py needs.

It records every REST request and every gateway message, answers IDENTIFY with READY and
GUILD_CREATE, acknowledges heartbeats, accepts RESUME, and lets a test push interactions and
drop the connection. Everything is bounded: nothing here waits without a timeout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.parser
import email.policy
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .limits import PerSecond
from .loopback import serve_on_loopback, unanswered

APPLICATION_ID = 900000000000000001
BOT_USER = {"id": str(APPLICATION_ID), "username": "panel-quotes", "discriminator": "0", "global_name": None,
            "avatar": None, "bot": True}
GUILD_ID = 800000000000000001
CHANNEL_ID = 700000000000000001
USER = {"id": "600000000000000001", "username": "alice", "discriminator": "0", "global_name": "Alice", "avatar": None}
OTHER_USER = {"id": "600000000000000002", "username": "bob", "discriminator": "0", "global_name": "Bob", "avatar": None}
WAIT = 5.0  # seconds any wait in the fake may take before the test fails


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py insists on exactly this content type; json_response would add a charset.
    return web.Response(body=json.dumps(data), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float = field(default_factory=time.perf_counter)  # when it arrived
    files: list[Attachment] = field(default_factory=list)  # what a multipart request attached


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, as multipart/form-data carries it (`files[n]`), with the alt text
    (`description`) its `attachments` entry in payload_json gives it."""

    field: str
    filename: str
    content_type: str
    data: bytes
    description: str | None = None


def multipart(content_type: str, raw: bytes) -> tuple[Any, list[Attachment]]:
    """payload_json and the files of a multipart/form-data body, as Discord reads them."""
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    body: Any = None
    files = []
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "payload_json":
            body = json.loads(data)
        else:
            files.append(Attachment(str(name), part.get_filename() or "", part.get_content_type(), data))
    described = {str(a.get("id")): a.get("description") for a in ((body or {}).get("data") or body or {}).get("attachments") or []}
    files = [dataclasses.replace(f, description=described.get(f.field.removeprefix("files[").rstrip("]"))) for f in files]
    return body, files


@dataclass
class FakeDiscord:
    """Start with `await fake.start()`; point discord.py at `api_url` and `gateway_url`."""

    requests: list[Recorded] = field(default_factory=list)
    gateway_received: list[dict[str, Any]] = field(default_factory=list)
    identifies: int = 0
    resumes: int = 0
    rate_limit_next: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(500000000000000001))
    shard_count: int = 1
    recommended_shards: int = 2  # what GET /gateway/bot answers
    max_concurrency: int = 16  # and its buckets of shards that may identify together
    identified_at: dict[int, float] = field(default_factory=dict)  # each shard's last IDENTIFY, loop time
    _sockets: dict[int, web.WebSocketResponse] = field(default_factory=dict)
    _sequence: int = 0
    _callbacks: dict[str, Recorded] = field(default_factory=dict)
    _callback_waiters: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    port: int = 0
    token: str = "test-token"  # the one token this Discord accepts
    deleted_channels: set[str] = field(default_factory=set)  # posting there: 404 Unknown Channel
    refuse_messages: int = 0  # answer this many channel messages with 400 Invalid Form Body
    drop_messages: int = 0  # make this many channel messages, then drop the connection unanswered
    message_delay: float = 0.0  # seconds before answering a channel message (after making it)
    made: list[dict[str, Any]] = field(default_factory=list)  # every channel message made
    _nonces: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    messages_per_second: float | None = None  # a global limit on channel messages, as Discord has one
    _limit: PerSecond = field(default_factory=PerSecond)
    sent_at: dict[str, float] = field(default_factory=dict)  # interaction id -> when it was dispatched

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner, self.port = await serve_on_loopback(app)

    async def stop(self) -> None:
        await self.drop_connection(code=1000)
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what a test waits for -------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Any, timeout: float = WAIT) -> Any:
        """The first recorded request matching `predicate`, waiting up to `timeout` seconds."""
        async def found() -> Any:
            async with self._changed:
                while True:
                    for request in self.requests:
                        if predicate(request):
                            return request
                    await self._changed.wait()
        return await asyncio.wait_for(found(), timeout)

    async def callback_for(self, interaction_id: int, timeout: float = WAIT) -> Recorded:
        """The callback the client sent for an interaction, waiting up to `timeout` seconds."""
        key = str(interaction_id)
        if key not in self._callbacks:
            self._callback_waiters[key] = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(asyncio.shield(self._callback_waiters[key]), timeout)
            finally:
                self._callback_waiters.pop(key, None)
        return self._callbacks[key]

    async def ready(self, timeout: float = WAIT, shards: int = 1) -> None:
        """Wait until `shards` clients have identified and the test guild's shard is connected."""
        async def connected() -> None:
            async with self._changed:
                while self.identifies < shards or self.shard_of_guild() not in self._sockets:
                    await self._changed.wait()
        await asyncio.wait_for(connected(), timeout)

    # -- gateway ------------------------------------------------------------------------------

    async def _send(self, socket: web.WebSocketResponse, op: int, data: Any, event: str | None = None) -> None:
        message: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
        if op == 0:
            self._sequence += 1
            message["s"] = self._sequence
        await socket.send_str(json.dumps(message))

    def shard_of_guild(self) -> int:
        return (GUILD_ID >> 22) % self.shard_count

    async def dispatch(self, event: str, data: Any, shard: int | None = None) -> None:
        """Send a gateway event on the shard that owns the test guild (or on `shard`)."""
        socket = self._sockets.get(self.shard_of_guild() if shard is None else shard)
        if socket is None:
            raise AssertionError(f"no client connected for shard {shard}")
        await self._send(socket, 0, data, event)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close every gateway socket as Discord does when it wants clients to resume."""
        sockets, self._sockets = list(self._sockets.values()), {}
        for socket in sockets:
            await socket.close(code=code)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await self._send(socket, 10, {"heartbeat_interval": 41250})
        shard = 0
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                break
            payload = json.loads(message.data)
            self.gateway_received.append(payload)
            op = payload["op"]
            if op == 1:
                await self._send(socket, 11, None)
            elif op == 2:
                shard, count = (payload["d"].get("shard") or [0, 1])
                self.shard_count = count
                self._sockets[shard] = socket
                self.identifies += 1
                self.identified_at[shard] = asyncio.get_running_loop().time()
                await self._ready(socket, shard, count)
            elif op == 6:
                shard = int(payload["d"]["session_id"].rsplit("-", 1)[1])
                self._sockets[shard] = socket
                self.resumes += 1
                await self._send(socket, 0, {}, "RESUMED")
            await self._notify()
        if self._sockets.get(shard) is socket:
            del self._sockets[shard]
        return socket

    async def _ready(self, socket: web.WebSocketResponse, shard: int, count: int) -> None:
        owns_guild = shard == (GUILD_ID >> 22) % count
        await self._send(socket, 0, {
            "v": 10, "user": BOT_USER, "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if owns_guild else [],
            "session_id": f"fake-session-{shard}", "resume_gateway_url": self.gateway_url, "shard": [shard, count],
            "application": {"id": str(APPLICATION_ID), "flags": 0}, "private_channels": [],
        }, "READY")
        if not owns_guild:
            return
        await self._send(socket, 0, {
            "id": str(GUILD_ID), "name": "Test guild", "icon": None, "owner_id": USER["id"], "member_count": 2,
            "roles": [{"id": str(GUILD_ID), "name": "@everyone", "permissions": "2248473465835073", "position": 0,
                       "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}],
            "channels": [{"id": str(CHANNEL_ID), "type": 0, "name": "general", "position": 0,
                          "permission_overwrites": [], "guild_id": str(GUILD_ID)}],
            "members": [], "presences": [], "voice_states": [], "threads": [], "emojis": [], "stickers": [],
            "features": [], "large": False, "unavailable": False, "verification_level": 0, "mfa_level": 0,
            "premium_tier": 0, "preferred_locale": "zh-CN", "nsfw_level": 0, "system_channel_flags": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "afk_timeout": 300,
        }, "GUILD_CREATE")

    # -- REST -----------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        files: list[Attachment] = []
        if request.content_type == "multipart/form-data":
            body, files = multipart(request.headers["Content-Type"], raw)
        else:
            body = json.loads(raw) if raw and request.content_type == "application/json" else raw.decode() or None
        self.requests.append(Recorded(request.method, path, dict(request.query), body, files=files))
        await self._notify()
        if self.rate_limit_next or self._over_rate(path):
            self.rate_limit_next = max(0, self.rate_limit_next - 1)
            # Discord's own 429s come through its proxy; discord.py takes one without Via for a ban.
            return _json({"message": "You are being rate limited.", "retry_after": 0.05, "global": False}, 429,
                         {"Retry-After": "0.05", "X-RateLimit-Scope": "user", "Via": "1.1 google"})
        if path == "/gateway/bot":
            return _json({"url": self.gateway_url, "shards": self.recommended_shards,
                          "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                                  "max_concurrency": self.max_concurrency}})
        if path == "/users/@me":
            if request.headers.get("Authorization") != f"Bot {self.token}":
                return _json({"message": "401: Unauthorized", "code": 0}, 401)
            return _json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _json({"id": str(APPLICATION_ID), "name": "panel-quotes", "description": "", "icon": None,
                          "bot_public": True, "bot_require_code_grant": False, "owner": USER, "verify_key": "0",
                          "flags": 0})
        if request.method == "PUT" and path.endswith("/commands"):
            return _json([{**command, "id": str(next(self._ids)), "application_id": str(APPLICATION_ID),
                           "version": "1"} for command in body])
        if path.startswith("/interactions/") and path.endswith("/callback"):
            interaction_id = path.split("/")[2]
            self._callbacks[interaction_id] = self.requests[-1]
            if (waiter := self._callback_waiters.get(interaction_id)) and not waiter.done():
                waiter.set_result(None)
            flags = ((body or {}).get("data") or {}).get("flags", 0)
            return _json({"interaction": {"id": interaction_id, "type": 2, "response_message_id": str(next(self._ids)),
                                          "response_message_loading": False,
                                          "response_message_ephemeral": bool(flags & 64)}})
        if request.method == "POST" and path.endswith("/messages") and self.refuse_messages:
            self.refuse_messages -= 1
            return _json({"message": "Invalid Form Body", "code": 50035}, 400)
        if request.method == "POST" and path.startswith("/channels/") and path.split("/")[2] in self.deleted_channels:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        if request.method == "POST" and path.startswith("/channels/") and path.endswith("/messages"):
            return await self._channel_message(request, body or {}, int(path.split("/")[2]))
        if path.startswith("/webhooks/"):
            return _json(self.message(body or {}))
        return _json({"message": "404: Not Found", "code": 0}, 404)

    async def _channel_message(self, request: web.Request, body: dict[str, Any], channel_id: int) -> web.Response:
        """Make the message, as Discord does: once per enforced nonce; then answer, late, or never."""
        key = (channel_id, str(body.get("nonce")))
        if body.get("enforce_nonce") and key in self._nonces:
            return _json(self._nonces[key])  # Discord's answer to a repeated nonce: the message it made
        made = self.message(body, channel_id=channel_id)
        self.made.append(made)
        if body.get("enforce_nonce"):
            self._nonces[key] = made
        if self.drop_messages:
            self.drop_messages -= 1
            return unanswered(request)  # the message exists; its answer never arrives
        if self.message_delay:
            await asyncio.sleep(self.message_delay)
        return _json(made)

    def _over_rate(self, path: str) -> bool:
        self._limit.limit = self.messages_per_second
        return path.endswith("/messages") and self._limit.exceeded()

    def message(self, body: dict[str, Any], channel_id: int = CHANNEL_ID) -> dict[str, Any]:
        """A message payload as Discord returns it for what was sent."""
        return {"id": str(next(self._ids)), "channel_id": str(channel_id), "author": BOT_USER, "type": 0,
                "content": body.get("content") or "", "embeds": body.get("embeds") or [],
                "components": body.get("components") or [], "timestamp": "2026-11-28T00:00:00+00:00",
                "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
                "mention_roles": [], "pinned": False, "flags": body.get("flags", 0),
                "attachments": [{"id": str(next(self._ids)), "filename": a.get("filename", "file"), "size": 1,
                                 "url": "https://cdn.fake/a.png", "proxy_url": "https://cdn.fake/a.png",
                                 **({"description": a["description"]} if a.get("description") else {})}
                                for a in body.get("attachments") or []]}

    # -- interactions a test sends ------------------------------------------------------------

    def _base(self, kind: int, user: dict[str, Any], locale: str) -> dict[str, Any]:
        return {"id": str(next(self._ids)), "application_id": str(APPLICATION_ID), "type": kind,
                "guild_id": str(GUILD_ID), "channel_id": str(CHANNEL_ID),
                "channel": {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "general"},
                "member": {"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False,
                           "mute": False, "flags": 0,
                           # alice manages the server (0x20), bob may only talk
                           "permissions": "2248473465835105" if user is USER else "2048"},
                "token": f"token-{next(self._ids)}", "version": 1, "locale": locale, "guild_locale": "zh-CN",
                "app_permissions": "2248473465835073", "entitlements": [], "authorizing_integration_owners": {},
                "context": 0, "attachment_size_limit": 26214400}

    async def interact(self, kind: int, data: Any, *, user: dict[str, Any] = USER, locale: str = "en-US",
                       message: dict[str, Any] | None = None) -> int:
        """Send an interaction of any `kind` with any `data` (any JSON, as a hostile test wants it), on
        the message it came from; return the interaction id to wait for its callback."""
        payload = self._base(kind, user, locale)
        payload["data"] = data
        if message is not None:
            payload["message"] = message
        self.sent_at[payload["id"]] = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def command(self, name: str, options: dict[str, Any] | None = None, *, user: dict[str, Any] = USER,
                      locale: str = "en-US", subcommand: str | None = None) -> int:
        """Send a slash command; return the interaction id to wait for its callback."""
        values = [{"name": k, "type": 3 if isinstance(v, str) else 5, "value": v} for k, v in (options or {}).items()]
        if subcommand:
            values = [{"name": subcommand, "type": 1, "options": values}]
        return await self.interact(2, {"id": "1", "name": name, "type": 1, "options": values}, user=user, locale=locale)

    async def autocomplete(self, name: str, focused: str, value: str, *, user: dict[str, Any] = USER) -> int:
        return await self.interact(4, {"id": "1", "name": name, "type": 1,
                                       "options": [{"name": focused, "type": 3, "value": value, "focused": True}]},
                                   user=user)

    async def click(self, custom_id: str, *, user: dict[str, Any] = USER, locale: str = "en-US") -> int:
        """Press the button `custom_id` on a message that carries it, as Discord sends a press."""
        return await self.interact(3, {"custom_id": custom_id, "component_type": 2}, user=user, locale=locale,
                                   message=self.button_message(custom_id))

    def button_message(self, custom_id: Any) -> dict[str, Any]:
        """A message with one button, `custom_id`: what a press comes from."""
        button = {"type": 2, "style": 1, "label": "button", "custom_id": custom_id}
        return self.message({"content": "", "components": [{"type": 1, "components": [button]}]})
