"""Read-only readers of a corpus's rows, run in threads and worker processes (a connection each)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from retrieval.index.rows import CorpusRows, DocInfo

_DOCS_SQL = (
    "SELECT a.id, f.name, a.title, a.date, a.url, a.title_tokens FROM articles a"
    " JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ? ORDER BY f.name, a.ord"
)


_ARTICLES_SQL = (
    "SELECT a.id FROM articles a JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ? ORDER BY f.name, a.ord"
)


_SENTENCES_SQL = (
    "SELECT p.id, p.article_id, s.id, s.text, s.tokens FROM sentences s"
    " JOIN passages p ON p.id = s.passage_id JOIN articles a ON a.id = p.article_id"
    " JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ? ORDER BY f.name, a.ord, p.ord, s.ord"
)


# The same for listed articles (a piece of a build, an update's new articles). The list drives the
# join (CROSS JOIN fixes SQLite's loop order): given "a.id IN (list)", SQLite looped over the
# corpus's files and probed every listed id in each, files x ids: 41 s for a piece of 5,000
# articles of a data dir of 20,000 files, a cold build 2x slower than the same articles in 2 files.
_LISTED = " FROM json_each(?) j CROSS JOIN articles a ON a.id = j.value JOIN files f ON f.id = a.file_id"


_LISTED_DOCS_SQL = (
    "SELECT a.id, f.name, a.title, a.date, a.url, a.title_tokens"
    + _LISTED
    + " WHERE f.corpus_id = ? ORDER BY f.name, a.ord"
)


_LISTED_SENTENCES_SQL = (
    "SELECT p.id, p.article_id, s.id, s.text, s.tokens" + _LISTED + " JOIN passages p ON p.article_id = a.id"
    " JOIN sentences s ON s.passage_id = p.id WHERE f.corpus_id = ? ORDER BY f.name, a.ord, p.ord, s.ord"
)


def assemble_rows(docs: Iterable[tuple], sentences: Iterable[tuple]) -> CorpusRows:
    """CorpusRows from the rows of ``_DOCS_SQL`` and ``_SENTENCES_SQL`` (ordered as they are)."""
    rows = CorpusRows()
    doc_index: dict[int, int] = {}
    passage_index: dict[int, int] = {}
    for a_id, name, title, date, url, title_tokens in docs:
        doc_index[a_id] = len(rows.docs)
        rows.docs.append(DocInfo(name, title, date, url, title_tokens.split()))
        rows.article_ids.append(a_id)
    for p_id, a_id, s_id, text, tokens in sentences:
        if p_id not in passage_index:
            passage_index[p_id] = len(rows.passage_ids)
            rows.passage_ids.append(p_id)
            rows.passage_doc.append(doc_index[a_id])
        rows.sentence_ids.append(s_id)
        rows.sentence_text.append(text)
        rows.sentence_words.append(tokens.split())
        rows.sentence_passage.append(passage_index[p_id])
    return rows


def _read_only(path: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))


def read_corpus(path: Path, corpus: int, only: Iterable[int] | None = None) -> CorpusRows:
    """Everything the index needs for one corpus (or for its articles ``only``), in
    file/article/passage/sentence order."""
    docs_sql, sentences_sql, args = _DOCS_SQL, _SENTENCES_SQL, (corpus,)
    if only is not None:
        docs_sql, sentences_sql = _LISTED_DOCS_SQL, _LISTED_SENTENCES_SQL
        args = (json.dumps(sorted(only)), corpus)
    with _read_only(path) as db:
        return assemble_rows(db.execute(docs_sql, args), db.execute(sentences_sql, args))


def read_definition_texts(path: Path, corpus: int) -> Iterator[str]:
    """The corpus's sentences that may define an abbreviation (they hold a "("), in no
    particular order: enough to learn its pairs (``learned_pairs`` does not depend on order)."""
    sql = (
        "SELECT s.text FROM sentences s JOIN passages p ON p.id = s.passage_id JOIN articles a ON a.id = p.article_id"
        " JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ? AND instr(s.text, '(') > 0"
    )
    with _read_only(path) as db:
        yield from (text for (text,) in db.execute(sql, (corpus,)))


def read_article_ids(path: Path, corpus: int) -> list[int]:
    """Ids of the corpus's articles, in index order. An article row never changes once written
    (new text is a new row), so comparing ids tells exactly what an index lacks or has too much."""
    with _read_only(path) as db:
        return [a_id for (a_id,) in db.execute(_ARTICLES_SQL, (corpus,))]


def read_vectors(path: Path, batch: int = 50_000) -> Iterator[tuple[list[int], list[bytes]]]:
    """The stored sentence vectors as (sentence ids, values), ``batch`` at a time: all of them,
    without joining each to its corpus (that join took half the time of a restart at 100k
    passages); the caller keeps the ids it has."""
    with _read_only(path) as db:
        cursor = db.execute("SELECT sentence_id, vector FROM sentence_vectors")
        while rows := cursor.fetchmany(batch):
            yield [r[0] for r in rows], [r[1] for r in rows]
