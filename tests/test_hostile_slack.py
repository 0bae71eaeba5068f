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
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

pytest.importorskip("slack_bolt", reason="slack-bolt is installed with the test extras")

from bot.library import Library

from .fakes.harness import slack_session
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
