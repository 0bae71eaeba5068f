"""The command line: a thin layer over the library that turns errors into one-line messages."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..chat import listings
from ..chat.replies import Card
from ..errors import DataError, QueryError, QuoteBotError
from ..library import MAX_LIMIT, Library
from ..models import Hit, Query, Quote, well_formed
from ..panels.ingest import command as ingest_command
from ..platforms import Platform, Serve
from ..quotecard import SIZES, THEMES
from ..settings import Settings, settings_problems
from . import render

ENGLISH = "en"  # the command line is for scripts and logs: one language

PROG = "python -m bot"
EXIT_USAGE, EXIT_DATA, EXIT_SOFTWARE = 2, 1, 70
logger = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_LIMIT}, not {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1900 <= int(text) <= 2999:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year such as 2023")
    return int(text)


def _parser(platforms: Sequence[Platform] = ()) -> _Parser:
    data = _Parser(add_help=False)
    data_help = "panel folder or file (default: $QUOTES_DATA_DIR or the shipped panels)"
    data.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS, help=data_help)
    output = _Parser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON")
    filters = _Parser(add_help=False)
    filters.add_argument("--speaker", metavar="S", help="name, pinyin or id: 陈石, 'chen shi', chen-shi")
    filters.add_argument("--topic", metavar="T", help="name, id or part of the name: 同质化")
    filters.add_argument("--panel", metavar="P", help="panel id")

    parser = _Parser(prog=PROG, description="Search and serve quotes from panel transcripts. "
                     "With no command: the chat bots whose tokens are set, else the interactive console.")
    parser.add_argument("--data", metavar="DIR", help=data_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    p = sub.add_parser("search", parents=[data, output, filters], help="quotes matching words, best first")
    p.add_argument("words", nargs="*", help="words to look for, in Chinese, pinyin or English")
    p.add_argument("--limit", type=_limit, default=5, metavar="N", help=f"at most N quotes (1-{MAX_LIMIT}, default 5)")
    sub.add_parser("random", parents=[data, output, filters], help="a random quote")
    p = sub.add_parser("digest", parents=[data, output, filters], help="a channel's quote of the day")
    p.add_argument("--channel", required=True, metavar="ID")
    p.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="default: today")
    for name, what in (("speakers", "the speakers"), ("topics", "the topics"), ("panels", "the panels")):
        sub.add_parser(name, parents=[data, output], help=f"list {what}")
    sub.add_parser("export", parents=[data, output], help="every quote, the moderator's included")
    p = sub.add_parser("context", parents=[data, output], help="a quote with its question and neighbours")
    p.add_argument("quote_id", metavar="QUOTE_ID", help="panel-id/quote-id, or the quote id alone")
    p = sub.add_parser("card", parents=[data], help="a quote as a PNG image card (a 金句卡片) to share")
    p.add_argument("quote_id", metavar="QUOTE_ID", help="panel-id/quote-id, or the quote id alone")
    p.add_argument("-o", "--output", metavar="FILE", type=Path, help="the PNG to write (default: QUOTE_ID's name, here)")
    p.add_argument("--size", choices=SIZES, default="square", help="square (1080×1080, the default) or portrait (1080×1350)")
    p.add_argument("--theme", choices=THEMES, default="light", help="light (the default) or dark")
    p.add_argument("--lang", choices=("en", "zh"), help="the reader's language: en adds the English gloss beneath "
                   "(default: QUOTES_LOCALE or the shell's)")
    p = sub.add_parser("validate", help="check panel files; every problem as file:line: message")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: the data folder)")
    p = sub.add_parser("ingest", help="turn transcripts (articles, subtitles, meeting exports, ASR JSON) into panel YAML")
    ingest_command.add_arguments(p, _date, _year)
    sub.add_parser("console", parents=[data], help="the interactive console")
    names = [platform.name for platform in platforms]
    p = sub.add_parser("check", parents=[data], help="check the settings, the data and the database; one line per problem")
    p.add_argument("--only", choices=names, help="also require this chat bot's tokens")
    for platform in platforms:
        for verb, (what, _) in platform.commands.items():
            sub.add_parser(verb, help=what)
    p = sub.add_parser("run", parents=[data], help="the chat bots whose tokens are set; the console when none is (the default)")
    p.add_argument("--only", choices=names, help="run this chat bot alone (one container each)")
    return parser


def _quote_json(library: Library, quote: Quote, hit: Hit | None = None) -> dict[str, Any]:
    from ..panels.moments import moment

    panel = library.panel(quote.panel)
    said = moment(panel, quote)
    data: dict[str, Any] = {
        "id": quote.ref, "quote_id": quote.id, "speaker": quote.speaker.name, "speaker_id": quote.speaker.id,
        "title": quote.speaker.title, "role": quote.speaker.role,
        "topic": quote.topic.name if quote.topic else None, "topic_id": quote.topic.id if quote.topic else None,
        "panel": quote.panel, "panel_title": panel.title, "event": panel.event,
        "date": panel.date.isoformat() if panel.date else None, "position": quote.position, "text": quote.text,
        "start": quote.start, "link": said.url if said else None,
        "text_en": quote.text_en, "title_en": quote.speaker.title_en,
        "topic_en": quote.topic.name_en if quote.topic else None, "panel_title_en": panel.title_en,
    }
    if hit is not None:
        data["score"], data["spans"] = hit.score, [list(s) for s in hit.spans]
        if hit.found_by:
            data["found_by"] = hit.found_by
        if hit.partial_of:
            data["partial_of"] = list(hit.partial_of)
    return data


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _library(args: argparse.Namespace) -> Library:
    from ..panels.cache import load_library  # imported here so that `--help` stays instant

    return load_library(args.data)


def _check(args: argparse.Namespace, platforms: Sequence[Platform], env: Mapping[str, str]) -> int:
    """Every problem that would stop the bot, one line each; exit 1 if there is any."""
    from ..digest.store import Store, database_url
    from ..panels.cache import load_library

    problems = settings_problems(env) + _platform_problems(platforms, env, getattr(args, "only", None))
    try:
        library = load_library(getattr(args, "data", None), use_cache=False)
    except DataError as error:
        problems += [str(p) for p in error.problems]
        library = None
    try:
        if not any(problem.startswith("DATABASE_URL=") for problem in problems):
            Store.open(database_url())
    except QuoteBotError as error:
        problems.append(str(error))
    problems = list(dict.fromkeys(problems))  # a shared setting is named once, not once per platform
    for problem in problems:
        print(problem)
    if not env.get("QUOTES_CARD_FONT", "").strip():  # cards are optional: their want of a font is a warning
        from ..quotecard.fonts import font_problem

        if font := font_problem(env):
            print(f"warning: {font}", file=sys.stderr)
    if not problems and library is not None:
        configured = [p.label for p in platforms if p.configured(env) or p.name == getattr(args, "only", None)]
        chats = f"the {' and '.join(configured)} settings are complete" if configured else \
            "no chat platform is configured (the console only)"
        print(f"ok: {len(library.quotes)} quotes, the database opens, {chats}", file=sys.stderr)
    return EXIT_DATA if problems else 0


def _platform_problems(platforms: Sequence[Platform], env: Mapping[str, str], only: str | None) -> list[str]:
    """The configured platforms' settings and extras, one line per problem; `only`'s are required."""
    problems = []
    for platform in platforms:
        if platform.configured(env) or platform.name == only:
            for attempt in (lambda p=platform: p.read_settings(env), platform.require):
                try:
                    attempt()
                except QuoteBotError as error:
                    problems.append(str(error))
    return problems


def _servers(platforms: Sequence[Platform], env: Mapping[str, str], only: str | None) -> list[tuple[str, Serve]]:
    """What serves each chat platform whose tokens are set (or `only` that one); bad settings and
    missing extras fail here, before the data is loaded."""
    chosen = [p for p in platforms if (p.name == only if only else p.configured(env))]
    if only and not chosen[0].configured(env):
        raise QuoteBotError(f"--only {only} needs {chosen[0].secrets[0]}")
    if not chosen:
        return []
    for platform in chosen:
        platform.require()
        platform.read_settings(env)
    from ..digest.store import Store, database_url

    store = Store.open(database_url(env))  # the digests' state, shared by every platform
    return [(platform.name, platform.server(env, store)) for platform in chosen]


def _run(args: argparse.Namespace, platforms: Sequence[Platform], env: Mapping[str, str]) -> int:
    color = not getattr(args, "json", False) and render.use_color(sys.stdout)
    command = args.command or "run"
    if command == "validate":
        return _validate(args.paths)
    if command == "ingest":
        return _ingest(args)
    for platform in platforms:
        if command in platform.commands:
            print(platform.command(command, env))
            return 0
    if command == "check":
        return _check(args, platforms, env)
    settings = Settings.from_env(env) if command in ("run", "console") else Settings()
    servers = _servers(platforms, env, getattr(args, "only", None)) if command == "run" else []
    library = _library(args)
    if servers:
        from ..serving import serve_all

        return serve_all(library, servers, getattr(args, "data", None), settings)
    if command == "run" and args.command == "run" and not sys.stdin.isatty():  # a container without its tokens
        tokens = ", ".join(name for platform in platforms for name in platform.tokens)
        print(f"{PROG}: no chat token is set ({tokens}): answering commands from standard input", file=sys.stderr)
    if command in ("console", "run"):
        import functools

        from ..digest.store import Store, database_url
        from .console import run

        return run(library, store=functools.cache(lambda: Store.open(database_url())))
    if command in ("search", "random", "digest"):
        query = Query(" ".join(getattr(args, "words", [])), args.speaker, args.topic, args.panel)
        if command == "search":
            hits = library.search(query, limit=args.limit)
        else:
            quote = (library.random(query) if command == "random"
                     else library.digest(args.channel, args.date or dt.date.today(), query))
            hits = [Hit(quote, 0.0)] if quote else []
        if args.json:
            items = [_quote_json(library, h.quote, h if command == "search" else None) for h in hits]
            _print_json(items if command == "search" else (items[0] if items else None))
        elif hits:
            from ..chat import catalogue
            from ..chat.replies import message
            from .console import console_language

            if hits[0].partial_of:  # said first, in English like the command line's other messages
                print(catalogue.text(message("search.partial", phrases=hits[0].partial_of), ENGLISH), file=sys.stderr)
            # The quotes for the shell's reader: an English one gets the glosses.
            cards = [Card(h.quote, library.panel(h.quote.panel), h.spans, console_language(env)) for h in hits]
            print(render.render_cards(cards, width=render.terminal_width(sys.stdout), color=color))
        else:
            from ..chat.core import Chat
            from .console import show

            print(show(Chat(library).no_match(query), ENGLISH), file=sys.stderr)
        return 0
    if command == "card":
        return _card(args, library, env)
    if command == "context":
        ctx = library.context(args.quote_id)
        if args.json:
            _print_json({"quote": _quote_json(library, ctx.quote),
                         "question": _quote_json(library, ctx.question) if ctx.question else None,
                         "before": [_quote_json(library, q) for q in ctx.before],
                         "after": [_quote_json(library, q) for q in ctx.after]})
        else:
            from ..chat.core import Chat
            from .console import show

            print(show(Chat(library).context(args.quote_id), ENGLISH, width=render.terminal_width(sys.stdout),
                       color=color))
        return 0
    if command == "export":
        items = [_quote_json(library, q) for q in library.quotes]
        if args.json:
            _print_json(items)
        else:
            print(render.table([[str(i[k] or "") for k in ("id", "speaker", "role", "topic", "text")] for i in items]))
        return 0
    columns = listings.COLUMNS[command]
    rows = listings.ROWS[command](library)
    if args.json:
        numbers = ("paragraphs", "quotes", "questions")
        items = [{k: int(v) if k in numbers else v for k, v in zip(columns, row)} for row in rows]
        for item in items:  # "count" as before: every paragraph of the speaker, topic or panel
            item["count"] = sum(item.get(k, 0) for k in numbers)
        _print_json(items)
    else:
        print(render.table(rows, columns))
    return 0


def _card(args: argparse.Namespace, library: Library, env: Mapping[str, str]) -> int:
    """Write the quote's card and print where; a quote cut to fit is said on standard error."""
    from ..chat.catalogue import language_of
    from ..quotecard.draw import render_card_image
    from .console import console_language

    quote = library.quote(args.quote_id)
    language = language_of(args.lang) if args.lang else console_language(env)
    image = render_card_image(Card(quote, library.panel(quote.panel), language=language), args.size, args.theme, env)
    print(render.save_picture(image, args.output or Path(image.filename)))
    if image.truncated:
        print(f"{PROG}: the quote is too long for the card: cut, with a pointer to the full text", file=sys.stderr)
    return 0


