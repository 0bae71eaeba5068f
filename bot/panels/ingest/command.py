"""`python -m bot ingest`: one transcript or a folder of them, a summary of each, and safe writes."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ...errors import DataError, QuoteBotError
from ..moments import is_web_url
from ..slug import slugify, unique_slug
from . import FORMATS

if TYPE_CHECKING:
    from . import Ingested, Options, Report

SUFFIXES = (".md", ".markdown", ".txt", ".text", ".srt", ".vtt", ".json")
PROGRESS_FROM = 5  # files; fewer finish before a bar would be worth drawing


def add_arguments(p: argparse.ArgumentParser, date: Callable[[str], dt.date], year: Callable[[str], int]) -> None:
    p.add_argument("transcript", metavar="TRANSCRIPT", type=Path, help="a transcript file, or a folder of them")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="a .yaml file, or a folder (created if missing); default: standard output")
    p.add_argument("--format", choices=list(FORMATS), help="read as this format instead of detecting it")
    p.add_argument("--speaker", dest="speakers", action="append", default=[], metavar="LABEL=Name[|Title]",
                   help="name the person behind a label: 'SPEAKER_00=Jane Doe|Editor' (repeatable)")
    p.add_argument("--moderator", metavar="NAME", help="who moderates (default: the introduction's, else inferred)")
    p.add_argument("--force", action="store_true", help="overwrite existing output")
    p.add_argument("--dry-run", action="store_true", help="print the summaries, write nothing")
    p.add_argument("--id", dest="panel_id", metavar="ID", help="panel id (default: from the file name)")
    p.add_argument("--year", type=year, help="the year, when the transcript gives only month and day")
    p.add_argument("--date", type=date, metavar="YYYY-MM-DD", help="the panel's date, overriding the text")
    p.add_argument("--recording", metavar="URL", help="the recording's URL: answers link to each quote's moment")
    for name in ("title", "event", "host", "source-url"):
        p.add_argument(f"--{name}", metavar=name.split("-")[0].upper())


@dataclass(frozen=True)
class _Job:
    source: Path
    target: Path | None  # None: standard output


def _jobs(args: argparse.Namespace) -> tuple[list[_Job], int]:
    """What to read and where to write it, and how many files of a folder were skipped."""
    source = args.transcript
    out = Path(args.output) if args.output else None
    into_folder = bool(args.output) and args.output.endswith(("/", "\\"))  # Path() would drop the slash
    if source.is_dir():
        if args.panel_id:
            raise QuoteBotError("--id names one panel; it cannot be used with a folder")
        if out is None and not args.dry_run:
            raise QuoteBotError(f"{source} is a folder: pass -o DIR for the panel files (or --dry-run)")
        if out is not None and out.exists() and not out.is_dir():
            raise QuoteBotError(f"{out}: is a file; a folder of transcripts needs a folder to write into")
        files = sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
        transcripts = [p for p in files if p.suffix.lower() in SUFFIXES]
        if not transcripts:
            raise QuoteBotError(f"{source}: no transcripts ({', '.join(SUFFIXES)}) in this folder")
        taken: set[str] = set()
        jobs = []
        for path in transcripts:
            panel_id = unique_slug(path.stem, taken, fallback="panel")
            jobs.append(_Job(path, out / f"{panel_id}.yaml" if out is not None else None))
        return jobs, len(files) - len(transcripts)
    if not source.exists():
        raise QuoteBotError(f"{source}: no such file")
    if out is not None and (out.is_dir() or into_folder):
        out = out / f"{args.panel_id or slugify(source.stem, fallback='panel')}.yaml"
    return [_Job(source, out)], 0


def _options(args: argparse.Namespace, job: _Job) -> Options:
    from . import Options

    folder = args.transcript.is_dir() and job.target is not None  # there the file name is the unique id
    panel_id = args.panel_id or (job.target.stem if folder and job.target else slugify(job.source.stem, fallback="panel"))
    return Options(panel_id=panel_id, format=args.format, speakers=args.speaker_maps,
                   moderator=args.moderator, date=args.date, year=args.year, title=args.title, event=args.event,
                   host=args.host, source_url=args.source_url, recording=args.recording, file_name=job.source.stem)


@dataclass(frozen=True)
class _Done:
    result: Ingested
    encoding: str
    yaml_text: str


def _one(args: argparse.Namespace, job: _Job) -> _Done:
    from ..loader import read_panel

    if job.target is not None and job.target.exists() and not args.force and not args.dry_run:
        raise QuoteBotError(f"{job.target} exists; pass --force to overwrite it")
    from . import ingest, read_transcript, to_yaml

    text, encoding = read_transcript(job.source)
    options = _options(args, job)
    try:
        result = ingest(text, options)
    except QuoteBotError as error:
        raise QuoteBotError(f"{job.source}: {error}") from None
    yaml_text = to_yaml(result.document, origin=job.source.name)
    try:
        read_panel(str(job.target or job.source), yaml_text)  # what ingest writes must load
    except DataError as error:
        raise QuoteBotError(f"{job.source}: the panel ingest made does not load: {error.problems[0]}") from None
    return _Done(result, encoding, yaml_text)


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as error:
        raise QuoteBotError(f"{target}: cannot write: {error.strerror or error}") from None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def summary(report: Report, encoding: str, document: dict[str, object]) -> list[str]:
    """What ingest read and decided, a few lines for a person to check."""
    how = "detected" if report.detected else "--format"
    lines = [f"format: {report.format} ({how}), {encoding}"]
    width = max((_width(name) for name, *_ in report.speakers), default=0)
    lines.append(f"speakers ({len(report.speakers)}):")
    for name, role, paragraphs, found in report.speakers:
        why = report.moderator_how if role == "moderator" and report.moderator_how else found
        unit = "paragraph" if paragraphs == 1 else "paragraphs"
        pad = " " * (width - _width(name))
        lines.append(f"  {name}{pad}  {role:<9}  {paragraphs:>4} {unit}" + (f"  ({why})" if why else ""))
    lines.append(f"topics ({len(report.topics)}): {', '.join(report.topics) or 'none'}")
    quotes = document.get("quotes")
    total = len(quotes) if isinstance(quotes, list) else 0
    if report.timed:
        lines.append(f"times: {report.timed} of {total} quotes have a start")
    panel = document.get("panel")
    date = panel.get("date") if isinstance(panel, dict) else None
    lines.append(f"date: {date} ({report.date_how})" if date else f"date: {report.date_how or 'none'}")
    dropped = [f"{reason}: {n}" for reason, n in report.dropped.most_common() if n]
    lines.append(f"dropped: {', '.join(dropped) if dropped else 'nothing'}")
    lines += [f"warning: {w}" for w in report.warnings]
    return lines


def run(args: argparse.Namespace, *, err: TextIO | None = None, out: TextIO | None = None,
        progress: bool | None = None) -> int:
    """Ingest what the arguments name; 0 when everything was written, 1 when anything failed."""
    err, out = err or sys.stderr, out or sys.stdout
    from . import SpeakerMap

    args.speaker_maps = tuple(SpeakerMap.parse(s) for s in args.speakers)  # a malformed one is a usage error
    if args.recording and not is_web_url(args.recording):
        raise QuoteBotError(f"--recording {args.recording!r} is not an http or https URL")
    try:
        jobs, skipped = _jobs(args)
    except QuoteBotError as error:
        print(error, file=err)
        return 1
    folder = args.transcript.is_dir()
    show_bar = progress if progress is not None else (len(jobs) >= PROGRESS_FROM and err.isatty())
    failed = 0
    from tqdm import tqdm

    with tqdm(total=len(jobs), file=err, disable=not show_bar, unit="file", leave=False) as bar:
        def say(line: str) -> None:
            (bar.write(line, file=err) if show_bar else print(line, file=err))

        for job in jobs:
            try:
                done = _one(args, job)
            except Exception as error:  # one transcript's failure, even a bug, never stops the others
                if not folder and not isinstance(error, QuoteBotError):
                    raise
                failed += 1
                message = str(error) if isinstance(error, QuoteBotError) else f"{job.source}: internal error: {error!r}"
                say(f"error: {message}" if folder else message)
                bar.update()
                if not folder:
                    return 1
                continue
            document = done.result.document
            counts = (f"{len(document['speakers'])} speakers, {len(document['topics'])} topics, "
                      f"{len(document['quotes'])} quotes")
            lines = summary(done.result.report, done.encoding, document)
            if folder:
                say(f"{job.source}: {done.result.report.format}, {counts}")
                for line in lines:
                    if line.startswith("warning:"):
                        say("  " + line)
            else:
                for line in lines:
                    say(line)
            if args.dry_run:
                pass
            elif job.target is None:
                out.write(done.yaml_text)
            else:
                _write(job.target, done.yaml_text)
                if not folder:
                    say(f"wrote {job.target}: {counts}; review it before committing")
            bar.update()
    if folder:
        verb = "read" if args.dry_run else f"wrote {len(jobs) - failed} to {args.output}"
        note = f"; skipped {skipped} files that are not transcripts" if skipped else ""
        print(f"{len(jobs)} transcripts: {verb}, {failed} failed{note}", file=err)
    return 1 if failed else 0
