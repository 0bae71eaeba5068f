"""Answering `digest subscribe|unsubscribe|status|preview` for any front end.

The front end checks who may change subscriptions and renders the answer; this decides what the
words mean and what the store should hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from ..chat.command import Command
from ..errors import QuoteBotError
from ..library import Library
from ..models import Quote
from .schedule import is_time, parse_time, parse_timezone
from .store import Store, Subscription

DEFAULT_TIME = "09:00"


@dataclass(frozen=True, slots=True)
class DigestAnswer:
    text: str
    quote: Quote | None = None  # for preview


def describe(sub: Subscription) -> str:
    filters = "".join(f", {name} {value}" for name, value in
                      (("topic", sub.topic), ("speaker", sub.speaker), ("panel", sub.panel)) if value)
    return f"every day at {sub.post_time:%H:%M} ({sub.timezone}){filters}"


def answer_digest(store: Store, library: Library, command: Command, *, platform: str, channel: str,
                  user: str | None, now: dt.datetime, default_timezone: str = "UTC") -> DigestAnswer:
    action, *rest = command.argument.split()
    query = command.query
    if action == "subscribe":
        times = [r for r in rest if is_time(r)]  # Etc/GMT+8 has a digit and is a zone
        zones = [r for r in rest if r not in times]
        if len(times) > 1 or len(zones) > 1:
            raise QuoteBotError("digest subscribe takes at most one time (HH:MM) and one time zone (Area/City)")
        post_time = parse_time(times[0] if times else DEFAULT_TIME)
        zone = parse_timezone(zones[0] if zones else default_timezone)
        filters = replace(query, words="")  # a digest draws from filters alone
        if not library.search(filters, limit=1):
            raise QuoteBotError("no quote matches those filters together")  # unknown names raised above
        sub = store.subscribe(platform, channel, f"{post_time:%H:%M}", zone.key, filters=filters, by=user, now=now)
        return DigestAnswer(f"Subscribed: a quote {describe(sub)}.")
    current = store.subscription(platform, channel)
    if action == "unsubscribe":
        return DigestAnswer("Unsubscribed." if store.unsubscribe(platform, channel)
                            else "This channel has no digest to unsubscribe from.")
    if action == "status":
        if current is None:
            return DigestAnswer(f"No digest here. Subscribe with: digest subscribe {DEFAULT_TIME} {default_timezone}")
        text = f"A quote {describe(current)}."
        if not current.enabled:
            text += f" Disabled: {current.disabled_reason}. Subscribe again to restart it."
        if last := store.last_post(current.id):
            text += f" Last: {last.local_date} {last.quote_ref}" + (f" (failed: {last.error})" if last.error else "")
        return DigestAnswer(text)
    # preview: tomorrow's quote for this channel, with its filters (or the command's)
    zone = parse_timezone(current.timezone if current else default_timezone)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    quote = library.digest(f"{platform}:{channel}", tomorrow, current.filters if current else replace(query, words=""))
    if quote is None:
        raise QuoteBotError("no quote matches this digest's filters")
    return DigestAnswer(f"Tomorrow's quote ({tomorrow}):", quote)
