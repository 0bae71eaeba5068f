"""The built-library cache: reused when the data is unchanged, rebuilt otherwise, never trusted blindly."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import bot
from bot.errors import QuoteBotError
from bot.models import Query
from bot.panels.cache import default_cache_dir

from .conftest import MINIMAL_PANEL, recorded_panel


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("library-*.bin"))


def test_second_load_reads_the_cache_and_answers_the_same(write_panel: Callable[..., Path], tmp_path: Path) -> None:
    data, cache = write_panel().parent, tmp_path / "cache"
    first = bot.load_library(data, cache_dir=cache)
    [file] = cached_files(cache)
    stamp = file.stat().st_mtime_ns
    second = bot.load_library(data, cache_dir=cache)
    assert file.stat().st_mtime_ns == stamp  # read, not rewritten
    assert [h.quote for h in second.search(Query("engine"))] == [h.quote for h in first.search(Query("engine"))]
    assert second.search(Query("engine"))[0].spans == first.search(Query("engine"))[0].spans


def test_the_cache_keeps_start_times_and_the_recording(write_panel: Callable[..., Path], tmp_path: Path) -> None:
    data, cache = write_panel(recorded_panel(start="754.25")).parent, tmp_path / "cache"
    built = bot.load_library(data, cache_dir=cache)
    [file] = cached_files(cache)
    stamp = file.stat().st_mtime_ns
    cached = bot.load_library(data, cache_dir=cache)
    assert file.stat().st_mtime_ns == stamp  # read back, not rebuilt
    assert [q.start for q in cached.quotes] == [q.start for q in built.quotes] == [None, 754.25]
    assert cached.panels == built.panels and cached.panels[0].recording == "https://youtu.be/abc123"
    assert cached.quotes == built.quotes


def test_edited_data_builds_a_new_cache(write_panel: Callable[..., Path], tmp_path: Path) -> None:
    path, cache = write_panel(), tmp_path / "cache"
    bot.load_library(path.parent, cache_dir=cache)
    path.write_text(MINIMAL_PANEL.format(panel_id="test-panel").replace("weaves", "knits"), encoding="utf-8")
    library = bot.load_library(path.parent, cache_dir=cache)
    assert library.search(Query('knits')) and not library.search(Query('weaves'))
    assert len(cached_files(cache)) == 2


def test_a_corrupt_cache_is_rebuilt(write_panel: Callable[..., Path], tmp_path: Path) -> None:
    data, cache = write_panel().parent, tmp_path / "cache"
    bot.load_library(data, cache_dir=cache)
    [file] = cached_files(cache)
    file.write_bytes(file.read_bytes()[:100])
    assert bot.load_library(data, cache_dir=cache).search(Query('engine'))


def test_an_unwritable_cache_folder_is_not_an_error(write_panel: Callable[..., Path], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    assert bot.load_library(write_panel().parent, cache_dir=blocker / 'cache').search(Query('engine'))


def test_default_cache_folder_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUOTES_CACHE_DIR", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("QUOTES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "panel-quotes"


async def test_an_edited_panel_file_is_noticed_and_reloaded(write_panel: Callable[..., Path]) -> None:
    import asyncio

    from bot.serving import watch_panels

    path = write_panel()
    library = bot.load_library(path.parent, use_cache=False)

    async with asyncio.timeout(30):
        watcher = asyncio.create_task(watch_panels(library, path.parent, asyncio.Event(), every=0.05))
        try:
            await asyncio.sleep(0.2)
            path.write_text(MINIMAL_PANEL.format(panel_id="test-panel").replace("weaves", "knits"), encoding="utf-8")
            for _ in range(100):
                if library.search(Query('knits')):
                    break
                await asyncio.sleep(0.05)
        finally:
            watcher.cancel()
    assert library.search(Query('knits')) and not library.search(Query('weaves'))


async def test_a_saved_panel_is_built_by_the_indexer_process_and_told_by_the_file_system(
        write_panel: Callable[..., Path], tmp_path: Path) -> None:
    """Polling once a minute: the file system's word brings the change; a worker process builds
    it; when that worker is killed, the next change is still reloaded."""
    import asyncio
    import os
    import signal

    from bot.panels.indexer import Indexer
    from bot.serving import watch_panels

    path = write_panel()
    library = bot.load_library(path.parent, cache_dir=tmp_path / "cache")
    indexer = Indexer(tmp_path / "cache")

    async def reloaded(word: str) -> bool:
        for _ in range(300):  # 30 s at most: a cold worker imports numpy and loads jieba first
            if library.search(Query(word)):
                return True
            await asyncio.sleep(0.1)
        return False

    async with asyncio.timeout(90):
        watcher = asyncio.create_task(watch_panels(library, path.parent, asyncio.Event(), every=60, indexer=indexer))
        try:
            await asyncio.sleep(0.5)
            path.write_text(MINIMAL_PANEL.format(panel_id="test-panel").replace("weaves", "knits"), encoding="utf-8")
            assert await reloaded("knits") and not library.search(Query("weaves"))
            pool = indexer._worker()
            for pid in list(pool._processes):  # the worker dies, as the OOM killer would end it
                os.kill(pid, signal.SIGKILL)
            path.write_text(MINIMAL_PANEL.format(panel_id="test-panel").replace("weaves", "sews"), encoding="utf-8")
            assert await reloaded("sews")
            path.write_text(MINIMAL_PANEL.format(panel_id="test-panel").replace("weaves", "darns"), encoding="utf-8")
            assert await reloaded("darns")  # in a new worker
        finally:
            watcher.cancel()
            indexer.close()


def test_a_long_build_tells_its_progress_on_a_terminal_and_in_the_log(write_panel: Callable[..., Path],
                                                                     monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    import io
    import logging

    from bot.panels import progress

    quotes = "".join(f"  - id: more-{n}\n    speaker: ada\n    text: 第 {n} 句：引擎可以编织代数图案。\n" for n in range(300))
    path = write_panel(MINIMAL_PANEL.format(panel_id="p") + quotes)
    monkeypatch.setattr(progress, "QUIET_SECONDS", 0.0)  # every step counts as long here
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    with caplog.at_level(logging.INFO, logger="bot.panels.progress"):
        library = bot.load_library(path.parent, use_cache=False)
    said = [r.getMessage() for r in caplog.records]
    assert len(library.quotes) == 302
    assert any(line.startswith("segmenting quotes: ") and "of 302 quotes" in line and "s left" in line for line in said)
    assert any(line.startswith("segmenting quotes: 302 quotes in ") for line in said)
    assert any(line.startswith("reading and cutting panel files: 1 files in ") for line in said)
    assert any(line.startswith("matching terms: 302 quotes in ") for line in said)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    with progress.Progress("segmenting quotes", 300, "quotes", stream=shown, quiet=0.0) as step:
        for _ in range(300):
            step.advance()
    assert "segmenting quotes:" in shown.getvalue() and "/300 [" in shown.getvalue()  # a bar, cleared after


def test_a_start_finds_the_cache_from_file_sizes_and_times_without_reading_the_panels(
        write_panel: Callable[..., Path], tmp_path: Path) -> None:
    import os
    import time

    path = write_panel()
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))
    cache = tmp_path / "cache"
    assert bot.load_library(path.parent, cache_dir=cache).search(Query("weaves"))
    # The same size and time, other bytes: a start trusts the manifest and does not read the file.
    path.write_text(path.read_text(encoding="utf-8").replace("weaves", "knitss"), encoding="utf-8")
    os.utime(path, (an_hour_ago, an_hour_ago))
    assert bot.load_library(path.parent, cache_dir=cache).search(Query("weaves"))
    # An edit moves the time: the file is read, and the new words are found.
    os.utime(path, None)
    library = bot.load_library(path.parent, cache_dir=cache)
    assert library.search(Query("knitss")) and not library.search(Query("weaves"))
    # Changed again within the same second, with the same size: too fresh to trust, read again.
    path.write_text(path.read_text(encoding="utf-8").replace("knitss", "sewing"), encoding="utf-8")
    assert bot.load_library(path.parent, cache_dir=cache).search(Query("sewing"))


BUILD_BOTH_WAYS = """
import sys, tempfile
from pathlib import Path
import bot
from benchmarks.corpus import write_panels
from bot.panels import parts
from bot.search import merging
from bot.search.cutting import workers_for
from tests.test_cache import same_index

