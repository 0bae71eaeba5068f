"""Slack's HTTP mode against hostile requests: signed before parsed, bounded cost, one log line.

The real slack-bolt app behind this project's endpoint, against the fake Slack on 127.0.0.1;
each hostile request is sent as raw bytes and headers, as an attacker would send it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("slack_bolt", reason="slack-bolt is installed with the test extras")

from bot.library import Library

from .fakes.harness import Run, SlackSession, on_a_thread, slack_session
from .fakes.slack import FakeSlack, signed_headers

FORM = "application/x-www-form-urlencoded"
Request = tuple[dict[str, str], bytes]  # headers, body


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def unsigned(timestamp: str, signature: str = "v0=" + "0" * 64, body: bytes = b"command=%2Fquote&text=x") -> Request:
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature, "Content-Type": FORM}, body


def signed(body: bytes, content_type: str = FORM, **signing: Any) -> Request:
    return signed_headers(body, content_type=content_type, **signing), body


def now() -> str:
    return str(int(time.time()))


async def send(url: str, request: Request, http: aiohttp.ClientSession | None = None) -> tuple[int, str]:
    headers, body = request
    return await FakeSlack.send(url, body, headers, http)


NOT_FROM_SLACK: dict[str, Callable[[], Request]] = {
    "no signature headers": lambda: ({"Content-Type": FORM}, b"command=%2Fquote&text=x"),
    "a timestamp of abc": lambda: unsigned("abc"),
    "an empty timestamp": lambda: unsigned(""),
    "a timestamp of 5,000 digits": lambda: unsigned("9" * 5000),
    "a timestamp in Arabic-Indic digits": lambda: unsigned("١٧٠٠٠٠٠٠٠٠"),
    "a non-ASCII signature": lambda: unsigned(now(), "v0=é".encode().decode("latin-1")),
    "a signature by another secret": lambda: signed(b"command=%2Fquote&text=x", secret="not-the-secret"),
    "a timestamp ten minutes old": lambda: signed(b"command=%2Fquote&text=x", timestamp=int(time.time()) - 600),
    "a timestamp ten minutes ahead": lambda: signed(b"command=%2Fquote&text=x", timestamp=int(time.time()) + 600),
    "an unsigned body of {": lambda: unsigned(now(), body=b"{"),
    "an unsigned payload nested 100,000 deep": lambda: unsigned(now(), body=b"payload=" + b"%5B" * 100_000),
    "a signed body that is not UTF-8": lambda: signed(b"command=%2Fquote&text=\xff\xfe"),
}


def problems(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[logging.LogRecord]]:
    """The warning lines logged, and every record that is an error or carries a traceback."""
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    loud = [r for r in caplog.records if r.levelno > logging.WARNING or r.exc_info or r.exc_text]
    return warnings, loud


@pytest.mark.parametrize("kind", NOT_FROM_SLACK)
async def test_a_request_slack_did_not_sign_is_refused_401_before_it_is_parsed(
        library: Library, caplog: pytest.LogCaptureFixture, kind: str) -> None:
    caplog.set_level(logging.INFO)
    async with slack_session(library) as session, aiohttp.ClientSession() as http:
        started = time.perf_counter()
        statuses = [(await send(session.url, NOT_FROM_SLACK[kind](), http))[0] for _ in range(50)]
        took = time.perf_counter() - started
        await asyncio.sleep(0.05)
        assert session.fake.calls == []  # nothing reached a listener: not even auth.test
    assert statuses == [401] * 50
    assert took < 2.0, f"50 refusals took {took:.2f} s"
    warnings, loud = problems(caplog)
    assert loud == []
    assert len(warnings) == 1 and warnings[0].startswith("refused 1 Slack request"), warnings


async def test_a_flood_of_unsigned_requests_writes_one_warning_line(library: Library,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    kinds = list(NOT_FROM_SLACK.values())
    async with slack_session(library) as session, aiohttp.ClientSession() as http:
        started = time.perf_counter()
        for n in range(1000):
            assert (await send(session.url, kinds[n % len(kinds)](), http))[0] == 401
        took = time.perf_counter() - started
    warnings, loud = problems(caplog)
    assert loud == [] and len(warnings) == 1, warnings
    assert took < 10.0, f"1,000 refusals took {took:.2f} s"


async def test_a_replay_is_refused_401_before_it_is_parsed(library: Library, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    handshake = signed(b'{"type": "url_verification", "challenge": "c"}', "application/json")
    broken = signed(b"{", "application/json")
    async with slack_session(library) as session:
        statuses = [(await send(session.url, request))[0] for request in (handshake, handshake, broken, broken, broken)]
    assert statuses == [200, 401, 400, 401, 401]  # only the first of each is read
    warnings, loud = problems(caplog)
    assert loud == [] and [w.split(" (")[0].split(":")[0] for w in warnings] == [
        "refused 1 Slack request replaying a signed one", "refused a malformed Slack request"]  # three replays, one line


def test_refusals_are_logged_once_per_ten_seconds_with_how_many_each_line_stands_for(
        caplog: pytest.LogCaptureFixture) -> None:
    from adapters.slack.endpoint import Tally

    clock = [0.0]
    tally = Tally("without a valid signature", clock=lambda: clock[0])
    caplog.set_level(logging.INFO)
    for at in (0.0, 1.0, 5.0, 9.9, 10.5, 11.0, 30.0):
        clock[0] = at
        tally.note("a timestamp that is not a number")
    assert [r.getMessage() for r in caplog.records] == [
        "refused 1 Slack request without a valid signature (the latest: a timestamp that is not a number); "
        "at most one such line per 10 s",
        "refused 4 Slack requests without a valid signature (the latest: a timestamp that is not a number); "
        "at most one such line per 10 s",
        "refused 2 Slack requests without a valid signature (the latest: a timestamp that is not a number); "
        "at most one such line per 10 s",
    ]


NOT_HTTP = {
    "a control character in a header": b"X-Slack-Signature: v0=\x01\r\nContent-Length: 0\r\n\r\n",
    "a broken chunk": b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    "a header line of 20,000 bytes": b"X-Padding: " + b"a" * 20_000 + b"\r\n\r\n",
}


@pytest.mark.parametrize("kind", NOT_HTTP)
async def test_malformed_http_is_refused_400_with_one_line(library: Library, caplog: pytest.LogCaptureFixture,
                                                           kind: str) -> None:
    caplog.set_level(logging.INFO)
    async with slack_session(library) as session:
        url = urllib.parse.urlsplit(session.url)
        for _ in range(50):
            reader, writer = await asyncio.open_connection(url.hostname, url.port)
            try:
                writer.write(f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n".encode() + NOT_HTTP[kind])
                await writer.drain()
                assert (await asyncio.wait_for(reader.readline(), 2)).split()[1] in (b"400", b"431")
            finally:
                writer.close()
    warnings, loud = problems(caplog)
    assert loud == [] and len(warnings) == 1, (warnings, [r.getMessage() for r in loud][:2])


def press(**changes: Any) -> dict[str, Any]:
    """A block_actions payload as Slack sends it for the Another button, with `changes` made."""
    payload = FakeSlack().action("quote_another", "token", user="U0ALICE")
    payload.update(changes)
    return payload


SIGNED_BUT_MALFORMED: dict[str, Callable[[], Request]] = {
    "a JSON body that is not JSON": lambda: signed(b"{", "application/json"),
    "a JSON body that is a list": lambda: signed(b"[]", "application/json"),
    "a JSON body of 5,000 digits": lambda: signed(b"9" * 5000, "application/json"),
    "a payload that is not JSON": lambda: signed(form(payload="not json")),
    "a payload that is a list": lambda: signed(form(payload="[1, 2]")),
    "a payload that is a string": lambda: signed(form(payload='"x"')),
    "a payload that is null": lambda: signed(form(payload="null")),
    "a payload without a type": lambda: signed(form(payload="{}")),
    "a payload of an unknown type": lambda: signed(form(payload='{"type": "zzz"}')),
    "a form that is neither a command nor a payload": lambda: signed(form(hello="world")),
    "a press with no actions": lambda: signed(form(payload=json.dumps(press(actions=[])))),
    "a press whose actions are a string": lambda: signed(form(payload=json.dumps(press(actions="quote_send")))),
    "a press whose value is a number": lambda: signed(form(payload=json.dumps(press(actions=[
        {"action_id": "quote_another", "block_id": "b", "value": 5, "type": "button"}])))),
    "a press with no user": lambda: signed(form(payload=json.dumps(press(user=None)))),
    "a press whose channel is a list": lambda: signed(form(payload=json.dumps(press(channel=["C1"])))),
    "a press whose response URL is not a URL": lambda: signed(form(payload=json.dumps(press(response_url="here")))),
    "a slash command with no user": lambda: signed(form(command="/quote", text="x", channel_id="C0GENERAL")),
    "a slash command whose user is a list": lambda: signed(
        json.dumps({"command": "/quote", "user_id": ["U1"], "channel_id": "C1", "text": "x"}).encode(), "application/json"),
    "an event that is a string": lambda: signed(b'{"type": "event_callback", "event": "x"}', "application/json"),
    "a payload nested 100,000 deep": lambda: signed(b"payload=" + b"%5B" * 100_000),
    "a JSON body nested 100,000 deep": lambda: signed(b'{"a":' * 100_000, "application/json"),
}


@pytest.mark.parametrize("kind", SIGNED_BUT_MALFORMED)
async def test_a_signed_but_malformed_request_is_refused_400_with_one_line(
        library: Library, caplog: pytest.LogCaptureFixture, kind: str) -> None:
    caplog.set_level(logging.INFO)
    async with slack_session(library) as session:
        started = time.perf_counter()
        status, _ = await send(session.url, SIGNED_BUT_MALFORMED[kind]())
        took = time.perf_counter() - started
        await asyncio.sleep(0.1)  # a listener that ran anyway would answer by now
        assert [c for c in session.fake.calls if c.method != "auth.test"] == []
    assert status == 400 and took < 0.5, (status, took)
    warnings, loud = problems(caplog)
    assert loud == [] and len(warnings) == 1, (warnings, loud)


async def test_a_body_over_a_megabyte_is_refused_413_before_it_is_read(library: Library) -> None:
    async with slack_session(library) as session:
        url = urllib.parse.urlsplit(session.url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        try:  # the headers promise 10 MB; not a byte of it is sent
            writer.write(f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {FORM}\r\n"
                         f"Content-Length: 10000000\r\n\r\n".encode())
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 2)
        finally:
            writer.close()
        assert status_line.split()[1] == b"413"

        async def chunks() -> Any:  # no length given: the server stops reading at the limit
            for _ in range(40):
                yield b"a" * 65536

        async with aiohttp.ClientSession() as http, http.post(session.url, data=chunks(),
                                                              headers={"Content-Type": FORM}) as answer:
            assert answer.status == 413
        status, body = await send(session.url, signed(form(command="/quote", user_id="U0ALICE", channel_id="C0GENERAL",
                                                           text="a" * 1_000_000)))
        assert status == 200 and "characters long" in body  # just under a megabyte: the core's own answer


# -- fuzzing: any request at all, through the real app on one server for the whole test ------------

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER_TEXT = st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=60)  # what a client can send
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=16)
KINDS = ["block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion",
         "interactive_message", "dialog_submission", "event_callback", "url_verification", "app_rate_limited"]
ACTION_IDS = [f"quote_{b}" for b in ("another", "context", "prev", "next", "send", "cancel", "zzz")] + ["other"]


class Logged(logging.Handler):
    """Every record logged while a fuzz test runs, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def loud(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno > logging.WARNING or r.exc_info or r.exc_text]


