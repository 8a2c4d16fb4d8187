"""The database's tables, their version and upgrades, and what a file that cannot be used is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# How long opening waits for a file another process holds before it gives up, untouched (each
# statement after that waits 5 s: PRAGMA busy_timeout in ``_open``).
BUSY_WAIT = 10.0


SCHEMA_VERSION = 7


# Older versions this one upgrades in place: version -> statements.
MIGRATIONS = {
    1: ["ALTER TABLE articles ADD COLUMN source_key TEXT"],  # 2: articles of a changed file kept by key
    2: ["ALTER TABLE queries ADD COLUMN understood TEXT"],  # 3: a follow-up as the bot understood it
    # 4: articles' content keys (an article fetched again under another link is not added twice),
    # feeds (their tables are created with the schema below)
    3: ["ALTER TABLE articles ADD COLUMN text_key TEXT", "UPDATE articles SET text_key = content_key(text)"],
    4: [],  # 5: feed entries' failed tries (the table is created with the schema below)
    5: ["ALTER TABLE queries ADD COLUMN verdict TEXT"],  # 6: answer, related, none or chat
    6: [],  # 7: the admins' actions (the table is created with the schema below)
}


SCHEMA = """
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
    understood TEXT,
    verdict TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (query_id, user_hash)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    admin INTEGER NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
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
DAMAGED_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB


def primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of an error (its extended code's low byte), if it has one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def unavailable(path: Path, exc: sqlite3.Error, wait: float) -> str:
    """What an operator reads when the database cannot be used now (and what to do)."""
    if primary_code(exc) in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return (
            f"{path}: the database is locked by another process (waited {wait:g} s); the file was left as "
            "it is. Stop the other program (a running bot, a backup, an sqlite3 shell) or try again later"
        )
    return f"{path}: the database cannot be used ({exc}); the file was left as it is"
