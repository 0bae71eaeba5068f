"""Search benchmark: this library against jieba+rank_bm25, Whoosh, SQLite FTS5 and tantivy.

    python -m benchmarks.search_bench                  # seed size and 100,000 quotes
    python -m benchmarks.search_bench --sizes 34 --reload 0   # the seed only (seconds)
    python -m benchmarks.search_bench --sizes 10000,100000,1000000 --engines panel-quotes,tantivy

Every engine is built and then opened in processes of its own, so build time, time from
process start to first answer, per-query latency and peak memory are each engine's alone.
The corpus is synthetic but deterministic: the seed panel's real sentences, recombined.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import records, write_panels
from benchmarks.engines import ENGINES, NEEDS_SEGMENTED, segment_all

ROOT = Path(__file__).resolve().parents[1]
QUERIES: list[tuple[str, str | None, str | None]] = [
    ("算力", None, None), ("大模型", None, None), ("数据集", None, None), ("创新", None, None),
    ("奇瑞", None, None), ("柳叶熙", None, None), ("应用层", None, None), ("开源", None, None),
    ("数智人", None, None), ("大力出奇迹", None, None), ("GPT4", None, None), ("大模型 创业", None, None),
    ("开源 数据集", None, None), ("模型 训练", None, None), ("中国 机会", None, None), ("人工智能 焦虑", None, None),
    ("大模型", "chen-shi", None), ("算力", "chen-shi", None), ("创业 机会", "chen-shi", None),
    ("焦虑", None, "gan-shou"), ("AI", None, "gan-shou"),
]
QUERY_SECONDS = 15.0  # per engine and size: enough passes for a stable p99, never hours


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build_peak_mb() -> float:
    """The build's peak: this process's, or a worker's it started, whichever is larger."""
    return max(_peak_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(phase: str, engine: str, size: int, folder: Path) -> dict[str, float]:
    """One measurement in this process; the parent reads the JSON it prints."""
    started = time.perf_counter()
    build, open_ = ENGINES[engine]
    if phase == "segment":
        segment_all(records(size), folder)
        return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}
    if phase == "files":  # the organiser's panel files, there before any build (not timed)
        write_panels(folder / "panels", size)
        return {"seconds": time.perf_counter() - started}
    if phase == "build":
        build(size, folder)
        return {"seconds": time.perf_counter() - started, "peak_mb": _build_peak_mb()}
    baseline = _rss_mb()
    search = open_(folder)
    search("算力", None, None, 5)
    ready = time.perf_counter() - started
    if phase == "cold":
        return {"seconds": ready}
    for query in QUERIES:
        search(*query, 5)
    samples: list[float] = []
    passes, deadline = 0, time.perf_counter() + QUERY_SECONDS
    while passes < 3 or (time.perf_counter() < deadline and passes < 300):
        for query in QUERIES:
            t = time.perf_counter()
            search(*query, 5)
            samples.append(time.perf_counter() - t)
        passes += 1
    samples.sort()
    return {"ready_s": ready, "p50_us": statistics.median(samples) * 1e6,
            "p99_us": samples[int(len(samples) * 0.99)] * 1e6, "peak_mb": _peak_mb(),
            "growth_mb": _peak_mb() - baseline, "queries": len(samples)}


def _run_child(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.search_bench", "--child", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child {args} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cold_start(engine: str, size: int, folder: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        if engine == "panel-quotes":
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "search", "算力", "--data", str(folder / "panels")],
                           cwd=ROOT, capture_output=True, check=True,
                           env={**os.environ, "QUOTES_CACHE_DIR": str(folder / "cache")})
            times.append(time.perf_counter() - started)
        else:
            started = time.perf_counter()
            _run_child("cold", engine, str(size), str(folder))
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int, engines: list[str], work: Path) -> dict[str, dict[str, float]]:
    folder = work / f"corpus-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}
    segment = _run_child("segment", "panel-quotes", str(size), str(folder)) if NEEDS_SEGMENTED & set(engines) else None
    if "panel-quotes" in engines:
        _run_child("files", "panel-quotes", str(size), str(folder))
    for engine in engines:
        print(f"  {engine} at {size:,} quotes ...", file=sys.stderr, flush=True)
        built = _run_child("build", engine, str(size), str(folder))
        served = _run_child("serve", engine, str(size), str(folder))
        build_s = built["seconds"] + (segment["seconds"] if segment and engine in NEEDS_SEGMENTED else 0.0)
        results[engine] = {"build_s": build_s, "build_peak_mb": built["peak_mb"], **served,
                           "cold_s": _cold_start(engine, size, folder)}
    return results


