"""Backups of what the bot cannot rebuild: its database and its data dir, taken while it runs.

    python -m bot backup DIR     # DIR: new or empty
    python -m bot restore DIR    # with the bot stopped

The database (subscriptions, feedback, the query log, the corpus's rows) is copied with SQLite's
online backup API: a consistent copy whatever the running bot writes meanwhile. The data dir is
copied under its edit lock, so that no ``.jsonl`` file is caught half rewritten. The
subscriptions are also written as ``feeds.opml``, for any feed reader. ``MANIFEST.json`` lists
every file with its size and SHA-256; a restore checks them all before it touches anything, and
moves what it replaces aside (``….before-restore-<time>``) instead of deleting it. The index
folder beside the database is not copied: it is rebuilt from the database on start.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.corpus import EDIT_LOCK, editing
from retrieval.store.schema import SCHEMA_VERSION
from retrieval.web.opml import OpmlFeed, to_opml

DATABASE = "bot.sqlite3"
DATA = "data"
MANIFEST = "MANIFEST.json"
OPML = "feeds.opml"
PAGES_A_STEP = 256  # pages copied between two chances for the bot to write (SQLite's backup step)


class BackupError(RuntimeError):
    """A backup or restore refused or failed; nothing was replaced (the message says why)."""


@dataclass(frozen=True)
class BackupReport:
    target: Path
    files: int
    size: int
    feeds: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup, a few pages at a time: the bot keeps writing between steps, and
    the copy is of one consistent moment."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(target)
    try:
        src.backup(dst, pages=PAGES_A_STEP)
        if dst.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("the copied database failed SQLite's integrity check")
    except sqlite3.Error as exc:
        raise BackupError(f"the database could not be copied ({exc})") from None
    finally:
        src.close()
        dst.close()


def _feeds(database: Path) -> list[OpmlFeed]:
    db = sqlite3.connect(database)
    try:
        return [OpmlFeed(url, title) for url, title in db.execute("SELECT url, title FROM feeds ORDER BY id")]
    finally:
        db.close()


def backup(db_path: Path, data_dir: Path, target: Path) -> BackupReport:
    """Copy the database and the data dir into ``target`` (new or empty) with a manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty folder: a backup never overwrites one")
    if not data_dir.is_dir():
        raise BackupError(f"there is no data dir at {data_dir}")
    target.mkdir(parents=True, exist_ok=True)
    _copy_database(db_path, target / DATABASE)
    with editing(data_dir):
        shutil.copytree(data_dir, target / DATA, ignore=shutil.ignore_patterns(EDIT_LOCK))
    feeds = _feeds(target / DATABASE)
    (target / OPML).write_text(to_opml(feeds), encoding="utf-8")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "schema_version": SCHEMA_VERSION,
        "database": str(db_path),
        "data_dir": str(data_dir),
        "files": {str(p.relative_to(target)): {"size": p.stat().st_size, "sha256": _sha256(p)} for p in files},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupReport(target, len(files), sum(p.stat().st_size for p in files), len(feeds))


def check(source: Path) -> dict:
    """The backup's manifest once every file it lists is there, whole; BackupError otherwise."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        listed = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{source} has no readable {MANIFEST} ({exc})") from None
    if manifest.get("schema_version", 0) > SCHEMA_VERSION:
        raise BackupError(f"the backup is of a newer version of the bot (schema {manifest['schema_version']})")
    bad = [
        name
        for name, entry in listed.items()
        if not (source / name).is_file()
        or (source / name).stat().st_size != entry["size"]
        or _sha256(source / name) != entry["sha256"]
    ]
    if DATABASE not in listed or bad:
        raise BackupError(f"the backup is damaged: {', '.join(bad) or DATABASE + ' missing'}")
    return manifest


def restore(source: Path, db_path: Path, data_dir: Path) -> list[Path]:
    """Put the backup in place of the database and the data dir (the bot stopped); what was
    there is moved aside, never deleted. The paths it was moved to."""
    check(source)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    staged_db = db_path.with_name(f"{db_path.name}.restoring")
    staged_data = data_dir.with_name(f"{data_dir.name}.restoring")
    for staged in (staged_db, staged_data):
        shutil.rmtree(staged, ignore_errors=True) if staged.is_dir() else staged.unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / DATABASE, staged_db)
    shutil.copytree(source / DATA, staged_data)
    aside = []
    index = db_path.with_name(f"{db_path.name}.index")
    suffixes = ("", "-wal", "-shm")
    for path in [*(db_path.with_name(db_path.name + s) for s in suffixes), index, data_dir]:
        if path.exists():
            moved = path.with_name(f"{path.name}.before-restore-{stamp}")
            path.rename(moved)
            aside.append(moved)
    staged_db.rename(db_path)
    staged_data.rename(data_dir)
    return aside
