"""Cutting every quote with jieba, on every core when there are many.

Segmentation is most of an index build (about 20 s of 36 at 100,000 quotes). Worker processes
forked from the builder share its loaded dictionary and read the quotes it holds; each sends
back only what the index keeps of a quote: its number of terms and its distinct terms.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence

from .tokenizer import Tokenizer

MIN_PARALLEL = 4000  # quotes below which one process is quicker than starting others
_CHUNK = 500  # quotes a worker cuts per task
_MAX_WORKERS = 4
Cut = tuple[int, tuple[str, ...]]  # a quote's number of terms, and its distinct terms of `longest` or fewer characters
_shared: tuple[Sequence[str], Tokenizer, int] | None = None  # what forked workers read


def cut_all(folded: Sequence[str], tokenizer: Tokenizer, longest: int, advance: Callable[[], None]) -> Iterator[Cut]:
    """Each quote's cut, in order, as `tokenizer` cuts it."""
    workers = workers_for(len(folded))
    if workers < 2:
        for text in folded:
            advance()
            yield _cut(tokenizer, text, longest)
        return
    global _shared
    tokenizer.warm()  # loaded once, here: the forked workers share it
    _shared = (folded, tokenizer, longest)
    try:
        spans = [(start, min(start + _CHUNK, len(folded))) for start in range(0, len(folded), _CHUNK)]
        import multiprocessing  # only a large build needs it: a search never imports it

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap(_cut_span, spans):
                for cut in chunk:
                    advance()
                    yield cut
    finally:
        _shared = None


def workers_for(quotes: int, least: int = MIN_PARALLEL) -> int:
    """Worker processes worth starting for work on `quotes`: none for fewer than `least`, and
    none where forking is unsafe (another thread running, as in a bot reloading its panels) or
    impossible (Windows), or in a pool's worker."""
    if quotes < least or threading.active_count() > 1:
        return 1
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return 1  # a pool's worker (cutting one of many panel files) starts no workers of its own
    return min(os.cpu_count() or 1, _MAX_WORKERS)


def _cut(tokenizer: Tokenizer, text: str, longest: int) -> Cut:
    tokens = tokenizer.tokenize(text)
    return len(tokens), tuple(dict.fromkeys(t for t in tokens if len(t) <= longest))


def _cut_span(span: tuple[int, int]) -> list[Cut]:
    assert _shared is not None  # set by the parent before it forked this worker
    folded, tokenizer, longest = _shared
    return [_cut(tokenizer, folded[n], longest) for n in range(*span)]
