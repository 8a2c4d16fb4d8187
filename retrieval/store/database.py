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
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from retrieval.corpus import content_key
from retrieval.store.changes import MAX_ID, NewRows
from retrieval.store.records import (
    ArticleRow,
    AuditEntry,
    PassageView,
    ReplacedFile,
    Stats,
    StoredFile,
    TouchedFile,
)
from retrieval.store.schema import (
    BUSY_WAIT,
    DAMAGED_CODES,
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    CorruptDatabase,
    DatabaseUnavailable,
    SchemaError,
    primary_code,
    unavailable,
)

log = logging.getLogger(__name__)


# Readers for index builds, which run in a worker thread or process: a plain read-only
# connection, no event loop.


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
    verdict: str | None


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
                    " answers, latency_ms, understood, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                if primary_code(exc) in DAMAGED_CODES:
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
            raise DatabaseUnavailable(unavailable(path, exc, wait)) from None
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
            while found in MIGRATIONS:
                for statement in MIGRATIONS[found]:
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
        await db.executescript(SCHEMA)
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
        replaced: list[ReplacedFile],
        touched: list[TouchedFile],
        removed: list[int],
        spool: Path | None = None,
    ) -> None:
        """One transaction: replace changed files, refresh stat data, drop removed files.

        ``replaced``: new and changed files, their new articles in the ``spool``
        (``retrieval.store.spool``); ``touched``: files whose bytes did not change; ``removed``:
        file ids. Rows get their ids here (the write lock
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
                await db.executemany(
                    "UPDATE files SET size = ?, mtime_ns = ? WHERE id = ?",
                    [(t.size, t.mtime_ns, t.id) for t in touched],
                )
                rows = NewRows(*[await self._max_id(table) for table in MAX_ID])
                # One query for every file's id, one worker-thread call for every file's rows: per
                # file, they were 40,000 round trips for a data dir of 20,000 small files.
                file_ids = {}
                if replaced:
                    async with db.execute("SELECT name, id FROM files WHERE corpus_id = ?", (corpus,)) as c:
                        file_ids = dict(await c.fetchall())
                batches = []
                for f in replaced:
                    if (file_id := file_ids.get(f.name)) is None:
                        file_id = rows.file(corpus, f.name, f.sha256, f.size, f.mtime_ns)
                    else:
                        rows.changed_files.append((f.sha256, f.size, f.mtime_ns, time.time(), file_id))
                        kept = {item for _, item in f.records if isinstance(item, int)}
                        async with db.execute("SELECT id FROM articles WHERE file_id = ?", (file_id,)) as c:
                            rows.dropped_articles += [(i,) async for (i,) in c if i not in kept]
                    batches.append((file_id, f.records))
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
        async with self.db.execute(MAX_ID[table], (table,)) as cur:
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
        verdict: str | None = None,
    ) -> int:
        """Record one question (for a follow-up, how it was understood; the reply's verdict:
        retrieval.question.verdict); returns its id (used
        by the feedback and "more" buttons) at once, the row written in the background."""
        # Microseconds since 1970, kept increasing here: ordered like the questions, and two
        # processes logging to one file would have to ask in the same microsecond to collide.
        query_id = self._last_query_id = max(self._last_query_id + 1, time.time_ns() // 1000)
        self._pending_log[query_id] = _LoggedQuestion(
            query_id, time.time(), source, chat_type, user_hash, question, int(answers > 0), answers, latency_ms,
            understood, verdict,
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

    # Articles as admins list, find and remove them (``retrieval.web.ingest``).

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

    async def audit(self, admin: int, action: str, detail: str) -> None:
        """Record an admin's action (reload, upload, add, feed, unfeed, remove)."""
        async with self.write_lock:
            await self.db.execute(
                "INSERT INTO audit(at, admin, action, detail) VALUES (?, ?, ?, ?)",
                (time.time(), admin, action, detail[:1000]),
            )
            await self.db.commit()

    async def audit_log(self, limit: int = 20) -> list[AuditEntry]:
        """The latest admin actions, newest first."""
        async with self.db.execute(
            "SELECT at, admin, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            return [AuditEntry(*row) for row in await cur.fetchall()]

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
        # small talk is no unanswered question
        unanswered = await one("SELECT count(*) FROM queries WHERE answered = 0 AND coalesce(verdict, '') != 'chat'")
        async with self.db.execute(
            "SELECT lower(trim(question)) AS q, count(*) AS n FROM queries"
            " WHERE answered = 0 AND q != '' AND coalesce(verdict, '') != 'chat'"
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
            verdicts=await self._verdicts(),
        )

    async def _verdicts(self) -> dict[str, int]:
        """How many replies had each verdict (answer, related, none, chat), all time."""
        sql = "SELECT verdict, count(*) FROM queries WHERE verdict IS NOT NULL GROUP BY verdict"
        async with self.db.execute(sql) as cur:
            return {str(verdict): int(n) async for verdict, n in cur}
