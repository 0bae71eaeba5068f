"""The settings every front end shares, read from the environment and checked in one place.

Each bad value is one line that names the variable and the form it expects; `check` lists them
all, `run` and the console stop at the first. The platforms' own settings (tokens, ports) are
their adapters'.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import QuoteBotError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_RELOAD_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class Settings:
    """What the process runs with: how often to look for edited panels (0: only on SIGHUP) and
    where /healthz listens (port 0: nowhere)."""

    reload_seconds: float = 5.0
    health_host: str = "127.0.0.1"
    health_port: int = 8080

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """The settings, or a QuoteBotError naming the first variable that is wrong."""
        if problems := settings_problems(env):
            raise QuoteBotError(problems[0])
        return cls(_reload_seconds(env.get("QUOTES_RELOAD_SECONDS", "")), env.get("HEALTH_HOST") or "127.0.0.1",
                   _port(env.get("HEALTH_PORT", "")))


@dataclass(frozen=True, slots=True)
class ChatDefaults:
    """What every chat front end answers with unless a user's own say otherwise: the cooldown
    (`QUOTE_COOLDOWN`), the digests' time zone (`DIGEST_DEFAULT_TZ`) and the language
    (`QUOTES_LOCALE`, for users whose own the platform does not give)."""

    cooldown: str = "5/30"
    timezone: str = "UTC"
    language: str = "en"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ChatDefaults:
        """The defaults, or a QuoteBotError naming the first of these variables that is wrong."""
        from .chat.catalogue import language_of

        names = ("QUOTE_COOLDOWN", "DIGEST_DEFAULT_TZ", "QUOTES_LOCALE")
        if problems := settings_problems({name: env[name] for name in names if name in env}):
            raise QuoteBotError(problems[0])
        return cls(env.get("QUOTE_COOLDOWN", "").strip() or "5/30", env.get("DIGEST_DEFAULT_TZ", "").strip() or "UTC",
                   language_of(env.get("QUOTES_LOCALE")))


def settings_problems(env: Mapping[str, str] = os.environ) -> list[str]:
    """Every shared setting that is set and wrong, one line each."""
    problems = []
    for name, check in _CHECKS.items():
        value = env.get(name, "")
        if not value.strip():
            continue
        try:
            check(value)
        except ValueError as error:
            problems.append(f"{name}={_shown(name, value)}: {error}")
    return problems


def _reload_seconds(value: str) -> float:
    if not value.strip():
        return 5.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (seconds == 0 or 0.1 <= seconds <= MAX_RELOAD_SECONDS):
        raise ValueError(f"expected seconds between 0.1 and {MAX_RELOAD_SECONDS:,}, or 0 to reload only on SIGHUP")
    return seconds


def _port(value: str) -> int:
    if not value.strip():
        return 8080
    if not value.strip().isdigit() or int(value) > 65535:
        raise ValueError("expected a port number (1-65535), or 0 for no health endpoint")
    return int(value)


def _database_url(value: str) -> None:
    import sqlalchemy as sa

    expected = "expected postgresql://USER:PASSWORD@HOST:5432/DATABASE or sqlite:////path/to/file.sqlite3"
    try:
        url = sa.engine.make_url(value)
    except (sa.exc.ArgumentError, ValueError):
        raise ValueError(expected) from None
    if url.get_backend_name() not in ("postgresql", "sqlite") or url.get_driver_name() not in ("psycopg", "pysqlite"):
        raise ValueError(f"{expected} (the driver is psycopg for PostgreSQL)")


def _log_level(value: str) -> None:
    if value.strip().upper() not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")


def _log_format(value: str) -> None:
    if value.strip().lower() not in ("text", "json"):
        raise ValueError("expected text or json")


def _cooldown(value: str) -> None:
    from .chat.cooldown import Cooldown

    try:
        Cooldown.parse(value)
    except QuoteBotError as error:  # its message names the variable already: keep what follows
        raise ValueError(str(error).split(": ", 1)[-1]) from None


def _zone(value: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected a time zone such as Asia/Shanghai, Europe/Berlin or UTC") from None


def _locale(value: str) -> None:
    from .chat.catalogue import LANGUAGES, language_of

    if language_of(value, default="") == "":
        raise ValueError(f"expected a language the bot speaks: {', '.join(LANGUAGES)} (zh-CN, en-GB and the like)")


def _card_font(value: str) -> None:
    from .quotecard.fonts import from_setting

    from_setting(value)  # a ValueError says what is wrong with the file


_CHECKS: dict[str, Callable[[str], object]] = {
    "DATABASE_URL": _database_url,
    "QUOTES_RELOAD_SECONDS": _reload_seconds,
    "HEALTH_PORT": _port,
    "LOG_LEVEL": _log_level,
    "LOG_FORMAT": _log_format,
    "QUOTE_COOLDOWN": _cooldown,
    "DIGEST_DEFAULT_TZ": _zone,
    "QUOTES_LOCALE": _locale,
    "QUOTES_CARD_FONT": _card_font,
}


def _shown(name: str, value: str) -> str:
    """The value as the message may show it: never a database password, never a whole page."""
    if name == "DATABASE_URL":
        return repr(value.split("://", 1)[0] + "://…") if "://" in value else repr(value[:40])
    return repr(value if len(value) <= 60 else value[:59] + "…")

