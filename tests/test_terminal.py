"""The console's rendering of a quote: when it was said, and the link to that moment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import bot
from bot.chat.replies import Card
from bot.terminal.render import render_card

from .conftest import MINIMAL_PANEL, recorded_panel


def rendered(write_panel: Callable[..., Path], panel: str) -> list[str]:
    library = bot.load_library(write_panel(panel).parent, use_cache=False)
    quote = library.quote("q2")
    return render_card(Card(quote, library.panel(quote.panel))).splitlines()


def test_the_time_ends_the_where_line_and_the_link_follows_it(write_panel: Callable[..., Path]) -> None:
    assert rendered(write_panel, recorded_panel()) == [
        "    The engine weaves algebraic patterns.",
        "    — Ada Lovelace · Analyst",
        "      Engines · Test panel · 2024-01-02 · 12:34",
        "      https://youtu.be/abc123?t=754",
        "      p/q2",
    ]


def test_without_a_recording_the_time_shows_alone(write_panel: Callable[..., Path]) -> None:
    panel = recorded_panel().replace("  recording: https://youtu.be/abc123\n", "")
    assert rendered(write_panel, panel)[2:] == ["      Engines · Test panel · 2024-01-02 · 12:34", "      p/q2"]


def test_a_quote_without_a_start_renders_as_before(write_panel: Callable[..., Path]) -> None:
    assert rendered(write_panel, MINIMAL_PANEL.format(panel_id="p"))[2:] == [
        "      Engines · Test panel · 2024-01-02", "      p/q2"]


def test_escape_sequences_in_data_never_reach_the_terminal(write_panel: Callable[..., Path]) -> None:
    panel = (recorded_panel(recording="https://example.org/panel.mp4?a=)&b=<x>")
             .replace("name: Engines", 'name: "Engines\\e]8;;https://evil.example\\a"')
             .replace("text: The engine weaves algebraic patterns.", 'text: "The engine \\e[2J\\x9b31m weaves patterns."'))
    lines = rendered(write_panel, panel)
    assert not any(c in line for line in lines for c in "\x1b\x07\x9b")
    assert lines[0] == "    The engine \ufffd[2J\ufffd31m weaves patterns."
    assert lines[2] == "      Engines\ufffd]8;;https://evil.example\ufffd · Test panel · 2024-01-02 · 12:34"
    assert lines[3] == "      https://example.org/panel.mp4?a=)&b=<x>#t=754"


def test_data_text_cannot_reverse_or_colour_the_terminal() -> None:
    from bot.terminal.render import printable

    hostile = "ok \u202eevil\u202c \u2066x\u2069 \x1b[31mred\x1b[0m\tand\nmore"
    assert printable(hostile) == "ok \ufffdevil\ufffd \ufffdx\ufffd \ufffd[31mred\ufffd[0m\tand\nmore"
