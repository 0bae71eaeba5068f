"""panel-quotes: search and serve quotes from panel-discussion transcripts.

This module is the core's public face: front ends import what they need from `bot` and from
nothing deeper (`tests/test_layering.py` keeps it so). Heavier parts load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .errors import DataError, QuoteBotError, UnknownValueError
from .models import Context, Hit, Panel, Query, Quote, Speaker, Topic

# name -> the module that defines it, imported when the name is first used
_LAZY = {
    "Library": "library", "load_library": "panels.cache", "data_path": "panels.cache", "fingerprint": "panels.cache",
    "Chat": "chat.core", "Actor": "chat.parties", "Place": "chat.parties", "failure": "chat.core",
    "Command": "chat.command", "DigestOrder": "chat.command", "parse_command": "chat.command",
    "Cooldown": "chat.cooldown", "MemoryState": "chat.state", "ChatState": "chat.state", "SqlState": "chat.sqlstate",
    "Answer": "chat.replies", "Audience": "chat.replies", "Button": "chat.replies", "Card": "chat.replies",
    "ContextView": "chat.replies", "Help": "chat.replies", "Listing": "chat.replies", "Message": "chat.replies",
    "Notice": "chat.replies", "Raw": "chat.replies", "Removed": "chat.replies", "Reply": "chat.replies",
    "Shared": "chat.replies", "message": "chat.replies", "Picture": "chat.replies",
    "QuoteImage": "quotecard", "render_card_image": "quotecard.draw", "digest_picture": "chat.digests",
    "translate": "chat.catalogue", "language_of": "chat.catalogue", "sentences": "chat.catalogue",
    "Store": "digest.store", "Subscription": "digest.store",
    "DigestScheduler": "digest.scheduler", "Poster": "digest.scheduler", "ChannelGone": "digest.scheduler",
    "RateLimited": "digest.scheduler", "utc_now": "digest.scheduler", "finish": "digest.scheduler",
    "Delivery": "digest.scheduler",
    "Health": "health", "Platform": "platforms", "ChatDefaults": "settings",
    "Moment": "panels.moments", "escape_url": "panels.moments",
}
_RENAMED = {"translate": "text"}

if TYPE_CHECKING:
    from .chat.catalogue import language_of, sentences
    from .chat.catalogue import text as translate
    from .chat.command import Command, DigestOrder, parse_command
    from .chat.cooldown import Cooldown
    from .chat.core import Chat, failure
    from .chat.digests import digest_picture
    from .chat.parties import Actor, Place
    from .chat.replies import (
        Answer,
        Audience,
        Button,
        Card,
        ContextView,
        Help,
        Listing,
        Message,
        Notice,
        Picture,
        Raw,
        Removed,
        Reply,
        Shared,
        message,
    )
    from .chat.sqlstate import SqlState
    from .chat.state import ChatState, MemoryState
    from .digest.scheduler import ChannelGone, Delivery, DigestScheduler, Poster, RateLimited, finish, utc_now
    from .digest.store import Store, Subscription
    from .health import Health
    from .library import Library
    from .panels.cache import data_path, fingerprint, load_library
    from .panels.moments import Moment, escape_url
    from .platforms import Platform
    from .quotecard import QuoteImage
    from .quotecard.draw import render_card_image
    from .settings import ChatDefaults


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), _RENAMED.get(name, name))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Context", "DataError", "Hit", "Panel", "Query", "Quote", "QuoteBotError", "Speaker", "Topic",
           "UnknownValueError", *_LAZY]
