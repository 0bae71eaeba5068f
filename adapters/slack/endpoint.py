"""What the Slack app refuses before a listener acts, and the HTTP endpoint that refuses it first.

Bolt's own aiohttp server reads the body before it checks the signature, so a malformed body
fails with a 500 and a traceback, signed or not. This endpoint checks in order: the size (413),
Slack's signature and its five minutes (401), a replay (401), the JSON's depth (400), and only
then lets bolt parse and route it; a body bolt cannot read or route is a 400 with one line too.
Unsigned and replayed requests, and the malformed HTTP aiohttp refuses (which it would log with a
traceback each), are counted and logged once per ten seconds, so a flood costs one line.
"""

from __future__ import annotations

import logging
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot import ChatState

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Slack's requests are a few kilobytes; a button's payload with its message, tens
MAX_DEPTH = 64  # Slack's payloads nest about ten levels (a message's rich text blocks)
REPLAY_SECONDS = 6 * 60  # a signature is remembered past the five minutes its request is accepted in
SIGNED_SECONDS = 5 * 60  # how far a request's timestamp may be from now: Slack's own verifier's window
QUIET_SECONDS = 10.0  # at most one line about refused requests this often
# A JSON string (to its end, closed or not: possessive, so never read twice) or a bracket.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?|[\[\]{}]', re.DOTALL)


class Refused(Exception):
    """Not a request Slack signed in the last five minutes: answered 401, counted in a `Tally`."""


class Malformed(ValueError):
    """Signed, but not a body this app can take: answered 400 with one line, never a traceback."""


# What reading a field of the wrong shape raises, in bolt's parsing and routing or in a listener.
SHAPE_ERRORS = (ValueError, LookupError, TypeError, AttributeError)


def say_malformed(error: Exception) -> None:
    """The one line a signed request bolt cannot read or route is worth."""
    said = str(error) if isinstance(error, Malformed) else f"{type(error).__name__}: {error}"
    logger.warning("refused a malformed Slack request: %.200s", said)


@dataclass
class Tally:
    """Counts refused requests and logs one line for all of them at most once per `every` seconds:
    a flood of unsigned requests costs a line, not a line each. The count of refusals after the
    last line waits for the next refusal."""

    what: str
    every: float = QUIET_SECONDS
    clock: Callable[[], float] = time.monotonic
    _count: int = 0
    _since: float | None = None  # when the last line was written

    def note(self, reason: str) -> None:
        self._count += 1
        now = self.clock()
        if self._since is not None and now - self._since < self.every:
            return
        count, self._count, self._since = self._count, 0, now
        logger.warning("refused %d Slack request%s %s (the latest: %s); at most one such line per %.0f s",
                       count, "" if count == 1 else "s", self.what, reason, self.every)


def web_app(app: AsyncApp, signing_secret: str, state: ChatState, path: str = "/slack/events") -> web.Application:
    """The aiohttp application serving `app` at `path`, as `app.web_app()` would, with each request
    checked (size, signature, replay, depth) before bolt reads it. Bolt checks the signature again.
    A correctly signed request seen before (within Slack's five minutes) is a replay, refused on
    whichever replica it reaches: the chat `state` remembers the signatures."""
    verifier, refused = SignatureVerifier(signing_secret), Tally("without a valid signature")
    replays = Tally("replaying a signed one")

    async def slack_events(request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413)  # before a byte of the body is read
        raw = await request.read()  # without a length, aiohttp stops at MAX_BODY with a 413 itself
        headers = {name.lower(): value for name, value in request.headers.items()}  # the last of each, as bolt keeps
        try:
            text = signed_text(raw, headers, verifier)
        except Refused as why:
            refused.note(str(why))
            return web.Response(status=401)
        if not state.first_time(f"slack:{headers['x-slack-signature']}", REPLAY_SECONDS):
            replays.note("a signature seen before")
            return web.Response(status=401)
        try:
            answer = await app.async_dispatch(bolt_request(text, request.query_string, headers))
        except SHAPE_ERRORS as error:  # unreadable, or a shape that trips bolt's own error handler up too
            say_malformed(error)
            return web.Response(status=400)
        return await to_aiohttp_response(answer)

    server = web.Application(client_max_size=MAX_BODY, handler_args={"logger": _NotHttp()})
    server.router.add_post(path, slack_events)
    return server