def table(results: dict[int, dict[str, dict[str, float]]]) -> str:
    sizes = sorted(results)
    engines = list(results[sizes[0]])
    head = ["engine"]
    for size in sizes:
        head += [f"build s @{size:,}", f"p50 µs @{size:,}", f"p99 µs @{size:,}", f"cold start s @{size:,}"]
    big = sizes[-1]
    head += [f"ready s @{big:,}", f"build peak MB @{big:,}", f"serving peak MB @{big:,}"]
    rows = [head, ["---"] * len(head)]
    for engine in engines:
        row = [engine]
        for size in sizes:
            r = results[size][engine]
            row += [f"{r['build_s']:.2f}", f"{r['p50_us']:.0f}", f"{r['p99_us']:.0f}", f"{r['cold_s']:.2f}"]
        r = results[big][engine]
        row += [f"{r['ready_s']:.2f}", f"{r['build_peak_mb']:.0f}", f"{r['peak_mb']:.0f}"]
        rows.append(row)
    ours = results[big]["panel-quotes"]
    ratio_head = ["peer ÷ panel-quotes", *[f"{k}" for k in ("p50", "p99", "ready", "cold start", "peak MB")]]
    ratio_rows = [ratio_head, ["---"] * len(ratio_head)]
    for engine in engines[1:]:
        r = results[big][engine]
        keys = ("p50_us", "p99_us", "ready_s", "cold_s", "peak_mb")
        ratio_rows.append([engine] + [f"{r[key] / ours[key]:.1f}×" for key in keys])
    render = lambda rs: "\n".join("| " + " | ".join(row) + " |" for row in rs)  # noqa: E731
    ratios = f"\n\nAt {big:,} quotes, each peer's figure divided by this library's (above 1 means slower or bigger):\n\n"
    return render(rows) + ratios + render(ratio_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="34,100000", help="comma-separated corpus sizes")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    parser.add_argument("--child", nargs=4, metavar=("PHASE", "ENGINE", "SIZE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reload", type=int, default=100_000, metavar="SIZE",
                        help="also measure a panel saved beside a running bot at this size (0: not)")
    args = parser.parse_args()
    if args.child:
        phase, engine, size, folder = args.child
        print(json.dumps(child(phase, engine, int(size), Path(folder))))
        return
    engines = [e for e in args.engines.split(",") if e]
    if unknown := [e for e in engines if e not in ENGINES]:
        parser.error(f"unknown engine {', '.join(unknown)}; the engines are {', '.join(ENGINES)}")
    if engines[0] != "panel-quotes":
        engines.insert(0, "panel-quotes")
    with tempfile.TemporaryDirectory(prefix="quote-bench-") as work:
        results = {int(size): measure(int(size), engines, Path(work)) for size in args.sizes.split(",")}
    print(table(results))
    reloaded: dict[str, float] = {}
    if args.reload:
        from benchmarks import reload_bench

        with tempfile.TemporaryDirectory(prefix="quote-bench-") as work:
            reloaded = reload_bench.measure(args.reload, Path(work))
        print("\nA panel saved beside a running bot (panel-quotes only: the peers have no bot):\n")
        print(reload_bench.table(args.reload, reloaded))
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, "reload": reloaded}, indent=2))


if __name__ == "__main__":
    main()