work = Path(tempfile.mkdtemp())
write_panels(work / "data", 600)  # 15 panel files
parts.MIN_PARALLEL = 10 ** 9
one = bot.load_library(work / "data", cache_dir=work / "one")
parts.MIN_PARALLEL = merging._PARALLEL_SCAN = 10  # 600 quotes count as many here
assert workers_for(600, parts.MIN_PARALLEL) >= 2, "no second core, or another thread: the build would not fork"
several = bot.load_library(work / "data", cache_dir=work / "several")
same_index(one, several)
print("same", len(one.quotes))
"""


def same_index(one: bot.Library, other: bot.Library) -> None:
    """Two libraries hold the same quotes and the same index, array for array."""
    a, b = one._searcher._data, other._searcher._data
    assert a.terms == b.terms and a.pinyin == b.pinyin
    for name in ("post_ptr", "post_doc", "post_score", "post_tf", "doc_len", "deep_folded", "term_files"):
        assert list(getattr(a, name)) == list(getattr(b, name)), name
    assert list(one.quotes) == list(other.quotes) and one.speakers == other.speakers and one.topics == other.topics
    assert one._names._pinyin == other._names._pinyin


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="ONE CORE: a build never forks there")
def test_a_build_on_several_cores_makes_the_same_index_as_one() -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    # A process of its own: the test runner's threads would keep the build from forking.
    ran = subprocess.run([sys.executable, "-c", BUILD_BOTH_WAYS], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and ran.stdout.startswith("same "), ran.stderr[-2000:]


def test_a_changed_panel_is_cut_alone_and_merged_into_the_same_index_as_a_fresh_build(
        tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from benchmarks.corpus import write_panels
    from bot.panels import progress

    data = tmp_path / "data"
    write_panels(data, 400)  # 10 panel files
    bot.load_library(data, cache_dir=tmp_path / "cache")
    files = sorted(data.glob("*.yaml"))
    # One panel changed (a word no panel had, and one the others say inside longer words),
    # one removed, one added.
    files[3].write_text(files[3].read_text(encoding="utf-8").replace("算力", "量子退火算力芯"), encoding="utf-8")
    files[7].unlink()
    added = files[0].read_text(encoding="utf-8").replace("synthetic-00000", "added-panel").replace("大模型", "超大模型群")
    (data / "zz-added.yaml").write_text(added, encoding="utf-8")
    monkeypatch.setattr(progress, "QUIET_SECONDS", 0.0)
    with caplog.at_level(logging.INFO):
        merged = bot.load_library(data, cache_dir=tmp_path / "cache")
    said = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("reading and cutting panel files: 2 files in ") for line in said), said
    assert any("2 new or changed panel files merged into 8 kept" in line for line in said), said
    fresh = bot.load_library(data, cache_dir=tmp_path / "fresh")
    same_index(merged, fresh)
    assert merged.search(bot.Query("量子退火")) and merged.search(bot.Query("超大模型群"))
    assert [h.quote.ref for h in merged.search(bot.Query("大模型"), limit=20)] == \
        [h.quote.ref for h in fresh.search(bot.Query("大模型"), limit=20)]


def test_a_library_dropped_after_use_leaves_no_cyclic_garbage(write_panel) -> None:  # type: ignore[no-untyped-def]
    """A running bot leaves its libraries out of garbage collection (`serving._settled`), so a
    replaced library must be freed by reference counting alone: nothing in it may refer back
    to it, whatever searches it answered."""
    library = bot.load_library(write_panel(MINIMAL_PANEL.format(panel_id="cycles")).parent, use_cache=False)
    gc.collect()  # what building it left
    library.warm()
    for query in (Query("engines"), Query("engine", speaker="ada"), Query("chen shi"), Query("nothing-here-at-all")):
        with contextlib.suppress(QuoteBotError):
            library.search(query)
    library.random()
    library.context("cycles/q2")
    del library
    assert gc.collect() == 0