def _validate(paths: Sequence[str]) -> int:
    from ..panels.cache import data_path, load_library

    targets: list[str | None] = list(paths) or [os.environ.get("QUOTES_DATA_DIR") or None]
    failed = False
    for target in targets:
        try:
            library = load_library(target, use_cache=False)
        except DataError as error:
            failed = True
            for problem in error.problems:
                print(problem)
            continue
        except Exception as error:  # a bug met on this data: still one line naming it, and exit 1
            failed = True
            logger.debug("validating %s failed", target, exc_info=True)
            print(f"{data_path(target)}: cannot be validated ({type(error).__name__}: {str(error)[:200]}); "
                  "this is a bug, LOG_LEVEL=DEBUG shows where")
            continue
        print(f"ok: {len(library.panels)} panel(s), {len(library.quotes)} quotes"
              + (f" in {target}" if target else ""), file=sys.stderr)
    return EXIT_DATA if failed else 0


def _ingest(args: argparse.Namespace) -> int:
    return ingest_command.run(args)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """The command line: `python -m bot` and the installed `panel-quotes` script."""
    from ..platforms import installed, secrets
    from .logs import configure

    env = os.environ if env is None else env
    platforms = installed()
    configure(env, secrets(platforms, env))
    # An argument with bytes that are not UTF-8 arrives with lone surrogates, which cannot be
    # printed or stored: each such byte becomes U+FFFD, as any text editor shows it.
    typed = [well_formed(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    args = _parser(platforms).parse_args(typed)
    try:
        return _run(args, platforms, env)
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_DATA
    except (QueryError, QuoteBotError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as error:  # a bug: one line for the user, the traceback for the log
        logger.debug("command failed", exc_info=True)
        print(f"{PROG}: internal error: {type(error).__name__}: {error} (LOG_LEVEL=DEBUG shows where)",
              file=sys.stderr)
        return EXIT_SOFTWARE
