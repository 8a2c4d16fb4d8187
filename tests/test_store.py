"""retrieval.store.database: opening a database another process holds, and one SQLite reports as damaged."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from retrieval.store.database import Store
from retrieval.store.schema import DatabaseUnavailable
from retrieval.store.subscriptions import Subscriptions
from tests.sqlite_holder import held_by_another_process
from tests.test_corpus_cli import bot_cli


def files_beside(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


async def subscribed_feeds(path: Path) -> list[str]:
    store = await Store.open(path)
    try:
        async with store.db.execute("SELECT url FROM feeds") as cur:
            return [url async for (url,) in cur]
    finally:
        await store.close()


async def a_database_with_a_feed(path: Path) -> None:
    """A database whose corpus (``path``'s ``data`` beside it) has one subscription."""
    store = await Store.open(path)
    corpus = await store.corpus_id(path.parent / "data")
    await Subscriptions(store, corpus).add("https://x.vn/rss", "X", lambda number: f"feeds/x-{number}.jsonl")
    await store.close()


async def test_a_database_locked_by_another_process_is_waited_for_then_refused_untouched(tmp_path):
    """Before: "database is locked" was taken for corruption; the live file and its -wal were
    renamed .corrupt-* and an empty database took their place."""
    path = tmp_path / "bot.sqlite3"
    await a_database_with_a_feed(path)
    async with held_by_another_process(path):
        before = files_beside(path)
        started = asyncio.get_running_loop().time()
        with pytest.raises(DatabaseUnavailable, match="locked by another process"):
            await Store.open(path, wait=0.5)
        assert asyncio.get_running_loop().time() - started >= 0.45  # it waited
        assert files_beside(path) == before  # nothing renamed, nothing created
    assert await subscribed_feeds(path) == ["https://x.vn/rss"]


async def test_the_cli_says_the_database_is_busy_and_exits_2_leaving_it_whole(tmp_path, small_data):
    path = tmp_path / "bot.sqlite3"
    await a_database_with_a_feed(path)
    async with held_by_another_process(path):
        status, _, err = await bot_cli(tmp_path, "feeds", "list", DB_BUSY_SECONDS="1")
    assert status == 2 and "locked by another process (waited 1 s)" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.corrupt-*"))
    status, out, _ = await bot_cli(tmp_path, "feeds", "list")  # the lock released: all there
    assert status == 0 and out.startswith("1\thttps://x.vn/rss\tX\t")


async def test_a_database_that_cannot_be_opened_is_refused_not_replaced(tmp_path):
    folder = tmp_path / "db-is-a-folder"
    folder.mkdir()
    with pytest.raises(DatabaseUnavailable, match="a folder, not a database file"):
        await Store.open(folder)
    assert folder.is_dir() and not list(tmp_path.glob("*.corrupt-*"))


async def test_only_damage_moves_a_database_aside(tmp_path):
    path = tmp_path / "bot.sqlite3"
    await a_database_with_a_feed(path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[:16] = b"not sqlite at al"  # SQLITE_NOTADB
    path.write_bytes(bytes(data))
    store = await Store.open(path)  # moved aside, a fresh one in its place
    await store.close()
    (aside,) = (p for p in tmp_path.glob("bot.sqlite3.corrupt-*") if not p.name.endswith(("-wal", "-shm")))
    assert aside.read_bytes() == bytes(data)
    assert await subscribed_feeds(path) == []
