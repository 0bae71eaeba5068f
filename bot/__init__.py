"""panel-quotes: search and serve quotes from panel-discussion transcripts."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DataError, QuoteBotError, UnknownValueError
from .library import Library
from .models import Context, Hit, Panel, Query, Quote, Speaker, Topic
from .panels.cache import load_library

__all__ = ["Context", "DataError", "Hit", "Library", "Panel", "Query", "Quote", "QuoteBotError", "Speaker",
           "Topic", "UnknownValueError", "load_library"]
