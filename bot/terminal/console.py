"""The local console: the chat command language in a terminal, no platform needed."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from ..chat.command import Command, parse_console_line
from ..chat.conversation import no_match
from ..digest.scheduler import utc_now
from ..digest.store import Store
from ..digest.subscribing import answer_digest
from ..errors import QuoteBotError
from ..library import Library
from . import render as terminal

logger = logging.getLogger(__name__)

HELP = """\
Commands (the same as /quote in Slack):
  /quote 算力                     quotes about 算力, best first (pinyin works too: suanli)
  /quote 大模型 speaker:陈石       filter by speaker: name, pinyin (chen shi) or id
  /quote topic:感受               a random quote on a topic: name, id or part of it (同质化)
  /quote random                   a random quote; filters work here too
  /speakers  /topics  /panels     what the library holds
  /context PANEL/QUOTE-ID         the question a quote answers and what was said around it
  /digest subscribe 09:00 Asia/Shanghai topic:感受   a daily quote here (also: unsubscribe, status, preview)
  /help  /quit
Bare words search too. Filters: speaker: topic: panel: (also 发言人： 话题：)."""


CONSOLE_CHANNEL = "console"


def answer(library: Library, command: Command, *, width: int = 78, color: bool = False,
           store: Callable[[], Store] | None = None) -> str:
    """The console's reply to one command, as text. `store` opens the state for /digest."""
    q = command.query
    if command.action == "digest":
        if store is None:
            raise QuoteBotError("digests need the state database; this console has none")
        reply = answer_digest(store(), library, command, platform="console", channel=CONSOLE_CHANNEL, user=None,
                              now=utc_now(), default_timezone=os.environ.get("DIGEST_DEFAULT_TZ", "UTC"))
        if reply.quote is None:
            return reply.text
        return reply.text + "\n" + terminal.render_quote(library, reply.quote, width=width, color=color)
    if command.action == "help":
        return HELP
    if command.action == "speakers":
        return terminal.table(terminal.speaker_rows(library), terminal.SPEAKER_COLUMNS)
    if command.action == "topics":
        return terminal.table(terminal.topic_rows(library), terminal.TOPIC_COLUMNS)
    if command.action == "panels":
        return terminal.table(terminal.panel_rows(library), terminal.PANEL_COLUMNS)
    if command.action == "context":
        ctx = library.context(command.argument)
        parts = []
        if ctx.question and ctx.question not in ctx.before:
            parts.append(terminal.render_quote(library, ctx.question, width=width, color=color, label="Q"))
        parts += [terminal.render_quote(library, x, width=width, color=color) for x in ctx.before]
        parts.append(terminal.render_quote(library, ctx.quote, width=width, color=color, label="»"))
        parts += [terminal.render_quote(library, x, width=width, color=color) for x in ctx.after]
        return "\n\n".join(parts)
    if command.action == "random":
        quote = library.random(q)
        return terminal.render_quote(library, quote, width=width, color=color) if quote else no_match(library, q)
    hits = library.search(q, limit=3)
    if not hits:
        return no_match(library, q)
    return terminal.render_hits(library, hits, width=width, color=color)


def typed_lines(read: Callable[[str], str] = input, out: TextIO = sys.stdout) -> Iterator[str]:
    """Lines typed at the prompt, as a shell reads them: Ctrl-C drops the line being typed, and a
    second Ctrl-C in a row, or Ctrl-D, leaves; the terminal is left on a fresh line."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    interrupted = False
    while True:
        try:
            line = read("quote> ")
        except EOFError:
            out.write("\n")
            return
        except KeyboardInterrupt:
            out.write("\n")
            if interrupted:
                return
            out.write("(Ctrl-C again or Ctrl-D to leave)\n")
            interrupted = True
            continue
        interrupted = False
        yield line


def run(library: Library, lines: Iterable[str] | None = None, out: TextIO = sys.stdout,
        store: Callable[[], Store] | None = None) -> int:
    """Answer commands until /quit or end of input; a bad command never ends the session.

    `lines` defaults to the terminal (with a prompt) or to standard input when it is piped.
    """
    interactive = lines is None and sys.stdin.isatty()
    if lines is None:
        lines = typed_lines(out=out) if interactive else sys.stdin
    color = terminal.use_color(out)
    width = terminal.terminal_width(out)
    if interactive:
        said = sum(not q.speaker.is_moderator for q in library.quotes)
        out.write(f"panel-quotes: {said} quotes and {len(library.quotes) - said} questions from "
                  f"{len(library.panels)} panel(s). Type /help for commands, /quit to leave.\n")
    for line in lines:
        if not line.strip():
            continue
        started = time.perf_counter()
        try:
            command = parse_console_line(line)
            if command.action == "quit":
                break
            reply = answer(library, command, width=width, color=color, store=store)
            logger.info("console %s %s answered in %.1f ms", command.action, command.query.describe(),
                        (time.perf_counter() - started) * 1000)
        except QuoteBotError as error:
            reply = f"error: {error}"
        except Exception:  # a bug must not end the session; say so and log it
            logger.exception("console command failed: %r", line)
            reply = "Sorry, something went wrong with that command; it has been logged."
        out.write(reply + "\n\n")
        out.flush()
    return 0
