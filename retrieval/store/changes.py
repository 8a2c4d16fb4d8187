"""The rows a reload adds, numbered ahead and written in its one transaction."""

from __future__ import annotations

import asyncio
import time

import aiosqlite

from retrieval.store.spool import Spooled

# Row ids are never reused: an index (and its sentence vectors) tells rows apart by id, so a new
# sentence must not take the id of a deleted one. SQLite would give a new row max(id) + 1, which is
# a deleted row's id after the newest rows were deleted; each table's highest id ever given is kept
# in ``meta`` instead.
_LAST_ID = " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_id:' || ?), 0))"


MAX_ID = {  # SQL is never formatted (tests/test_security.py), table names included
    "files": "SELECT max(coalesce((SELECT max(id) FROM files), 0)," + _LAST_ID,
    "articles": "SELECT max(coalesce((SELECT max(id) FROM articles), 0)," + _LAST_ID,
    "passages": "SELECT max(coalesce((SELECT max(id) FROM passages), 0)," + _LAST_ID,
    "sentences": "SELECT max(coalesce((SELECT max(id) FROM sentences), 0)," + _LAST_ID,
}


_ID_TABLES = tuple(MAX_ID)


async def release(lists: list[list], piece: int = 500) -> None:
    """Empty big lists ``piece`` items at a time, yielding to the event loop in between: freeing
    20,000 segmented articles or 300,000 sentence rows in one cascade held the loop for 100-360 ms
    at 100k passages."""
    for items in lists:
        while items:
            del items[-piece:]
            await asyncio.sleep(0)


class NewRows:
    """The rows one reload writes, with ids given in advance (see ``Store.apply_changes``)."""

    def __init__(self, last_file: int, last_article: int, last_passage: int, last_sentence: int) -> None:
        self.last_file, self.last_article, self.last_passage = last_file, last_article, last_passage
        self.last_sentence = last_sentence
        self.files: list[tuple] = []
        self.changed_files: list[tuple] = []
        self.dropped_articles: list[tuple[int]] = []
        self.kept_articles: list[tuple[int, int]] = []
        # Spooled articles: (seq, article id, file id, ord, first passage id, first sentence id).
        self.articles: list[tuple[int, int, int, int, int, int]] = []

    def file(self, corpus: int, name: str, sha: str, size: int, mtime_ns: int) -> int:
        self.last_file += 1
        self.files.append((self.last_file, corpus, name, sha, size, mtime_ns, time.time()))
        return self.last_file

    def add_all(self, batches: list[tuple[int, list[tuple[str, Spooled | int]]]]) -> None:
        for file_id, records in batches:
            for a_ord, (_, item) in enumerate(records):
                if isinstance(item, Spooled):
                    self._spooled(file_id, a_ord, item)
                else:
                    self.kept_articles.append((a_ord, item))

    def _spooled(self, file_id: int, a_ord: int, item: Spooled) -> None:
        """The ids of a spooled article's rows: its own, its first passage's and sentence's (the
        others follow in order, as when every row was written in file order)."""
        self.last_article += 1
        self.articles.append(
            (item.seq, self.last_article, file_id, a_ord, self.last_passage + 1, self.last_sentence + 1)
        )
        self.last_passage += item.passages
        self.last_sentence += item.sentences

    def last_ids(self) -> list[tuple[str, str]]:
        """The highest ids given, kept in ``meta`` (see ``_ID_TABLES``)."""
        last = (self.last_file, self.last_article, self.last_passage, self.last_sentence)
        return [(f"last_id:{table}", str(value)) for table, value in zip(_ID_TABLES, last, strict=True)]

    # Rows per executemany: one call over 300k sentences held the event loop for 80 ms (sqlite3
    # lets go of the interpreter lock for every row and the loop thread rarely got it back).
    BATCH = 5000

    async def write(self, db: aiosqlite.Connection) -> None:
        """Write the rows; the new articles' come from the spool attached as ``spool``."""
        await db.execute(
            "CREATE TEMP TABLE new_articles (seq INTEGER PRIMARY KEY, id INTEGER NOT NULL, file_id INTEGER NOT NULL,"
            " ord INTEGER NOT NULL, first_passage INTEGER NOT NULL, first_sentence INTEGER NOT NULL)"
        )
        for sql, rows in (
            ("DELETE FROM articles WHERE id = ?", self.dropped_articles),
            ("UPDATE files SET sha256 = ?, size = ?, mtime_ns = ?, indexed_at = ? WHERE id = ?", self.changed_files),
            ("UPDATE articles SET ord = ? WHERE id = ?", self.kept_articles),
            ("INSERT INTO files(id, corpus_id, name, sha256, size, mtime_ns, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
             self.files),
            ("INSERT INTO temp.new_articles VALUES (?, ?, ?, ?, ?, ?)", self.articles),
            ("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", self.last_ids()),
        ):  # fmt: skip
            for start in range(0, len(rows), self.BATCH):
                await db.executemany(sql, rows[start : start + self.BATCH])
        if self.articles:  # one statement a table, in SQLite's own loop
            await db.execute(_COPY_ARTICLES)
            await db.execute(_COPY_PASSAGES)
            await db.execute(_COPY_SENTENCES)


# In id order: the new articles by sequence number (CROSS JOIN keeps them the outer loop), each
# one's rows by the spool's index on seq, in the order they were written.
_COPY_ARTICLES = """
INSERT INTO articles(id, file_id, ord, title, date, url, title_tokens, text, source_key, text_key)
SELECT n.id, n.file_id, n.ord, s.title, s.date, s.url, s.title_tokens, s.text, s.source_key, s.text_key
FROM temp.new_articles n CROSS JOIN spool.articles s ON s.seq = n.seq
"""


_COPY_PASSAGES = """
INSERT INTO passages(id, article_id, ord)
SELECT n.first_passage + p.ord, n.id, p.ord FROM temp.new_articles n CROSS JOIN spool.passages p ON p.seq = n.seq
"""


_COPY_SENTENCES = """
INSERT INTO sentences(id, passage_id, ord, text, tokens)
SELECT n.first_sentence + s.rank, n.first_passage + s.passage, s.ord, s.text, s.tokens
FROM temp.new_articles n CROSS JOIN spool.sentences s ON s.seq = n.seq
"""
