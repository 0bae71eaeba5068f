"""Reload benchmark: how soon a saved panel is searchable in a running bot, and how long the
bot stops answering meanwhile.

    python -m benchmarks.reload_bench                    # 100,000 quotes in 2,500 files
    python -m benchmarks.reload_bench --size 10000

A library is built once; then, in a fresh process that serves it the way `python -m bot run`
does (the watcher, the indexer process, searches answered on the event loop), one panel is
added and one is changed, several times each. "Searchable" is the time from the file's save
to the first search that finds its new word; "longest pause" is the longest time the event
loop, answering a search every 2 ms, went without running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_panels

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 4


async def _serve_and_change(data: Path, cache: Path) -> dict[str, list[float]]:
    import bot
    from bot.models import Query
    from bot.panels.indexer import Indexer
    from bot.serving import watch_panels

    library = bot.load_library(data, cache_dir=cache)
    indexer = Indexer(cache)
    await indexer.warm(data)  # as the watcher does when the bot starts
    pauses: list[float] = []
    stop = asyncio.Event()
    saved: list[str] = []  # searched for once the timing is over (a new word is a slow search: a scan)

    async def answer() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            library.search(Query("算力"))
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            pauses.append(now - last - 0.002)
            last = now

    def swapped_in(panel: str, quote_id: str, word: str) -> bool:
        # Cheap enough to ask every 5 ms (a search for a word no quote has yet would scan them all).
        try:
            library.panel(panel)
        except KeyError:
            return False
        return word in library.quote(f"{panel}/{quote_id}").text

    async def searchable(panel: str, quote_id: str, word: str) -> float:
        started = time.perf_counter()
        while not swapped_in(panel, quote_id, word):
            if time.perf_counter() - started > 60:
                raise SystemExit(f"{word} was not searchable after 60 s")
            await asyncio.sleep(0.005)
        saved.append(word)
        return time.perf_counter() - started

    results: dict[str, list[float]] = {"added": [], "changed": [], "pause_ms": []}
    # The editor's side (listing and reading the files, saving them) is not the bot's work: it is
    # done before the bot starts answering, or in a thread, so that no pause of its own is counted.
    files = sorted(data.glob("*.yaml"))
    model, changing = files[0].read_text(encoding="utf-8"), files[len(files) // 2]
    original = changing.read_text(encoding="utf-8")
    changing_panel = library.quotes.panel_id(library.quotes.first[len(library.panels) // 2])
    added_id, changed_id = _first_with(model, "算力"), _first_with(original, "算力")
    watcher = asyncio.create_task(watch_panels(library, data, asyncio.Event(), 5.0, indexer=indexer))
    answering = asyncio.create_task(answer())
    try:
        await asyncio.sleep(1.0)
        run = time.time_ns() % 100_000  # words no earlier run saved: each change is merged, not found cached
        for n in range(ROUNDS):
            pauses.clear()
            word = f"新增词{run}{n}号"
            text = model.replace("synthetic-00000", f"added-{n}").replace("算力", word)
            await asyncio.to_thread((data / f"added-{n}.yaml").write_text, text, encoding="utf-8")
            results["added"].append(await searchable(f"added-{n}", added_id, word))
            await asyncio.sleep(0.5)
            word = f"改动词{run}{n}号"
            await asyncio.to_thread(changing.write_text, original.replace("算力", word), encoding="utf-8")
            results["changed"].append(await searchable(changing_panel, changed_id, word))
            await asyncio.sleep(0.5)
            results["pause_ms"].append(max(pauses) * 1000)
        stop.set()
        for word in saved[-2:]:  # the last panel added and the last change are searchable by their words
            if not any(word in hit.quote.text for hit in library.search(Query(word), limit=5)):
                raise SystemExit(f"the panel is loaded, but a search for {word} does not find it")
    finally:
        changing.write_text(original, encoding="utf-8")
        for n in range(ROUNDS):
            (data / f"added-{n}.yaml").unlink(missing_ok=True)
        stop.set()
        answering.cancel()
        watcher.cancel()
        indexer.close()
    return results


def _first_with(panel_yaml: str, word: str) -> str:
    """The id of the first quote of a panel file that says `word`."""
    import yaml

    return next(q["id"] for q in yaml.safe_load(panel_yaml)["quotes"] if word in q["text"])


def measure(size: int, work: Path) -> dict[str, float]:
    """Build a library of `size` quotes in `work`, then measure in a process of its own."""
    data, cache = work / f"reload-{size}" / "panels", work / f"reload-{size}" / "cache"
    if not data.exists():
        write_panels(data, size)
    build = f"import bot, pathlib; bot.load_library({str(data)!r}, cache_dir=pathlib.Path({str(cache)!r}))"
    subprocess.run([sys.executable, "-c", build], cwd=ROOT, check=True, timeout=3600)
    done = subprocess.run([sys.executable, "-m", "benchmarks.reload_bench", "--child", str(data), str(cache)],
                          cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"reload benchmark failed:\n{done.stderr[-2000:]}")
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    return {"added_s": statistics.median(raw["added"]), "added_max_s": max(raw["added"]),
            "changed_s": statistics.median(raw["changed"]), "changed_max_s": max(raw["changed"]),
            "pause_ms": max(raw["pause_ms"])}


def table(size: int, r: dict[str, float]) -> str:
    rows = [["at " + f"{size:,} quotes", "median s", "slowest s"], ["---"] * 3,
            ["a panel added: searchable after", f"{r['added_s']:.2f}", f"{r['added_max_s']:.2f}"],
            ["a panel changed: searchable after", f"{r['changed_s']:.2f}", f"{r['changed_max_s']:.2f}"],
            ["longest pause in answering, ms", "", f"{r['pause_ms']:.0f}"]]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="quotes in the library")
    parser.add_argument("--child", nargs=2, metavar=("DATA", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_serve_and_change(Path(args.child[0]), Path(args.child[1])))))
        return
    with tempfile.TemporaryDirectory(prefix="reload-bench-") as work:
        print(table(args.size, measure(args.size, Path(work))))


if __name__ == "__main__":
    main()
