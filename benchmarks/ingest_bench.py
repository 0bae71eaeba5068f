"""Ingest speed: a three-hour subtitle file, and a folder of 200 transcripts with its progress bar.

    python -m benchmarks.ingest_bench [--cues 2500] [--files 200]

Each case runs what `python -m bot ingest` runs: decode, detect, read, name speakers, label
topics, write YAML and load it back to check it. The subtitle file is timed three ways: the
whole command in a fresh interpreter (`python -m bot ingest FILE --dry-run`: interpreter
start-up and imports included), the first ingest in a process (the word list that labelling
Chinese questions needs loads then), and an ingest once it is loaded (every file of a folder
after the first). The folder is timed in this process with its progress bar.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.panels.ingest import command

SPEAKERS_EN = ["Maria Chen", "Tom Okafor", "Priya Nair", "José Álvarez"]
SPEAKERS_ZH = ["周航", "林晓", "陈一鸣", "欧阳·娜扎"]
WORDS = "data models open weights money teams people build ship test budget grant reader radio council".split()
PHRASES = "大模型 算力 成本 客户 落地 开源 我们 觉得 需要 时间 市场 应用 技术 团队 数据 监管 未来".split()


def _sentence(rng: random.Random, chinese: bool, asking: bool) -> str:
    if chinese:
        return "".join(rng.choices(PHRASES, k=rng.randint(4, 9))) + ("？" if asking else "。")
    text = " ".join(rng.choices(WORDS, k=rng.randint(5, 12)))
    return text[0].upper() + text[1:] + ("?" if asking else ".")


def _clock(seconds: float) -> str:
    h, rest = divmod(int(seconds * 1000), 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02}:{m:02}:{rest // 1000:02},{rest % 1000:03}"


def subtitles(cues: int, *, chinese: bool, seed: int = 1) -> str:
    """An SRT of `cues` cues over three hours: a moderator asking, three panelists answering."""
    rng = random.Random(seed)
    names = SPEAKERS_ZH if chinese else SPEAKERS_EN
    step = 3 * 3600 / cues
    out, speaker = [], ""
    for n in range(cues):
        who = names[0] if n % 40 == 0 else speaker if n % 6 else rng.choice(names[1:])
        prefix = f"{who.upper()}: " if who != speaker else ""
        speaker = who
        text = _sentence(rng, chinese, asking=who == names[0])
        out.append(f"{n + 1}\n{_clock(n * step)} --> {_clock(n * step + step * 0.9)}\n{prefix}{text}\n")
    return "\n".join(out)


def article(turns: int, *, chinese: bool, seed: int) -> str:
    rng = random.Random(seed)
    names = SPEAKERS_ZH if chinese else SPEAKERS_EN
    colon = "：" if chinese else ": "
    lines = [f"Moderator: {names[0]}. Panelists: {', '.join(names[1:])}.", ""]
    for n in range(turns):
        who = names[0] if n % 4 == 0 else rng.choice(names[1:])
        lines.append(who + colon + " ".join(_sentence(rng, chinese, who == names[0]) for _ in range(rng.randint(1, 4))))
    return "\n".join(lines) + "\n"


def _letters(n: int) -> str:
    return "".join("abcdefghijklmnopqrstuvwxyz"[n // 26 ** k % 26] for k in range(3))


def _hostile() -> list[tuple[str, str, float]]:
    """Inputs built to cost: each must stay linear in its size."""
    from bot.panels.ingest.decode import MAX_BYTES

    line = "Jane Doe: This is the same line again and again.\n"
    return [
        ("5000-speakers.txt", "".join(f"Ann{_letters(n)} Bel{_letters(n)}: Hello there, said once.\n" for n in range(5000)), 5.0),
        ("1000-name-roster.txt", "Panelists: " + "; ".join(f"Ann{_letters(n)} Bel{_letters(n)}, engineer at Co{_letters(n)}"
                                                       for n in range(1000)) + ".\n\n"
         + "".join(f"Ann{_letters(n)} Bel{_letters(n)}: What changed?\n" for n in range(1000)), 5.0),
        ("200k-parens.srt", "1\n00:00:01,000 --> 00:00:02,000\nANN LEE: " + "(" * 200_000 + "\n\n"
         "2\n00:00:03,000 --> 00:00:04,000\nBEN ROE: Why?\n", 2.0),
        ("300k-voice-tags.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann Lee>" + "<v " * 100_000 + "\n\n"
         "00:00:03.000 --> 00:00:04.000\n<v Ben Roe>Why?\n", 2.0),
        ("size-limit-one-speaker.txt", line * (MAX_BYTES // len(line) - 1), 10.0),
    ]


def _args(transcript: Path, output: Path | None) -> argparse.Namespace:
    return argparse.Namespace(transcript=transcript, output=str(output) if output else None, dry_run=output is None,
                              panel_id=None, format=None, speakers=[], moderator=None, date=None, year=None,
                              title=None, event=None, host=None, source_url=None, recording=None, force=True)


def _in_process(transcript: Path, output: Path | None, progress: bool) -> tuple[float, str]:
    err = io.StringIO()
    started = time.perf_counter()
    code = command.run(_args(transcript, output), err=err, out=io.StringIO(), progress=progress)
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"ingest failed:\n{err.getvalue()}")
    return elapsed, err.getvalue()


def _fresh_process(transcript: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "ingest", str(transcript), "--dry-run"], check=True,
                   capture_output=True, timeout=120)
    return time.perf_counter() - started


def _first_in_process(transcript: Path) -> float:
    """The first ingest in a new interpreter, timed inside it: what loading the dictionary adds."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.ingest_bench", "--time-one", str(transcript)], check=True,
                          capture_output=True, text=True, timeout=120)
    return float(done.stdout)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cues", type=int, default=2500)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--time-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_one:
        print(_in_process(args.time_one, None, progress=False)[0])
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for chinese in (False, True):
            srt = folder / f"three-hours-{'zh' if chinese else 'en'}.srt"
            srt.write_text(subtitles(args.cues, chinese=chinese), encoding="utf-8")
            language = "Chinese" if chinese else "English"
            rows.append((f"3-hour SRT, {args.cues:,} cues, {language}: whole command, fresh interpreter",
                         min(_fresh_process(srt) for _ in range(3)), 1.0))
            rows.append((f"3-hour SRT, {args.cues:,} cues, {language}: first ingest in a process",
                         min(_first_in_process(srt) for _ in range(3)), 1.0))
            _in_process(srt, None, progress=False)
            rows.append((f"3-hour SRT, {args.cues:,} cues, {language}: once the dictionary is loaded",
                         min(_in_process(srt, None, progress=False)[0] for _ in range(3)), 1.0))
        many = folder / "many"
        many.mkdir()
        for n in range(args.files):
            chinese = n % 2 == 1
            if n % 4 < 2:
                (many / f"panel-{n:03}.md").write_text(article(60, chinese=chinese, seed=n), encoding="utf-8")
            else:
                (many / f"panel-{n:03}.srt").write_text(subtitles(300, chinese=chinese, seed=n), encoding="utf-8")
        elapsed, printed = _in_process(many, folder / "out", progress=True)
        if f"{args.files} transcripts: wrote {args.files}" not in printed or f"0/{args.files}" not in printed:
            raise SystemExit(f"the folder run did not write every file with a progress bar:\n{printed[-500:]}")
        rows.append((f"folder of {args.files} transcripts (articles and SRTs), with the progress bar", elapsed, 30.0))
        for name, text, target in _hostile():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            rows.append((f"hostile: {name}", min(_in_process(path, None, progress=False)[0] for _ in range(2)), target))
    print("| ingest | seconds | target |")
    print("| --- | --- | --- |")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.2f} | under {target:g} s |")


if __name__ == "__main__":
    main()
