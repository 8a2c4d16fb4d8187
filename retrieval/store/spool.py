"""Segmented articles on their way into the database: written by the segmenting workers to files
of their own, copied into the database in the reload's one transaction (``Store.apply_changes``).

Every segmented article used to come back to the serving process as Python objects (a list of
word strings per sentence) and stay there until that transaction: at 1M passages the serving
process held 12-13.5 GB during a cold build. A worker now writes each chunk's rows to the spool,
a SQLite file of its own (no lock shared with the database, which keeps answering and logging
questions; the workers take turns for a few milliseconds a chunk), and sends back two numbers
per article. The copy is three ``INSERT ... SELECT`` statements run by SQLite itself.

An article is known by its *sequence number* ``seq``, given by the reload in file order; its
passages and sentences by their order in it. The database ids are given at the copy (``Spooled``)
so that they are exactly what writing the rows one by one in file order gave.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from retrieval.corpus import content_key
from retrieval.text.cleaner import Article
from retrieval.text.passages import prepare_article

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY, source_key TEXT, title TEXT NOT NULL, date TEXT, url TEXT,
    title_tokens TEXT NOT NULL, text TEXT NOT NULL, text_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (seq INTEGER NOT NULL, ord INTEGER NOT NULL);
-- ``rank``: the sentence's place in its article, over all its passages
CREATE TABLE IF NOT EXISTS sentences (
    seq INTEGER NOT NULL, passage INTEGER NOT NULL, ord INTEGER NOT NULL, rank INTEGER NOT NULL,
    text TEXT NOT NULL, tokens TEXT NOT NULL
);
-- The copy reads each article's rows in order through these: the database's tables then grow
-- in id order (rows inserted out of order left half-empty pages, and a slower index build).
CREATE INDEX IF NOT EXISTS passages_seq ON passages(seq);
CREATE INDEX IF NOT EXISTS sentences_seq ON sentences(seq);
"""

# A spool is temporary (a failed reload is redone from the data dir): no syncing to disk.
_PRAGMAS = "PRAGMA synchronous = OFF;"
# How long a worker waits for the other to finish writing its chunk (seconds).
_BUSY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Spooled:
    """A new article of a reload, in the spool: its sequence number and how many passages and
    sentences it has (what the ids of its rows are computed from)."""

    seq: int
    passages: int
    sentences: int


def spool_path(db_path: Path, corpus: int) -> Path:
    """The spool of one corpus of a database (beside it, on the same disk; removed after every
    reload, and before one in case a crash left it)."""
    return db_path.with_name(f"{db_path.name}.spool-{corpus}")


def clear(path: Path) -> None:
    """Remove a spool (and its journal, if a crash left one)."""
    for leftover in (path, path.with_name(f"{path.name}-journal")):
        leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class NewArticle:
    """An article a reload adds: its sequence number (the order of its rows' ids), its source
    key in its file, and the article, to be segmented."""

    seq: int
    key: str
    article: Article


def spool_chunk(path: Path, articles: list[NewArticle]) -> list[Spooled]:
    """Segment ``articles`` and append their rows to the spool at ``path`` (runs in a worker:
    pyvi is the expensive part); returns where each one is."""
    counts: list[Spooled] = []
    article_rows, passage_rows, sentence_rows = [], [], []
    for new in articles:
        seq, key, article = new.seq, new.key, new.article
        prepared = prepare_article(article)
        article_rows.append((seq, key, prepared.title, prepared.date, prepared.url, " ".join(prepared.title_words),
                             prepared.text, content_key(prepared.text)))  # fmt: skip
        rank = 0
        for p_ord, passage in enumerate(prepared.passages):
            passage_rows.append((seq, p_ord))
            for s_ord, sentence in enumerate(passage):
                sentence_rows.append((seq, p_ord, s_ord, rank, sentence.text, " ".join(sentence.words)))
                rank += 1
        counts.append(Spooled(seq, len(prepared.passages), rank))
    with contextlib.closing(sqlite3.connect(path, timeout=_BUSY_TIMEOUT)) as db:
        db.executescript(_PRAGMAS + SCHEMA)
        with db:
            db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", article_rows)
            db.executemany("INSERT INTO passages VALUES (?, ?)", passage_rows)
            db.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)", sentence_rows)
    return counts
