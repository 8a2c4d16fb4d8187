"""The process killed during a reload: after a restart the database is consistent and nothing it
had committed is lost (one transaction per reload, WAL)."""

import asyncio
import os
import signal
import sqlite3
import sys

from retrieval.engine import QAEngine
from tests.conftest import ROOT

# Runs the real engine; pauses inside the reload's write transaction so the test can kill it there.
CHILD = """
import asyncio, sys
from pathlib import Path
import retrieval.store.database as store

original = store.Store.apply_changes

async def slow_apply(self, *args):
    real_executemany = self.db.executemany
    async def executemany(sql, rows):
        result = await real_executemany(sql, rows)
        print("in-transaction", flush=True)
        await asyncio.sleep(60)
        return result
    self.db.executemany = executemany
    return await original(self, *args)

store.Store.apply_changes = slow_apply
from retrieval.engine import QAEngine
asyncio.run(QAEngine.open(Path(sys.argv[1]), Path(sys.argv[2])))
"""


async def test_killed_inside_the_reload_transaction(data_dir, db_path):
    engine, report = await QAEngine.open(data_dir, db_path)
    await engine.close()
    assert report.articles == 5
    (data_dir / "new.txt").write_text("Tin mới\nChim cánh cụt sống ở Nam Cực.\n", encoding="utf-8")
    (data_dir / "000_7322326c6deb17f8.txt").unlink()

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(data_dir), str(db_path),
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line.strip() == b"in-transaction"
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

    with sqlite3.connect(db_path) as db:  # what a restart finds: the last committed state
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = {n for (n,) in db.execute("SELECT name FROM files")}
        assert "000_7322326c6deb17f8.txt" in names and "new.txt" not in names
        orphans = db.execute(
            "SELECT count(*) FROM sentences s LEFT JOIN passages p ON p.id = s.passage_id WHERE p.id IS NULL"
        ).fetchone()
        assert orphans == (0,)

    engine, report = await QAEngine.open(data_dir, db_path)  # the restart finishes the job
    try:
        assert report.added == ["new.txt"] and report.removed == ["000_7322326c6deb17f8.txt"]
        assert report.articles == 5
        assert "Nam Cực" in engine.search("chim cánh cụt sống ở đâu").answers[0].sentence
    finally:
        await engine.close()
