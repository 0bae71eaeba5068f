"""Building the library for a running bot in a worker process of its own, kept warm.

Cutting a changed panel needs jieba's dictionary and pypinyin's (a second to load, a hundred
megabytes to hold) and merging it into a large library takes a few hundred milliseconds of
arithmetic. Done in the bot's own process, both would hold its memory and its interpreter
while it answers; done here, the bot only opens the file the worker wrote.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
from pathlib import Path

from . import cache, parts

logger = logging.getLogger(__name__)


class Indexer:
    """One worker process that builds library files, started on first use (or by `warm`)
    and started again if it dies."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir or cache.default_cache_dir()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _worker(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fresh interpreter, not a fork of a process whose other threads hold locks
            self._pool = concurrent.futures.ProcessPoolExecutor(1, multiprocessing.get_context("spawn"),
                                                                initializer=_keep_warm)
        return self._pool

    async def warm(self, path: Path) -> None:
        """Load jieba and pypinyin in the worker now, so the first change is as quick as the next."""
        try:
            await asyncio.wrap_future(self._worker().submit(_warm, str(path), str(self._cache_dir)))
        except Exception as error:  # a warm-up that fails is only slower later
            logger.info("the indexer did not warm up: %s", error)

    async def build(self, path: Path) -> Path:
        """The library file of the panels at `path` (DataError when they are broken)."""
        try:
            return Path(await asyncio.wrap_future(self._worker().submit(_build, str(path), str(self._cache_dir))))
        except concurrent.futures.process.BrokenProcessPool:
            self.close()
            raise RuntimeError("the indexer process stopped (killed, or out of memory); it starts again "
                               "on the next change") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _keep_warm() -> None:
    parts.KEEP_TOKENIZER = True


def _warm(path: str, cache_dir: str) -> None:
    from ..search.index import term_pinyin

    words, _, words_key = cache.words_and_synonyms(Path(path))
    parts.tokenizer_for(parts.Cutting(tuple(words), words_key, Path(cache_dir))).warm()
    term_pinyin(["预热"])
    cache.warm_merge(Path(path), Path(cache_dir))


def _build(path: str, cache_dir: str) -> str:
    return str(cache.build_library(path, Path(cache_dir)))