@pytest.fixture(scope="module")
def served(library: Library) -> Iterator[tuple[SlackSession, Run[Any], Logged]]:
    """One app and fake Slack for every example of a fuzz test, on a thread of their own."""
    logged, root = Logged(), logging.getLogger()
    root.addHandler(logged)
    level, root.level = root.level, logging.INFO
    try:
        with on_a_thread(slack_session(library)) as (session, run):
            yield session, run, logged
    finally:
        root.removeHandler(logged)
        root.setLevel(level)


@st.composite
def unsigned_requests(draw: st.DrawFn) -> Request:
    """Any headers Slack's would be (any value, or none) and any body; never a valid signature."""
    headers = {"Content-Type": draw(st.sampled_from([FORM, "application/json", "text/plain"]) | HEADER_TEXT)}
    if draw(st.booleans()):
        fresh = st.integers(-300, 300).map(lambda ago: str(int(time.time()) - ago))
        headers["X-Slack-Request-Timestamp"] = draw(fresh | st.integers().map(str) | HEADER_TEXT)
    if draw(st.booleans()):
        headers["X-Slack-Signature"] = draw(st.binary(min_size=32, max_size=32).map(lambda b: "v0=" + b.hex())
                                            | HEADER_TEXT)
    headers |= draw(st.dictionaries(st.from_regex(r"X-[A-Za-z-]{1,20}", fullmatch=True), HEADER_TEXT, max_size=2))
    body = draw(st.binary(max_size=3000) | JSON.map(lambda value: json.dumps(value).encode())
                | st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=5).map(lambda f: form(**f)))
    return headers, body


