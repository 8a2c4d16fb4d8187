"""Segmented articles reach the database through the spool: the same rows and ids whichever
worker segmented which chunk, and no spool left behind, whatever fails."""

import json
import sqlite3

import pytest

import retrieval.reconcile as reconcile_module
from retrieval.engine import QAEngine
from retrieval.reconcile import Reading
from retrieval.store.spool import spool_path


def _rows(db_path):
    """Every stored article, passage and sentence with its id (what the index is built from)."""
    with sqlite3.connect(db_path) as db:
        return {
            table: db.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
            for table, columns in (
                ("articles", "id, file_id, ord, title, date, url, title_tokens, text, source_key, text_key"),
                ("passages", "id, article_id, ord"),
                ("sentences", "id, passage_id, ord, text, tokens"),
            )
        }


def _add_bulk(data_dir, count=30):
    records = [
        {"title": f"Tin số {i}", "text": f"Đồn biên phòng số {i} tuần tra.\n\nCâu thứ hai của tin {i}. Câu ba."}
        for i in range(count)
    ]
    (data_dir / "bulk.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


async def test_two_workers_store_the_rows_one_thread_stores(data_dir, tmp_path, monkeypatch):
    """Chunks of one article each, segmented by two processes that finish in any order: the
    database holds exactly the rows, with exactly the ids, of a reload segmented in one thread
    (ids dense and in file order: articles by file and position, passages and sentences after)."""
    _add_bulk(data_dir)
    threaded = tmp_path / "threaded.sqlite3"
    engine, _ = await QAEngine.open(data_dir, threaded)
    await engine.close()
    parallel = tmp_path / "parallel.sqlite3"
    engine, report = await QAEngine.open(data_dir, parallel, reading=Reading(parallel_characters=0, chunk_articles=1))
    await engine.close()
    assert report.articles == 35 and not report.errors
    rows = _rows(parallel)
    assert rows == _rows(threaded)
    for table in rows.values():
        assert [row[0] for row in table] == list(range(1, len(table) + 1))
    by_place = sorted(rows["articles"], key=lambda a: (a[1], a[2]))
    assert [a[0] for a in by_place] == [a[0] for a in rows["articles"]]
    assert [p[1:] for p in rows["passages"]] == sorted(p[1:] for p in rows["passages"])
    assert [s[1:3] for s in rows["sentences"]] == sorted(s[1:3] for s in rows["sentences"])
    assert not spool_path(parallel, engine.corpus).exists()


async def test_a_reload_after_deletions_continues_the_ids(data_dir, db_path):
    """New rows get ids after every id ever given (the spool's copy honours ``last_id``)."""
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        before = _rows(db_path)
        _add_bulk(data_dir, 3)
        report = await engine.reload()
        assert report.added == ["bulk.jsonl"]
        after = _rows(db_path)
        for table in ("articles", "passages", "sentences"):
            old = {row[0] for row in before[table]}
            new = [row[0] for row in after[table] if row[0] not in old]
            assert new == list(range(max(old) + 1, max(old) + 1 + len(new)))
        assert "Đồn biên phòng số 2 tuần tra." in engine.search("đồn biên phòng số 2 tuần tra").answers[0].sentence
    finally:
        await engine.close()


@pytest.mark.parametrize("failing", ["segmenting", "storing"])
async def test_a_failed_reload_leaves_no_spool_and_the_old_rows(data_dir, db_path, monkeypatch, failing):
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        before = _rows(db_path)
        _add_bulk(data_dir, 3)

        def broken(*_args):
            raise OSError("disk on fire")

        if failing == "segmenting":
            monkeypatch.setattr(reconcile_module, "spool_chunk", broken)
        else:
            monkeypatch.setattr(engine.store.db, "execute", _failing_copy(engine.store.db.execute))
        with pytest.raises(OSError, match="disk on fire"):
            await engine.reload()
        assert not spool_path(db_path, engine.corpus).exists()
        assert _rows(db_path) == before
        monkeypatch.undo()
        report = await engine.reload()  # and the next reload does it all
        assert report.added == ["bulk.jsonl"] and report.articles == 8
    finally:
        await engine.close()


def _failing_copy(execute):
    """``execute`` that fails the copy of the spooled sentences (the copy's last statement)."""

    async def fail():
        raise OSError("disk on fire")

    def wrapper(sql, *args):
        return fail() if "spool.sentences s" in sql else execute(sql, *args)

    return wrapper


async def test_a_spool_left_by_a_crash_is_not_copied(data_dir, db_path):
    """Rows a killed process left in the spool belong to no reload: the next one starts afresh."""
    from retrieval.store.spool import NewArticle, spool_chunk
    from retrieval.text.cleaner import Article

    engine, _ = await QAEngine.open(data_dir, db_path)
    spool = spool_path(db_path, engine.corpus)
    spool_chunk(spool, [NewArticle(0, "stale", Article(title="Tin cũ", paragraphs=["Chim cánh cụt sống ở Nam Cực."]))])
    try:
        _add_bulk(data_dir, 2)
        await engine.reload()
        titles = {row[3] for row in _rows(db_path)["articles"]}
        assert "Tin cũ" not in titles and {"Tin số 0", "Tin số 1"} <= titles
    finally:
        await engine.close()
