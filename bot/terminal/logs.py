"""Logging for the entry points: one line per event, JSON if asked, and never a secret."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence

SECRETS = ("POSTGRES_PASSWORD",)  # the core's own; each chat platform names its own (bot.platforms)


class _Redact(logging.Filter):
    """Replaces any configured secret that slips into a message (or a traceback) with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, "***")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "***")
        record.msg, record.args = message, None
        return True


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_text or record.exc_info:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", " | ")  # a traceback stays one line: one event, one line


def configure(env: Mapping[str, str] = os.environ, secrets: Sequence[str] = ()) -> None:
    """LOG_LEVEL (default WARNING) and LOG_FORMAT (text or json) from the environment; `secrets`
    (the platforms' tokens) and the database password never reach the log."""
    level = env.get("LOG_LEVEL", "WARNING").upper()
    handler = logging.StreamHandler()
    if env.get("LOG_FORMAT", "text").lower() == "json":
        handler.setFormatter(_JsonLines())
    else:
        handler.setFormatter(_OneLine("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact([env.get(name, "") for name in SECRETS] + list(secrets)
                              + [_password(env.get("DATABASE_URL", ""))]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level if level in logging.getLevelNamesMapping() else "WARNING")
    # Alembic narrates every start at INFO (plugins, "Context impl SQLiteImpl."); only DEBUG asks for that.
    logging.getLogger("alembic").setLevel(logging.NOTSET if level == "DEBUG" else logging.WARNING)


def _password(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""
