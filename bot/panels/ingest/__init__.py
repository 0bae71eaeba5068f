"""Turning a transcript (article, subtitles, meeting export, speech-recognition JSON) into a panel document.

    text, encoding = read_transcript(path)
    result = ingest(text, Options(panel_id="my-panel"))
    yaml_text = to_yaml(result.document, origin=path.name)

`ingest` detects the format (or takes `Options.format`), reads speaker turns, names the
people behind the labels, finds the moderator and the topics, and returns the document with a
`Report` of everything it decided and dropped. It refuses a transcript with no turn structure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["FORMATS", "Ingested", "Options", "Report", "SpeakerMap", "ingest", "read_transcript", "to_yaml"]

FORMATS = {
    "article": "Markdown or plain text with 'Name: text' turns",
    "meeting": "a meeting export: 'Name  0:31' lines, then the text",
    "srt": "SubRip subtitles",
    "vtt": "WebVTT subtitles",
    "json": "speech-recognition JSON segments with a speaker",
}

if TYPE_CHECKING:
    from .decode import read_transcript
    from .pipeline import Ingested, Options, Report, ingest, to_yaml
    from .speakers import SpeakerMap

_LAZY = {"Ingested": "pipeline", "Options": "pipeline", "Report": "pipeline", "ingest": "pipeline",
         "to_yaml": "pipeline", "read_transcript": "decode", "SpeakerMap": "speakers"}


def __getattr__(name: str) -> Any:
    """The readers load on first use: every `python -m bot` command builds the ingest parser, few ingest."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
