"""What hostile input costs: each case in a fresh process, with its time and peak memory.

    python -m benchmarks.hostile_bench [--case NAME]

Every case feeds the bot something an attacker or a careless editor would: commands of any
shape and length, panel files built to explode (an alias bomb, a 5,000-digit number, an
8 MB quote), undecodable bytes. "Handled" counts the inputs that got an answer or a one-line
error, never an internal error. Peak memory is the process's resident high-water mark, the
interpreter and its imports included: the `baseline` row is what a case costs before its input.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Case = Callable[[], tuple[int, int]]  # (inputs handled, inputs tried)
CASES: dict[str, tuple[str, str, Case]] = {}


def case(area: str, what: str) -> Callable[[Case], Case]:
    def register(run: Case) -> Case:
        CASES[run.__name__] = (area, what, run)
        return run
    return register


def _chat() -> tuple[object, object, object]:
    import bot
    from bot import Actor, Chat, Cooldown, Place

    return Chat(bot.load_library(), cooldown=Cooldown.parse("off")), Actor("U1"), Place("bench", "C1")


def _answered(reply: object) -> bool:
    from bot import Answer, Listing, Notice

    return isinstance(reply, (Answer, Notice, Listing))


@case("—", "nothing: the interpreter, the library and the chat core loaded")
def baseline() -> tuple[int, int]:
    _chat()
    return 1, 1


@case("commands", 'a command of 32,000 `"` (over the 2,000-character limit)')
def quotes_32k() -> tuple[int, int]:
    chat, actor, place = _chat()
    return int(_answered(chat.ask('"' * 32_000, actor, place))), 1  # type: ignore[attr-defined]


@case("commands", "a command of 1,000 `“ ` pairs, never closed (at the limit)")
def open_quotes() -> tuple[int, int]:
    chat, actor, place = _chat()
    return int(_answered(chat.ask("“ " * 1000, actor, place))), 1  # type: ignore[attr-defined]


@case("commands", "a console line of 1 MB")
def console_megabyte() -> tuple[int, int]:
    import bot
    from bot.terminal.console import run

    out = io.StringIO()
    run(bot.load_library(), lines=["/quote " + "“" * 1_000_000 + "\n"], out=out)
    return int("at most 2000" in out.getvalue()), 1


@case("commands", "10,000 random commands: quotes, colons, filters, surrogates, up to 300 characters")
def random_commands() -> tuple[int, int]:
    chat, actor, place = _chat()
    rng = random.Random(12)
    pieces = ['"', "“", "”", "'", "「", "」", ":", "：", " ", "speaker:", "topic：", "panel:", "digest", "subscribe",
              "context", "随机", "算力", "大模型", "\ud800", "\udcff", "GPT-4", "陈石", "08:00", "Asia/Shanghai", "*"]
    handled = 0
    for _ in range(10_000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 60)))[:300]
        handled += _answered(chat.ask(text, actor, place))  # type: ignore[attr-defined]
    return handled, 10_000


def _validate(text: str | bytes, name: str = "panel.yaml") -> tuple[int, int]:
    """Whether `python -m bot validate` refuses the file with one file:line problem and exit 1."""
    from bot.terminal.cli import main

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        printed = io.StringIO()
        stdout, sys.stdout = sys.stdout, printed
        try:
            code = main(["validate", folder])
        finally:
            sys.stdout = stdout
    lines = printed.getvalue().splitlines()
    return int(code == 1 and bool(lines) and all(line.startswith(str(path)) and len(line) < 600 for line in lines)), 1


def _panel(extra: str = "", text: str = "What can engines do?") -> str:
    from tests.conftest import MINIMAL_PANEL

    return MINIMAL_PANEL.format(panel_id="p").replace("What can engines do?", text) + extra


@case("panel files", "an alias bomb of 906 bytes used as a mapping key (9⁹ values)")
def alias_bomb() -> tuple[int, int]:
    levels = "".join(f"{a}: &{a} [{', '.join([f'*{b}'] * 9)}]\n" for b, a in zip("abcdefgh", "bcdefghi"))
    return _validate(_panel('a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + levels
                            + "? *i\n: x\n"))


@case("panel files", "a number of 5,000 digits, and the date 2024-13-45")
def odd_values() -> tuple[int, int]:
    first = _validate(_panel().replace("title: Analyst", "title: " + "9" * 5000))
    second = _validate(_panel().replace('date: "2024-01-02"', "date: 2024-13-45"))
    return first[0] + second[0], 2


@case("panel files", "a 10 MB panel file (one quote of 10 MB)")
def ten_megabytes() -> tuple[int, int]:
    return _validate(_panel(text="长" * (10 * 2**20 // 3)))


@case("panel files", "a 7.9 MB panel file (one quote of 2.6 million characters)")
def just_under_the_limit() -> tuple[int, int]:
    return _validate(_panel(text="长" * int(7.9 * 2**20 // 3)))


@case("panel files", "words.txt with bytes that are not UTF-8")
def words_not_utf8() -> tuple[int, int]:
    from bot.terminal.cli import main

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "panel.yaml").write_text(_panel(), encoding="utf-8")
        (Path(folder) / "words.txt").write_bytes(b"\xff\xfe\n")
        stdout, sys.stdout = sys.stdout, io.StringIO()
        try:
            code = main(["validate", folder])
        finally:
            sys.stdout = stdout
    return int(code == 1), 1


@case("index", "baseline: a panel of two short quotes, built without the cache (jieba's dictionary loaded)")
def index_baseline() -> tuple[int, int]:
    import bot

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "panel.yaml").write_text(_panel(), encoding="utf-8")
        return int(len(bot.load_library(folder, use_cache=False).quotes) == 2), 1


@case("index", "a library of 40 quotes of 5,000 characters each (the longest a quote may be)")
def longest_quotes() -> tuple[int, int]:
    import bot

    rng = random.Random(3)
    words = "算力 大模型 开源 数据 成本 客户 落地 团队 未来 我们 觉得 需要 时间".split()
    quotes = "".join(f"  - id: long-{n}\n    speaker: ada\n    text: {''.join(rng.choices(words, k=2000))[:5000]}\n"
                     for n in range(40))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "panel.yaml").write_text(_panel() + quotes.replace("quotes:\n", ""), encoding="utf-8")
        library = bot.load_library(folder, use_cache=False)
    return int(len(library.quotes) == 42), 1


@case("text", "arguments and console input with bytes that are not UTF-8")
def undecodable() -> tuple[int, int]:
    from bot.terminal.cli import main

    handled = 0
    stdout, stdin, sys.stdout = sys.stdout, sys.stdin, io.StringIO()
    try:
        for args in (["search", "算力\udcff"], ["search", "x", "--speaker", "\udcff"], ["context", "\udcff"]):
            handled += main(args) in (0, 2)
        sys.stdin = io.TextIOWrapper(io.BytesIO(b"/quote \xff\xfe\n/quote \xe7\xae\x97\n"), encoding="utf-8")
        handled += main(["console"]) == 0
    finally:
        sys.stdout, sys.stdin = stdout, stdin
    return handled, 4


def run_case(name: str) -> dict[str, float]:
    started = time.perf_counter()
    handled, tried = CASES[name][2]()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"handled": handled, "tried": tried, "seconds": seconds, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), help="run one case here and print its figures as JSON")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    print("| area | input | handled | seconds | peak MB |")
    print("| --- | --- | --- | --- | --- |")
    for name, (area, what, _) in CASES.items():
        ran = subprocess.run([sys.executable, "-m", "benchmarks.hostile_bench", "--case", name], cwd=ROOT,
                             capture_output=True, text=True, timeout=600)
        if ran.returncode != 0:
            print(f"| {area} | {what} | failed: {ran.stderr.strip().splitlines()[-1:]} | | |")
            continue
        figures = json.loads(ran.stdout.strip().splitlines()[-1])
        print(f"| {area} | {what} | {figures['handled']:,} of {figures['tried']:,} | {figures['seconds']:.2f} "
              f"| {figures['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