@FUZZ
@given(request=unsigned_requests())
def test_fuzz_any_unsigned_request_is_a_quick_401(served: tuple[SlackSession, Run[Any], Logged], request: Request) -> None:
    session, run, logged = served
    started = time.perf_counter()
    status, _ = run(send(session.url, request))
    assert status == 401 and time.perf_counter() - started < 0.5
    assert logged.loud() == []


def payloads(response_url: str) -> st.SearchStrategy[dict[str, Any]]:
    """Interactivity payloads shaped like Slack's, with any JSON anywhere in them."""
    action = st.fixed_dictionaries({"action_id": st.sampled_from(ACTION_IDS) | JSON, "value": st.just("token") | JSON},
                                   optional={"type": st.just("button"), "block_id": JSON})
    return st.fixed_dictionaries({"type": st.sampled_from(KINDS) | JSON}, optional={
        "actions": st.lists(action | JSON, max_size=2) | JSON,
        "user": st.fixed_dictionaries({"id": st.just("U0ALICE") | JSON}) | JSON,
        "channel": st.fixed_dictionaries({"id": st.just("C0GENERAL") | JSON}) | JSON,
        "response_url": st.just(response_url) | JSON,
        "event": st.fixed_dictionaries({"type": st.text(max_size=12) | JSON}) | JSON,
        **{name: JSON for name in ("team", "view", "callback_id", "container", "message", "token", "api_app_id")}})


