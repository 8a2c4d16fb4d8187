"""Backups taken while the bot writes, restored whole; damaged or misplaced ones refused
(retrieval.backup through ``python -m bot backup|restore``, and OPML through ``feeds export|import``)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

from retrieval.store.database import Store
from retrieval.store.subscriptions import Subscriptions
from tests.test_corpus_cli import bot_cli


async def a_database_with_a_feed(tmp_path: Path, data: Path, url: str = "https://x.vn/rss") -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await Subscriptions(store, await store.corpus_id(data)).add(url, "Tin & ảnh", lambda n: f"feeds/x-{n}.jsonl")
    finally:
        await store.close()


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".edit.lock"
    }


class Writer(threading.Thread):
    """Another connection committing rows as fast as it can: the running bot's query log."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.stop, self.rows = path, threading.Event(), 0
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE load (n INTEGER)")

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=30)
        while not self.stop.is_set() and self.rows < 200_000:
            with db:
                db.execute("INSERT INTO load VALUES (?)", (self.rows,))
            self.rows += 1
        db.close()


async def test_a_backup_taken_while_the_bot_writes_restores_everything(tmp_path, small_data):
    await a_database_with_a_feed(tmp_path, small_data)
    (small_data / "web.jsonl").write_text('{"title": "Tin", "text": "Một câu\u2028hai dòng."}\n', encoding="utf-8")
    before = digests(small_data)
    writer = Writer(tmp_path / "bot.sqlite3")
    writer.start()
    try:
        status, _, err = await bot_cli(tmp_path, "backup", str(tmp_path / "backup"))
    finally:
        writer.stop.set()
        writer.join(30)
    assert status == 0 and "1 feeds" in err, err
    copy = sqlite3.connect(tmp_path / "backup" / "bot.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copied_rows = copy.execute("SELECT count(*), coalesce(max(n), -1) FROM load").fetchone()
    copy.close()
    assert copied_rows[0] == copied_rows[1] + 1 <= writer.rows  # one moment: rows 0..k, none missing
    assert digests(tmp_path / "backup" / "data") == before
    assert 'xmlUrl="https://x.vn/rss"' in (tmp_path / "backup" / "feeds.opml").read_text("utf-8")

    # Things go wrong: a file lost, another changed, a feed added by mistake. Restore.
    (small_data / "coc-pai.txt").unlink()
    (small_data / "web.jsonl").write_text("garbage", encoding="utf-8")
    await a_database_with_a_feed(tmp_path, small_data, "https://y.vn/rss")
    status, _, err = await bot_cli(tmp_path, "restore", str(tmp_path / "backup"))
    assert status == 0 and "what it replaced" in err, err
    assert digests(small_data) == before
    status, out, _ = await bot_cli(tmp_path, "feeds", "list")
    assert status == 0 and [line.split("\t")[1] for line in out.splitlines()] == ["https://x.vn/rss"]
    (aside,) = tmp_path.glob("data.before-restore-*")  # nothing deleted: the replaced files are kept
    assert (aside / "web.jsonl").read_text("utf-8") == "garbage"
    assert list(tmp_path.glob("bot.sqlite3.before-restore-*"))


async def test_a_backup_never_overwrites_and_a_damaged_one_is_never_restored(tmp_path, small_data):
    await a_database_with_a_feed(tmp_path, small_data)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine", encoding="utf-8")
    status, _, err = await bot_cli(tmp_path, "backup", str(occupied))
    assert status == 2 and "not an empty folder" in err
    assert [p.name for p in occupied.iterdir()] == ["keep.txt"]

    assert (await bot_cli(tmp_path, "backup", str(tmp_path / "backup")))[0] == 0
    (tmp_path / "backup" / "data" / "coc-pai.txt").write_text("tampered", encoding="utf-8")
    before = digests(small_data)
    status, _, err = await bot_cli(tmp_path, "restore", str(tmp_path / "backup"))
    assert status == 2 and "the backup is damaged: data/coc-pai.txt" in err
    assert digests(small_data) == before and not list(tmp_path.glob("*.before-restore-*"))
    status, _, err = await bot_cli(tmp_path, "restore", str(tmp_path / "nowhere"))
    assert status == 2 and "no readable MANIFEST.json" in err


async def test_feeds_move_to_another_bot_as_opml(tmp_path, small_data, site):
    feed = site.link("/rss.xml")
    assert (await bot_cli(tmp_path, "feeds", "add", feed))[0] == 0
    status, opml, _ = await bot_cli(tmp_path, "feeds", "export")
    assert status == 0 and f'xmlUrl="{feed}"' in opml and 'text="Báo Biên phòng - Tin mới"' in opml

    other = tmp_path / "other"
    (other / "data").mkdir(parents=True)
    (other / "feeds.opml").write_text(opml, encoding="utf-8")
    status, _, err = await bot_cli(other, "feeds", "import", str(other / "feeds.opml"))
    assert status == 0 and f"feed 1 ({feed}): 3 new articles" in err, err
    status, out, _ = await bot_cli(other, "feeds", "list")
    assert out.startswith(f"1\t{feed}\tBáo Biên phòng - Tin mới\t")

    (other / "bad.opml").write_text('<!DOCTYPE x [<!ENTITY a "b">]><opml/>', encoding="utf-8")
    status, _, err = await bot_cli(other, "feeds", "import", str(other / "bad.opml"))
    assert status == 2 and "declares a DTD" in err
