"""One SQLite file (via aiosqlite): corpora, files, articles, passages, sentences, query log.

Segmented words are stored with each sentence, so a restart with an unchanged data dir rebuilds
the in-memory index from the database without running pyvi again. Each data dir is its own
corpus (keyed by its resolved path), so pointing one database at two data dirs never mixes
their answers. ``SCHEMA_VERSION`` is checked at start-up: a file written by another version is
refused with a clear message instead of being misread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from retrieval.corpus import content_key
from retrieval.index import CorpusRows, DocInfo
from retrieval.spool import Spooled

log = logging.getLogger(__name__)

# How long opening waits for a file another process holds before it gives up, untouched (each
# statement after that waits 5 s: PRAGMA busy_timeout in ``_open``).
BUSY_WAIT = 10.0

SCHEMA_VERSION = 5
# Older versions this one upgrades in place: version -> statements.
_MIGRATIONS = {
    1: ["ALTER TABLE articles ADD COLUMN source_key TEXT"],  # 2: articles of a changed file kept by key
    2: ["ALTER TABLE queries ADD COLUMN understood TEXT"],  # 3: a follow-up as the bot understood it
    # 4: articles' content keys (an article fetched again under another link is not added twice),
    # feeds (their tables are created with the schema below)
    3: ["ALTER TABLE articles ADD COLUMN text_key TEXT", "UPDATE articles SET text_key = content_key(text)"],
    4: [],  # 5: feed entries' failed tries (the table is created with the schema below)
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corpora (id INTEGER PRIMARY KEY, root TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    corpus_id INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    indexed_at REAL NOT NULL,
    UNIQUE (corpus_id, name)
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    url TEXT,
    title_tokens TEXT NOT NULL,
    text TEXT NOT NULL,
    source_key TEXT,
    text_key TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY,
    asked_at REAL NOT NULL,
    source TEXT NOT NULL,
    chat_type TEXT,
    user_hash TEXT,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    answers INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    understood TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (query_id, user_hash)
);
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    corpus_id INTEGER NOT NULL REFERENCES corpora(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    file TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_poll REAL,
    last_error TEXT,
    added INTEGER NOT NULL DEFAULT 0,
    UNIQUE (corpus_id, url)
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    link TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (feed_id, link)
);
CREATE TABLE IF NOT EXISTS feed_failures (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    link TEXT NOT NULL,
    tries INTEGER NOT NULL,
    next_try REAL NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (feed_id, link)
);
CREATE INDEX IF NOT EXISTS articles_file ON articles(file_id);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_text_key ON articles(text_key);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE INDEX IF NOT EXISTS sentences_passage ON sentences(passage_id);
CREATE INDEX IF NOT EXISTS queries_time ON queries(asked_at);
"""


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


# Row ids are never reused: an index (and its sentence vectors) tells rows apart by id, so a new
# sentence must not take the id of a deleted one. SQLite would give a new row max(id) + 1, which is
# a deleted row's id after the newest rows were deleted; each table's highest id ever given is kept
# in ``meta`` instead.
_LAST_ID = " coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_id:' || ?), 0))"
_MAX_ID = {  # SQL is never formatted (tests/test_security.py), table names included
    "files": "SELECT max(coalesce((SELECT max(id) FROM files), 0)," + _LAST_ID,
    "articles": "SELECT max(coalesce((SELECT max(id) FROM articles), 0)," + _LAST_ID,
    "passages": "SELECT max(coalesce((SELECT max(id) FROM passages), 0)," + _LAST_ID,
    "sentences": "SELECT max(coalesce((SELECT max(id) FROM sentences), 0)," + _LAST_ID,
}
_ID_TABLES = tuple(_MAX_ID)


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


# Readers for index builds, which run in a worker thread or process: a plain read-only
# connection, no event loop.


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


class SchemaError(Exception):
    """The database file belongs to another schema version or is not ours."""


class CorruptDatabase(SchemaError):
    """The database file cannot be read; it is moved aside and rebuilt."""


class DatabaseUnavailable(SchemaError):
    """The database file is healthy as far as anyone can tell, but cannot be used now (another
    process holds it locked, no permission, a full or failing disk): it is left untouched."""


