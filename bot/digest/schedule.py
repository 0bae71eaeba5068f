"""When a daily digest is due: local times, time zones and daylight-saving changes.

Pure functions; the caller passes the current instant, so tests move time without sleeping.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import QuoteBotError

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def utc_now() -> dt.datetime:
    """The current instant: what callers pass in, so that the functions here stay pure."""
    return dt.datetime.now(dt.UTC)


def is_time(text: str) -> bool:
    """Whether `text` is written as a time of day (09:00), not a zone (Etc/GMT+8)."""
    return bool(re.match(r"^\d{1,2}:\d{1,2}$", unicodedata.normalize("NFKC", text).strip()))


def parse_time(text: str) -> dt.time:
    """`09:00` (or `9:00`, or with a full-width colon) as a time of day."""
    match = _TIME.match(unicodedata.normalize("NFKC", text).strip())  # ０９：００ too
    if not match:
        raise QuoteBotError(f"time {text!r} is not HH:MM on a 24-hour clock, e.g. 09:00 or 18:30",
                            key="bad.time", value=text)
    return dt.time(int(match[1]), int(match[2]))


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC."""
    try:
        if ("/" not in name and name.upper() != "UTC") or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name if name.upper() != "UTC" else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise QuoteBotError(f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai, "
                            "America/New_York or UTC", key="bad.timezone", value=name) from None


def due_date(post_time: dt.time, zone: ZoneInfo, now: dt.datetime) -> dt.date | None:
    """The local date whose post is due at `now`, or None before today's local posting time.

    Only today counts: after downtime the day's missed post is still due, earlier days are
    not. A time that a spring-forward change skips is taken an hour later, as the clock
    would have shown it; on a fall-back day the first of the two occurrences counts.
    """
    local_now = now.astimezone(zone)
    local_date = local_now.date()
    due_at = dt.datetime.combine(local_date, post_time, tzinfo=zone)  # fold=0: the first occurrence
    return local_date if now >= due_at else None
