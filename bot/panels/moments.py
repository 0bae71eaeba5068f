"""When in a panel's recording a quote was said: its clock time and a link to that moment."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..models import Panel, Quote

# Sites whose players read the start time from a `t` query parameter (in seconds); any other
# recording gets a W3C media fragment, which browsers honour for a bare audio or video file.
_QUERY_T_HOSTS = frozenset({
    "youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be",
    "bilibili.com", "www.bilibili.com", "m.bilibili.com", "b23.tv",
})


@dataclass(frozen=True, slots=True)
class Moment:
    """A quote's place in its panel's recording: `label` such as "12:34", and a link when there is one."""

    seconds: float
    label: str
    url: str | None


def is_web_url(url: str) -> bool:
    """Whether `url` is an http or https URL with a host, and no spaces or invisible characters."""
    try:
        parts = urlsplit(url)
        web = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # such as an unclosed [ in an IPv6 host
        return False
    return web and url.isprintable() and " " not in url


def _check(seconds: float) -> None:
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a time in a recording is 0 seconds or more, not {seconds!r}")


def clock(seconds: float) -> str:
    """Seconds as a clock time, hours only when there are any; fractions are dropped.

    Example: `clock(754.9)` is "12:34", `clock(3723)` is "1:02:03".
    """
    _check(seconds)
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def moment_url(recording: str, seconds: float) -> str:
    """A link that starts playing `recording` at `seconds`.

    YouTube and Bilibili get `t=<whole seconds>` in the query (replacing any `t` there); any
    other URL gets the media fragment `#t=<seconds>`.

    Example: `moment_url("https://youtu.be/abc?si=x", 754.9)` is "https://youtu.be/abc?si=x&t=754".
    """
    _check(seconds)
    parts = urlsplit(recording)
    if (parts.hostname or "") in _QUERY_T_HOSTS:
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
        query.append(("t", str(int(seconds))))
        return urlunsplit(parts._replace(query=urlencode(query)))
    rounded = round(float(seconds), 2)
    exact = str(int(rounded)) if rounded.is_integer() else f"{rounded:.2f}".rstrip("0")
    return urlunsplit(parts._replace(fragment=f"t={exact}"))


def moment(panel: Panel, quote: Quote) -> Moment | None:
    """When `quote` was said, with a link into `panel`'s recording; None when its start is not known.

    Example: a quote with `start: 754` in a panel recorded at https://youtu.be/abc gives
    `Moment(754.0, "12:34", "https://youtu.be/abc?t=754")`.
    """
    if quote.start is None:
        return None
    url = moment_url(panel.recording, quote.start) if panel.recording and is_web_url(panel.recording) else None
    return Moment(quote.start, clock(quote.start), url)


def escape_url(url: str, unsafe: str = "") -> str:
    """`url` with whitespace, invisible characters and those in `unsafe` percent-encoded.

    For putting a URL from a data file inside markup, where such a character could end the link.
    Example: `escape_url("https://x.org/a b)", ")")` is "https://x.org/a%20b%29".
    """
    return "".join(quote(c, safe="", errors="replace") if c in unsafe or c.isspace() or not c.isprintable() else c for c in url)