# SQLite's primary result codes that say the file itself is damaged or is not a database; every
# other failure (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_IOERR, …) says
# nothing about the file's content, and moving a healthy file aside would lose its data.
_DAMAGED_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB


def _primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error (its extended code's low byte), if it has one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _unavailable(path: Path, exc: sqlite3.Error, wait: float) -> str:
    """What an operator reads when the database cannot be used now (and what to do)."""
    if _primary_code(exc) in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return (
            f"{path}: the database is locked by another process (waited {wait:g} s); the file was left as "
            "it is. Stop the other program (a running bot, a backup, an sqlite3 shell) or try again later"
        )
    return f"{path}: the database cannot be used ({exc}); the file was left as it is"


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ArticleRow:
    """One indexed article as lists show it; ``text_key`` is ``corpus.content_key`` of its text."""

    title: str
    date: str | None
    url: str | None
    file: str
    sentences: int
    text_key: str | None


@dataclass(frozen=True)
class PassageView:
    """A passage shown around one answer sentence (``focus`` is that sentence's position)."""

    title: str
    date: str | None
    url: str | None
    doc: str
    sentences: list[str]
    focus: int


@dataclass(frozen=True)
class Stats:
    articles: int
    passages: int
    sentences: int
    questions_total: int
    questions_today: int
    unanswered_share: float
    top_unanswered: list[tuple[str, int]]
    helpful: int
    unhelpful: int


async def release(lists: list[list], piece: int = 500) -> None:
    """Empty big lists ``piece`` items at a time, yielding to the event loop in between: freeing
    20,000 segmented articles or 300,000 sentence rows in one cascade held the loop for 100-360 ms
    at 100k passages."""
    for items in lists:
        while items:
            del items[-piece:]
            await asyncio.sleep(0)


class _NewRows:
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


def _files_by_name(rows: Iterable[tuple]) -> dict[str, StoredFile]:
    return {row[1]: StoredFile(*row) for row in rows}


class _LoggedQuestion(NamedTuple):
    """A row of ``queries`` not written yet, in its columns' order."""

    id: int
    asked_at: float
    source: str
    chat_type: str | None
    user_hash: str | None
    question: str
    answered: int
    answers: int
    latency_ms: float
    understood: str | None


class Store:
    """Async access to the database; one connection, used from one event loop.

    Writes go through ``write_lock`` (also those of modules with their own tables here): the
    connection is shared, so without it a query-log write could land in the middle of a reload's
    transaction and commit half of it.

    The query log never delays an answer: ``log_query`` gives the question its id at once (from
    the clock, so that two processes logging to one file do not collide) and the row is written
    in the background, in batches, ``LOG_COMMIT_DELAY`` seconds later; while another process
    holds the database, rows wait in memory (at most ``MAX_PENDING_LOG``) and are written when it
    lets go, and ``close`` writes what is left. A crash can lose the last fraction of a second of
    the log, never an index change.
    """

    LOG_COMMIT_DELAY = 0.2
    LOG_RETRY_DELAY = 2.0
    MAX_PENDING_LOG = 10_000

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        self.write_lock = asyncio.Lock()
        self._log_writer: asyncio.Task[None] | None = None
        self._pending_log: dict[int, _LoggedQuestion] = {}  # query id -> its row, not written yet
        self._last_query_id = 0

    def _write_log_later(self, delay: float) -> None:
        if self._log_writer is None or self._log_writer.done():
            self._log_writer = asyncio.get_running_loop().create_task(self._write_log_after(delay))

    async def _write_log_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await self.write_log()
        except sqlite3.Error as exc:  # locked by another process, disk full: the rows wait
            log.warning("%d logged questions not written yet (%s); trying again", len(self._pending_log), exc)
            self._log_writer = None
            self._write_log_later(self.LOG_RETRY_DELAY)

    async def write_log(self) -> None:
        """Write the questions logged so far (sqlite3.Error: they stay pending)."""
        async with self.write_lock:
            if not self._pending_log:
                return
            rows = list(self._pending_log.values())
            try:
                await self.db.executemany(
                    "INSERT OR IGNORE INTO queries(id, asked_at, source, chat_type, user_hash, question, answered,"
                    " answers, latency_ms, understood) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                await self.db.commit()
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    await self.db.rollback()
                raise
            for row in rows:
                self._pending_log.pop(row.id, None)

    @classmethod
    async def open(cls, path: Path, wait: float = BUSY_WAIT) -> Store:
        """Open (creating if needed) and check the schema version.

        A file that SQLite reports as damaged or not a database, or whose pages fail
        ``quick_check``, is moved aside as ``<name>.corrupt-<time>`` (kept for inspection, never
        deleted) and a fresh database is built from the data dir. A file that is merely busy
        (another process writing, holding it in exclusive mode, backing it up) is waited for up to
        ``wait`` seconds; then, like a file that cannot be opened, it is DatabaseUnavailable and
        left untouched. A readable file of another program or schema version is refused.
        ``quick_check`` reads the whole file (seconds at 100k passages), so it runs only when the
        last run did not close the database cleanly.
        """
        try:
            return await cls._open(path, wait)
        except CorruptDatabase as exc:
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            log.error("%s; moved to %s, rebuilding the index from the data dir", exc, aside.name)
            path.rename(aside)
            for suffix in ("-wal", "-shm"):
                companion = path.with_name(path.name + suffix)
                if companion.exists():
                    companion.rename(aside.with_name(aside.name + suffix))
            return await cls._open(path, wait)

    @classmethod
    async def _open(cls, path: Path, wait: float) -> Store:
        if path.is_dir():  # said before aiosqlite's thread is started for a connection that must fail
            raise DatabaseUnavailable(f"{path}: a folder, not a database file; the folder was left as it is")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path, timeout=wait)  # SQLite's busy timeout while opening
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(f"{path}: cannot be opened ({exc}); the file was left as it is") from None
        try:
            await db.create_function("content_key", 1, content_key, deterministic=True)  # for a migration
            try:
                # The busy timeout is set at connect: every statement, switching to WAL included,
                # waits for a lock held by another process instead of failing at once.
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute("PRAGMA foreign_keys=ON")
                await db.execute("PRAGMA synchronous=NORMAL")
                async with db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'") as cur:
                    has_meta = await cur.fetchone() is not None
                check = "ok"
                if has_meta and not await cls._closed_cleanly(db):
                    async with db.execute("PRAGMA quick_check(1)") as cur:
                        (check,) = await cur.fetchone()  # type: ignore[misc]
            except sqlite3.DatabaseError as exc:
                if _primary_code(exc) in _DAMAGED_CODES:
                    raise CorruptDatabase(f"{path}: not a readable SQLite database ({exc})") from None
                raise
            if check != "ok":
                raise CorruptDatabase(f"{path}: damaged database ({check})")
            await cls._check_schema(db, path, has_meta)
            await db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clean_shutdown', '0')")
            await db.commit()
            await db.execute("PRAGMA busy_timeout=5000")  # 5 s for every statement from now on
        except sqlite3.Error as exc:
            await db.close()
            raise DatabaseUnavailable(_unavailable(path, exc, wait)) from None
        except BaseException:
            await db.close()
            raise
        return cls(db, path)

    @staticmethod
    async def _check_schema(db: aiosqlite.Connection, path: Path, has_meta: bool) -> None:
        if has_meta:
            async with db.execute("SELECT value FROM meta WHERE key='schema_version'") as cur:
                row = await cur.fetchone()
            found = int(row[0]) if row else None
            while found in _MIGRATIONS:
                for statement in _MIGRATIONS[found]:
                    await db.execute(statement)
                found += 1
                await db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(found),))
                await db.commit()
                log.info("%s: database upgraded to schema version %d", path, found)
            if found != SCHEMA_VERSION:
                raise SchemaError(
                    f"{path}: schema version {found}, this program needs {SCHEMA_VERSION}; "
                    "move the file away to rebuild the index from the data dir"
                )
        else:
            async with db.execute("SELECT count(*) FROM sqlite_master") as cur:
                (objects,) = await cur.fetchone()  # type: ignore[misc]
            if objects:
                raise SchemaError(f"{path}: an SQLite file that is not this bot's database")
        await db.executescript(_SCHEMA)
        await db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        await db.commit()

    @staticmethod
    async def _closed_cleanly(db: aiosqlite.Connection) -> bool:
        async with db.execute("SELECT value FROM meta WHERE key = 'clean_shutdown'") as cur:
            row = await cur.fetchone()
        return row is not None and row[0] == "1"

    async def close(self) -> None:
        if self._log_writer is not None:
            self._log_writer.cancel()
        try:
            await self.write_log()
        except sqlite3.Error as exc:
            log.warning("%d logged questions could not be written at shutdown: %s", len(self._pending_log), exc)
        async with self.write_lock:
            await self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clean_shutdown', '1')")
            await self.db.commit()
        await self.db.close()

    async def corpus_id(self, root: Path) -> int:
        """The id of the corpus for a data dir, created on first use."""
        key = str(root.resolve())
        await self.db.execute("INSERT OR IGNORE INTO corpora(root) VALUES (?)", (key,))
        async with self.db.execute("SELECT id FROM corpora WHERE root = ?", (key,)) as cur:
            (corpus,) = await cur.fetchone()  # type: ignore[misc]
        await self.db.commit()
        return int(corpus)

    async def files(self, corpus: int) -> dict[str, StoredFile]:
        """Every file of a corpus, by name (all rows in one call: iterated, aiosqlite fetches 64
        rows per round trip to its thread, 313 of them for a data dir of 20,000 files; made into
        objects in a thread, not on the event loop: ~20 ms for 20,000)."""
        async with self.db.execute(
            "SELECT id, name, sha256, size, mtime_ns FROM files WHERE corpus_id = ?", (corpus,)
        ) as cur:
            rows = await cur.fetchall()
        return await asyncio.to_thread(_files_by_name, rows)

    async def article_keys(self, file_id: int) -> dict[str, int]:
        """Source key -> article id for the articles of one stored file (see ``record_key``)."""
        async with self.db.execute(
            "SELECT source_key, id FROM articles WHERE file_id = ? AND source_key IS NOT NULL", (file_id,)
        ) as cur:
            return {key: article_id async for key, article_id in cur}

    async def apply_changes(
        self,
        corpus: int,
        replaced: list[tuple[str, str, int, int, list[tuple[str, Spooled | int]]]],
        touched: list[tuple[int, int, int]],
        removed: list[int],
        spool: Path | None = None,
    ) -> None:
        """One transaction: replace changed files, refresh stat data, drop removed files.

        ``replaced``: (name, sha256, size, mtime_ns, records) where a record is (source key, a new
        article in the ``spool``, ``retrieval.spool``) or (source key, id of a stored
        article of that file, kept as it is); ``touched``: (file id, size, mtime_ns) for files
        whose bytes did not change; ``removed``: file ids. Rows get their ids here (the write lock
        is held), so each table is written by one statement: a few per reload instead of one
        await per row.
        """
        if not (replaced or touched or removed):
            return  # a restart with nothing changed
        async with self.write_lock:
            db = self.db
            await db.commit()  # query-log rows written so far
            if spool is not None:  # outside the transaction: SQLite attaches only there
                await db.execute("ATTACH DATABASE ? AS spool", (str(spool),))
            try:
                await db.execute("BEGIN IMMEDIATE")
                await db.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in removed])
                await db.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?", touched)
                rows = _NewRows(*[await self._max_id(table) for table in _MAX_ID])
                # One query for every file's id, one worker-thread call for every file's rows: per
                # file, they were 40,000 round trips for a data dir of 20,000 small files.
                file_ids = {}
                if replaced:
                    async with db.execute("SELECT name, id FROM files WHERE corpus_id = ?", (corpus,)) as c:
                        file_ids = dict(await c.fetchall())
                batches = []
                for name, sha, size, mtime_ns, records in replaced:
                    if (file_id := file_ids.get(name)) is None:
                        file_id = rows.file(corpus, name, sha, size, mtime_ns)
                    else:
                        rows.changed_files.append((sha, size, mtime_ns, time.time(), file_id))
                        kept = {item for _, item in records if isinstance(item, int)}
                        async with db.execute("SELECT id FROM articles WHERE file_id = ?", (file_id,)) as c:
                            rows.dropped_articles += [(i,) async for (i,) in c if i not in kept]
                    batches.append((file_id, records))
                await asyncio.to_thread(rows.add_all, batches)
                await rows.write(db)
                await db.commit()
            except BaseException:
                await db.rollback()
                raise
            finally:
                await db.execute("DROP TABLE IF EXISTS temp.new_articles")
                if spool is not None:
                    await db.execute("DETACH DATABASE spool")

    async def _max_id(self, table: str) -> int:
        async with self.db.execute(_MAX_ID[table], (table,)) as cur:
            (value,) = await cur.fetchone()  # type: ignore[misc]
        return int(value)

    async def sentence_count(self, corpus: int) -> int:
        async with self.db.execute(
            "SELECT count(*) FROM sentences s JOIN passages p ON p.id = s.passage_id"
            " JOIN articles a ON a.id = p.article_id JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ?",
            (corpus,),
        ) as cur:
            (count,) = await cur.fetchone()  # type: ignore[misc]
        return int(count)

    async def use_vector_model(self, name: str) -> bool:
        """Drop stored sentence vectors of another model (they would not compare with this one's);
        True when it did."""
        async with self.write_lock:
            async with self.db.execute("SELECT value FROM meta WHERE key = 'vector_model'") as cur:
                row = await cur.fetchone()
            if row is not None and row[0] == name:
                return False
            await self.db.execute("DELETE FROM sentence_vectors")
            await self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('vector_model', ?)", (name,))
            await self.db.commit()
            return True

    async def save_vectors(self, vectors: list[tuple[int, bytes]]) -> None:
        """Store (sentence id, vector) pairs; a sentence deleted meanwhile (a reload) is skipped.
        Vectors go with their sentences (ON DELETE CASCADE)."""
        async with self.write_lock:
            await self.db.executemany(
                "INSERT OR REPLACE INTO sentence_vectors(sentence_id, vector)"
                " SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM sentences WHERE id = ?1)",
                vectors,
            )
            await self.db.commit()

    async def log_query(
        self,
        source: str,
        question: str,
        answers: int,
        latency_ms: float,
        chat_type: str | None = None,
        user_hash: str | None = None,
        understood: str | None = None,
    ) -> int:
        """Record one question (and, for a follow-up, how it was understood); returns its id (used
        by the feedback and "more" buttons) at once, the row written in the background."""
        # Microseconds since 1970, kept increasing here: ordered like the questions, and two
        # processes logging to one file would have to ask in the same microsecond to collide.
        query_id = self._last_query_id = max(self._last_query_id + 1, time.time_ns() // 1000)
        self._pending_log[query_id] = _LoggedQuestion(
            query_id, time.time(), source, chat_type, user_hash, question, int(answers > 0), answers, latency_ms,
            understood,
        )  # fmt: skip
        if len(self._pending_log) > self.MAX_PENDING_LOG:  # the database has been unwritable for long
            del self._pending_log[next(iter(self._pending_log))]
        self._write_log_later(self.LOG_COMMIT_DELAY)
        return query_id

    async def question(self, query_id: int) -> str | None:
        """A logged question as it was answered (a follow-up as the bot understood it)."""
        if (pending := self._pending_log.get(query_id)) is not None:
            return pending.understood or pending.question
        sql = "SELECT coalesce(understood, question) FROM queries WHERE id = ?"
        async with self.db.execute(sql, (query_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def record_feedback(self, query_id: int, user_hash: str, helpful: bool) -> bool:
        """Store (or change) one user's verdict on one answer; False if the question is unknown."""
        if query_id in self._pending_log:
            await self.write_log()  # its row first (the verdict refers to it)
        async with self.write_lock:
            async with self.db.execute("SELECT 1 FROM queries WHERE id = ?", (query_id,)) as cur:
                if await cur.fetchone() is None:
                    return False
            await self.db.execute(
                "INSERT INTO feedback(query_id, user_hash, helpful, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(query_id, user_hash) DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
                (query_id, user_hash, int(helpful), time.time()),
            )
            await self.db.commit()
            return True

    async def passage_of(self, sentence_id: int, corpus: int) -> PassageView | None:
        """The passage holding a sentence of ``corpus`` (None if it is gone, e.g. after a reload)."""
        async with self.db.execute(
            "SELECT s.passage_id, a.title, a.date, a.url, f.name FROM sentences s"
            " JOIN passages p ON p.id = s.passage_id JOIN articles a ON a.id = p.article_id"
            " JOIN files f ON f.id = a.file_id WHERE s.id = ? AND f.corpus_id = ?",
            (sentence_id, corpus),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        passage_id, title, date, url, doc = row
        async with self.db.execute(
            "SELECT id, text FROM sentences WHERE passage_id = ? ORDER BY ord", (passage_id,)
        ) as cur:
            rows = await cur.fetchall()
        ids = [r[0] for r in rows]
        return PassageView(title, date, url, doc, [r[1] for r in rows], ids.index(sentence_id))

    # Articles as admins list, find and remove them (``retrieval.ingest``).

    _ARTICLE_ROWS = (
        "SELECT a.title, a.date, a.url, f.name,"
        " (SELECT count(*) FROM sentences s JOIN passages p ON p.id = s.passage_id WHERE p.article_id = a.id),"
        " a.text_key FROM articles a JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ?"
    )

    async def _article_rows(self, condition: str, *args: object) -> list[ArticleRow]:
        """Rows of ``_ARTICLE_ROWS`` + ``condition`` (one of the constant strings below)."""
        async with self.db.execute(self._ARTICLE_ROWS + condition, args) as cur:
            return [ArticleRow(*row) async for row in cur]

    async def articles_with_url(self, corpus: int, url: str) -> list[ArticleRow]:
        return await self._article_rows(" AND a.url = ?", corpus, url)

    async def articles_with_text(self, corpus: int, text_key: str) -> list[ArticleRow]:
        return await self._article_rows(" AND a.text_key = ?", corpus, text_key)

    async def articles_in_file(self, corpus: int, name: str) -> list[ArticleRow]:
        return await self._article_rows(" AND f.name = ? ORDER BY a.ord", corpus, name)

    async def articles_page(self, corpus: int, offset: int, limit: int) -> tuple[list[ArticleRow], int]:
        """A page of the corpus's articles, newest first (by date; undated ones last, the most
        recently indexed first), and how many there are."""
        rows = await self._article_rows(
            " ORDER BY a.date IS NULL, a.date DESC, a.id DESC LIMIT ? OFFSET ?", corpus, limit, offset
        )
        async with self.db.execute(
            "SELECT count(*) FROM articles a JOIN files f ON f.id = a.file_id WHERE f.corpus_id = ?", (corpus,)
        ) as cur:
            (total,) = await cur.fetchone()  # type: ignore[misc]
        return rows, int(total)

    async def secret(self, name: str) -> str:
        """A random value kept in the database (created on first use), e.g. the user-id salt."""
        key = f"secret:{name}"
        async with self.write_lock:
            await self.db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", (key, secrets.token_hex(32)))
            await self.db.commit()
        async with self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            (value,) = await cur.fetchone()  # type: ignore[misc]
        return str(value)

    async def stats(self, size: tuple[int, int, int], since: float, top: int = 5) -> Stats:
        """Usage numbers for /stats; ``since`` is the start of "today" (epoch seconds)."""

        async def one(sql: str, *args: object) -> int:
            async with self.db.execute(sql, args) as cur:
                row = await cur.fetchone()
            return int(row[0] or 0) if row else 0

        total = await one("SELECT count(*) FROM queries")
        unanswered = await one("SELECT count(*) FROM queries WHERE answered = 0")
        async with self.db.execute(
            "SELECT lower(trim(question)) AS q, count(*) AS n FROM queries WHERE answered = 0 AND q != ''"
            " GROUP BY q ORDER BY n DESC, max(asked_at) DESC LIMIT ?",
            (top,),
        ) as cur:
            top_unanswered = [(str(q), int(n)) async for q, n in cur]
        return Stats(
            articles=size[0],
            passages=size[1],
            sentences=size[2],
            questions_total=total,
            questions_today=await one("SELECT count(*) FROM queries WHERE asked_at >= ?", since),
            unanswered_share=unanswered / total if total else 0.0,
            top_unanswered=top_unanswered,
            helpful=await one("SELECT count(*) FROM feedback WHERE helpful = 1"),
            unhelpful=await one("SELECT count(*) FROM feedback WHERE helpful = 0"),
        )
