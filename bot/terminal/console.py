"""The local console: the chat command language in a terminal, no platform needed."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..chat import catalogue
from ..chat.catalogue import language_of
from ..chat.command import CONSOLE_BUTTONS, parse_console_line
from ..chat.cooldown import Cooldown
from ..chat.core import Chat, failure
from ..chat.parties import Actor, Place
from ..chat.replies import Answer, Card, ContextView, Help, Listing, Message, Notice, Picture, Raw, Reply, message
from ..errors import QuoteBotError
from ..library import Library
from . import render

if TYPE_CHECKING:
    from ..digest.store import Store

logger = logging.getLogger(__name__)

CONSOLE = "console"


def console_language(env: Mapping[str, str] = os.environ) -> str:
    """QUOTES_LOCALE, else the shell's LC_ALL, LC_MESSAGES or LANG; English when none names one we speak."""
    for name in ("QUOTES_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return language_of(env[name])
    return language_of(None)


def show(reply: Reply, language: str, *, width: int = 78, color: bool = False) -> str:
    """A typed reply as terminal text, in `language`: the console's renderer."""
    def say(said: Message) -> str:
        return catalogue.text(said, language, render.printable)

    if isinstance(reply, Answer):
        parts = [say(reply.note)] if reply.note else []
        parts.append(render.render_card(reply.card, width=width, color=color))
        extras = [say(message("page", n=reply.page[0], total=reply.page[1]))] if reply.page else []
        typed = [f"/{b.value}" for b in reply.buttons if b.value in CONSOLE_BUTTONS]
        if typed:
            extras.append(say(message("console.buttons", buttons=Raw("  ".join(typed)))))
        return "\n".join(parts) + ("\n      " + " · ".join(extras) if extras else "")
    if isinstance(reply, ContextView):
        labels = {True: say(message("context.q")), False: ""}
        return "\n\n".join(render.render_card(Card(line.quote, reply.panel, language=language), width=width, color=color,
                                                label="»" if line.is_focus else labels[line.is_question])
                             for line in reply.lines)
    if isinstance(reply, Listing):
        header = [say(message(f"column.{reply.kind}.{c}")) for c in reply.columns]
        return render.table([reply.shown(row, say) for row in reply.rows], header)
    if isinstance(reply, Help):
        rows = [[f"/quote {render.printable(entry.example)}", say(entry.meaning)] for entry in reply.entries]
        rows.append(["/quit", say(message("help.quit"))])
        return "\n".join([say(reply.intro), render.table(rows), say(reply.outro)])
    if isinstance(reply, Notice):
        return catalogue.sentences(reply.messages, language, render.printable)
    return ""  # Shared and Removed need a channel and a preview: the console has neither


def typed_lines(read: Callable[[str], str] = input, out: TextIO = sys.stdout,
                ctrl_c: str = "(Ctrl-C again or Ctrl-D to leave)") -> Iterator[str]:
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
            out.write(ctrl_c + "\n")
            interrupted = True
            continue
        interrupted = False
        yield line


class Console:
    """One person at their own desk: they manage its digest, and type the buttons under the last
    answer (/another, /next, /prev, /context)."""

    def __init__(self, library: Library, *, env: Mapping[str, str] = os.environ,
                 store: Callable[[], Store] | None = None, cooldown: Cooldown | None = None,
                 width: int = 78, color: bool = False) -> None:
        self.language = console_language(env)
        self.chat = Chat(library, cooldown=cooldown, open_store=store,
                         default_timezone=env.get("DIGEST_DEFAULT_TZ", "UTC"))
        self.actor, self.place = Actor(getpass_user(), self.language, manages=True), Place(CONSOLE, CONSOLE)
        self.width, self.color = width, color
        self.last = ""  # the token of the last answer, for the typed buttons
        self.cards = cards_folder(env)

    def answer(self, line: str) -> str:
        """The reply to one typed line, as text; raises EOFError on /quit."""
        started = time.perf_counter()
        try:
            command = parse_console_line(line)
            if command.action == "quit":
                raise EOFError
            if command.action == "press":
                reply = self.chat.press(self.last, command.argument, self.actor, self.place)
            else:
                reply = self.chat.run(command, self.actor, self.place)
            if isinstance(reply, Answer):
                self.last = reply.token
            if isinstance(reply, Picture):  # no channel to post it to: a file beside the others
                path = render.save_picture(reply.image, self.cards, option="/card")
                reply = Notice((message("card.saved", path=Raw(str(path))),))
            logger.info("console %s %s answered in %.1f ms", command.action, command.query.describe(),
                        (time.perf_counter() - started) * 1000)
            return show(reply, self.language, width=self.width, color=self.color)
        except QuoteBotError as error:
            return show(failure(error), self.language)
        except EOFError:
            raise
        except Exception:  # a bug must not end the session; say so and log it
            logger.exception("console command failed: %r", line)
            return catalogue.text(message("sorry"), self.language)


def run(library: Library, lines: Iterable[str] | None = None, out: TextIO | None = None,
        store: Callable[[], Store] | None = None, env: Mapping[str, str] = os.environ,
        cooldown: Cooldown | None = None) -> int:
    """Answer commands until /quit or end of input; a bad command never ends the session.

    `lines` defaults to the terminal (with a prompt) or to standard input when it is piped.
    """
    out = out or sys.stdout  # looked up now: a caller may have replaced it
    console = Console(library, env=env, store=store, cooldown=cooldown, width=render.terminal_width(out),
                      color=render.use_color(out))
    interactive = lines is None and sys.stdin.isatty()
    if lines is None and isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")  # a byte that is not UTF-8 is shown as U+FFFD, not the end
    if lines is None:
        lines = typed_lines(out=out, ctrl_c=catalogue.text(message("console.ctrl_c"), console.language)) \
            if interactive else sys.stdin
    if interactive:
        said = sum(not q.speaker.is_moderator for q in library.quotes)
        out.write(catalogue.text(message("console.banner", quotes=said, questions=len(library.quotes) - said,
                                         panels=len(library.panels)), console.language) + "\n")
    for line in lines:
        if not line.strip():
            continue
        try:
            text = console.answer(line)
        except EOFError:
            break
        out.write(text + "\n\n")
        out.flush()
    return 0


def getpass_user() -> str:
    """Who sits at the console, for the digest's created_by: the login name, when there is one."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return CONSOLE


def cards_folder(env: Mapping[str, str] = os.environ) -> Path:
    """Where /card saves: `cards` in QUOTES_CACHE_DIR, else in the system's temporary folder (always
    writable, as the working directory of a container is not)."""
    import tempfile

    base = Path(env["QUOTES_CACHE_DIR"]) if env.get("QUOTES_CACHE_DIR") else Path(tempfile.gettempdir()) / "panel-quotes"
    folder = base / "cards"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="panel-quotes-cards-"))
    return folder
