"""The engines compared: this library and its peers, each built and opened the same way.

Every peer indexes the same synthetic records and answers the same queries, segmenting them
with jieba's search mode like the library does; filters are each engine's own (a WHERE
clause, a filter query, a mask).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.corpus import Record, records
from bot.models import Query

Search = Callable[[str, str | None, str | None, int], list[Any]]


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _terms(jieba: Any, text: str) -> list[str]:
    return [t for t in jieba.cut_for_search(text.lower()) if t.strip() and any(c.isalnum() for c in t)]


def segment_all(records: list[Record], folder: Path) -> None:
    """jieba over every record once, shared by the peers that take segmented text."""
    jieba = _jieba()
    with (folder / "segmented.jsonl").open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps([r.doc, r.speaker, r.topic, _terms(jieba, r.text)], ensure_ascii=False) + "\n")


def _segmented(folder: Path) -> list[tuple[int, str, str, list[str]]]:
    with (folder / "segmented.jsonl").open(encoding="utf-8") as lines:
        return [tuple(json.loads(line)) for line in lines]  # type: ignore[misc]


# -- this library -----------------------------------------------------------------------------

def ours_build(size: int, folder: Path) -> None:
    """The library from the panel files (written beforehand, as an organiser has them)."""
    import bot

    bot.load_library(folder / "panels", cache_dir=folder / "cache")


def ours_open(folder: Path) -> Search:
    import bot

    library = bot.load_library(folder / "panels", cache_dir=folder / "cache")

    def search(query: str, speaker: str | None, topic: str | None, k: int) -> list[Any]:
        return [h.quote.ref for h in library.search(Query(query, speaker=speaker, topic=topic), limit=k)]

    return search


# -- jieba + rank_bm25 --------------------------------------------------------------------------

def bm25_build(size: int, folder: Path) -> None:
    from rank_bm25 import BM25Okapi

    rows = _segmented(folder)
    BM25Okapi([terms for *_, terms in rows])  # what a restart has to do again: it cannot be saved
    with (folder / "bm25.pickle").open("wb") as out:
        pickle.dump(rows, out)


def bm25_open(folder: Path) -> Search:
    import numpy as np
    from rank_bm25 import BM25Okapi

    with (folder / "bm25.pickle").open("rb") as stream:
        rows = pickle.load(stream)
    bm25 = BM25Okapi([terms for *_, terms in rows])
    speakers = np.array([r[1] for r in rows])
    topics = np.array([r[2] for r in rows])
    jieba = _jieba()

    def search(query: str, speaker: str | None, topic: str | None, k: int) -> list[int]:
        scores = bm25.get_scores(_terms(jieba, query))
        if speaker:
            scores = np.where(speakers == speaker, scores, -1)
        if topic:
            scores = np.where(topics == topic, scores, -1)
        top = np.argsort(-scores)[:k]
        return [int(i) for i in top if scores[i] > 0]

    return search


# -- Whoosh with jieba's ChineseAnalyzer ----------------------------------------------------------

def whoosh_build(size: int, folder: Path) -> None:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    _jieba()
    schema = fields.Schema(doc=fields.NUMERIC(stored=True), speaker=fields.ID, topic=fields.ID,
                           text=fields.TEXT(analyzer=ChineseAnalyzer()))
    (folder / "whoosh").mkdir(exist_ok=True)
    ix = index.create_in(str(folder / "whoosh"), schema)
    writer = ix.writer(limitmb=256)
    for r in records(size):
        writer.add_document(doc=r.doc, speaker=r.speaker, topic=r.topic, text=r.text)
    writer.commit()


def whoosh_open(folder: Path) -> Search:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index, qparser, query

    _jieba()
    ix = index.open_dir(str(folder / "whoosh"))
    searcher = ix.searcher()
    parser = qparser.QueryParser("text", ix.schema, group=qparser.OrGroup)
    parser.schema["text"].analyzer = ChineseAnalyzer()

    def search(text: str, speaker: str | None, topic: str | None, k: int) -> list[int]:
        filters = [query.Term(name, value) for name, value in (("speaker", speaker), ("topic", topic)) if value]
        hits = searcher.search(parser.parse(text), limit=k, filter=query.And(filters) if filters else None)
        return [hit["doc"] for hit in hits]

    return search


# -- SQLite FTS5 over jieba-segmented text ---------------------------------------------------------

def fts5_build(size: int, folder: Path) -> None:
    db = sqlite3.connect(folder / "fts5.sqlite")
    db.execute("CREATE VIRTUAL TABLE quotes USING fts5(text, speaker UNINDEXED, topic UNINDEXED,"
               " tokenize='unicode61')")
    db.executemany("INSERT INTO quotes(rowid, text, speaker, topic) VALUES (?, ?, ?, ?)",
                   ((doc, " ".join(terms), speaker, topic) for doc, speaker, topic, terms in _segmented(folder)))
    db.commit()
    db.close()


def fts5_open(folder: Path) -> Search:
    db = sqlite3.connect(folder / "fts5.sqlite")
    jieba = _jieba()

    def search(query: str, speaker: str | None, topic: str | None, k: int) -> list[int]:
        terms = _terms(jieba, query)
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = "SELECT rowid FROM quotes WHERE quotes MATCH ?"
        args: list[Any] = [match]
        for name, value in (("speaker", speaker), ("topic", topic)):
            if value:
                sql += f" AND {name} = ?"
                args.append(value)
        return [row[0] for row in db.execute(sql + " ORDER BY bm25(quotes) LIMIT ?", [*args, k])]

    return search


# -- tantivy over jieba-segmented text -------------------------------------------------------------

def _tantivy_schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("doc", stored=True, indexed=True)
    builder.add_text_field("text", tokenizer_name="whitespace")
    builder.add_text_field("speaker", tokenizer_name="raw")
    builder.add_text_field("topic", tokenizer_name="raw")
    return builder.build()


def tantivy_build(size: int, folder: Path) -> None:
    import tantivy

    (folder / "tantivy").mkdir(exist_ok=True)
    index = tantivy.Index(_tantivy_schema(), path=str(folder / "tantivy"))
    writer = index.writer(heap_size=128_000_000, num_threads=1)
    for doc, speaker, topic, terms in _segmented(folder):
        document = tantivy.Document()
        document.add_unsigned("doc", doc)
        document.add_text("text", " ".join(terms))
        document.add_text("speaker", speaker)
        document.add_text("topic", topic)
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()


def tantivy_open(folder: Path) -> Search:
    import tantivy

    index = tantivy.Index.open(str(folder / "tantivy"))
    index.reload()
    searcher = index.searcher()
    schema = index.schema
    jieba = _jieba()

    def search(query: str, speaker: str | None, topic: str | None, k: int) -> list[int]:
        terms = _terms(jieba, query)
        if not terms:
            return []
        text = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "text", t)) for t in terms])
        clauses = [(tantivy.Occur.Must, text)]
        clauses += [(tantivy.Occur.Must, tantivy.Query.term_query(schema, name, value))
                    for name, value in (("speaker", speaker), ("topic", topic)) if value]
        hits = searcher.search(tantivy.Query.boolean_query(clauses), k).hits
        return [searcher.doc(address)["doc"][0] for _, address in hits]

    return search


ENGINES: dict[str, tuple[Callable[[int, Path], None], Callable[[Path], Search]]] = {
    "panel-quotes": (ours_build, ours_open),
    "jieba+rank_bm25": (bm25_build, bm25_open),
    "whoosh+ChineseAnalyzer": (whoosh_build, whoosh_open),
    "sqlite-fts5": (fts5_build, fts5_open),
    "tantivy": (tantivy_build, tantivy_open),
}
NEEDS_SEGMENTED = {"jieba+rank_bm25", "sqlite-fts5", "tantivy"}
os.environ.setdefault("PYTHONHASHSEED", "0")