def signed_bodies(response_url: str) -> st.SearchStrategy[tuple[bytes, str]]:
    """Bodies as Slack could sign them: forms with any fields, commands, payloads and Events API JSON."""
    text = st.text(max_size=40)
    command = st.fixed_dictionaries({"command": st.just("/quote") | text, "text": text},
                                    optional={"user_id": st.just("U0ALICE") | text, "channel_id": text,
                                              "response_url": st.just(response_url), "team_id": text})
    fields = st.dictionaries(text, text, max_size=6) | command
    payload = payloads(response_url) | JSON
    return st.one_of(fields.map(lambda f: (form(**f), FORM)),
                     payload.map(lambda p: (form(payload=json.dumps(p)), FORM)),
                     payload.map(lambda p: (json.dumps(p).encode(), "application/json")))


@FUZZ
@given(data=st.data())
def test_fuzz_any_signed_request_is_answered_or_a_400_never_a_500(served: tuple[SlackSession, Run[Any], Logged],
                                                                  data: st.DataObject) -> None:
    session, run, logged = served
    body, content_type = data.draw(signed_bodies(session.fake.response_url()))
    request = signed(body, content_type)
    replayed = request[0]["X-Slack-Signature"] in SENT  # the same body in the same second: a replay
    SENT.add(request[0]["X-Slack-Signature"])
    started = time.perf_counter()
    status, answer = run(send(session.url, request))
    assert status in ((401,) if replayed else (200, 400)) and time.perf_counter() - started < 1.0, (status, answer)
    assert "Sorry, something went wrong" not in answer
    run(asyncio.sleep(0.01))  # a press's lazy work, answering its response URL
    assert logged.loud() == []
    assert not [c for c in session.fake.calls if "Sorry, something went wrong" in str(c.body.get("text"))]


SENT: set[str] = set()  # the signatures sent so far