class _NotHttp(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The logger aiohttp's server reports to. It logs each malformed HTTP message it refuses with
    a 400 (a control character in a header, a broken chunk, an overlong line) as an ERROR with
    its traceback; those are counted in a Tally instead. Everything else is passed on as it is."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("aiohttp.server"), {})
        self.refused = Tally("of malformed HTTP")

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        error = kwargs.get("exc_info")
        if level >= logging.WARNING and isinstance(error, BadHttpMessage):
            self.refused.note(f"{error.message}".strip().splitlines()[0][:80])
            return
        super().log(level, msg, *args, **kwargs)


async def refuse_malformed(error: Exception, body: Any) -> BoltResponse | None:
    """Bolt's error handler, in Socket Mode too. A body bolt cannot route (a field of the wrong
    shape where its matchers or a listener look, or a kind no listener takes) is the sender's
    mistake: 400 and one line. Anything else is a bug: logged with its traceback, and a 500."""
    if isinstance(error, BoltUnhandledRequestError):
        kind = body.get("type") if isinstance(body, dict) else None
        logger.warning("refused a Slack request no listener takes (type %.40r)", kind)
        return BoltResponse(status=400, body="")
    if isinstance(error, SHAPE_ERRORS):
        say_malformed(error)
        return BoltResponse(status=400, body="")
    logger.error("a Slack request failed", exc_info=error)
    return None


def signed_text(raw: bytes, headers: dict[str, str], verifier: SignatureVerifier) -> str:
    """The body as text when Slack signed it within its five minutes; else `Refused`, saying why.

    The headers' shape is checked first: slack_sdk's verifier raises on a timestamp that is not
    a number and on a signature that is not ASCII. Slack signs UTF-8 text only.
    """
    timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    if not signature:
        raise Refused("no signature")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Refused("a timestamp that is not a number")
    if abs(time.time() - int(timestamp)) > SIGNED_SECONDS:
        raise Refused("a timestamp outside Slack's five minutes (is this host's clock right?)")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise Refused("a body that is not UTF-8") from None
    if not signature.isascii() or not verifier.is_valid(text, timestamp, signature):
        raise Refused("a signature that does not match")
    return text


def bolt_request(text: str, query: str, headers: dict[str, str]) -> AsyncBoltRequest:
    """The signed request as bolt reads it; `Malformed` when its JSON nests too deep, and bolt's own
    error (one of SHAPE_ERRORS) when it cannot read it: not JSON, not an object, a field of the wrong type."""
    for inner in _json_in(text, headers):
        if nesting(inner) > MAX_DEPTH:
            raise Malformed(f"JSON nested deeper than {MAX_DEPTH} levels")
    return AsyncBoltRequest(body=text, query=query, headers=dict(headers))


def _json_in(text: str, headers: dict[str, str]) -> list[str]:
    """The JSON texts bolt will decode in this body, as its parse_body decides: the whole body, or
    its form's `payload` field."""
    if headers.get("content-type", "").split(";")[0] == "application/json" or text.startswith("{"):
        return [text]
    return [value for name, value in urllib.parse.parse_qsl(text, keep_blank_values=True) if name == "payload"]


def nesting(text: str, most: int = MAX_DEPTH) -> int:
    """How deep a JSON text nests, counted no further than `most` + 1: linear in the text, and a
    bracket inside a string does not count. JSON is read left to right, so the depth of any valid
    prefix (the part a parser reads before it fails) is counted exactly."""
    depth = deepest = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        bracket = text[token.start()]
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > most:
                break
        elif bracket in "]}":
            depth -= 1
    return deepest
