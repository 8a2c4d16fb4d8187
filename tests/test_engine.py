"""The engine over a real SQLite file: reconciliation, restarts, isolation of corpora."""

import hashlib
import json
import os
import sqlite3

import pytest

import retrieval.engine as engine_module
import retrieval.reconcile as reconcile_module
from retrieval.corpus import content_key
from retrieval.engine import QAEngine
from retrieval.reconcile import Reading
from retrieval.store.schema import SCHEMA_VERSION, SchemaError

QUESTION = "Tư lệnh Bộ đội Biên phòng là ai?"


async def test_first_open_indexes_everything_and_answers(data_dir, db_path):
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert sorted(report.added) == sorted(p.name for p in data_dir.glob("*.txt"))
        assert report.articles == 5 and report.sentences > 100 and report.errors == []
        asked = await engine.ask(QUESTION)
        assert "Lê Đức Thái" in asked.result.answers[0].sentence and asked.took_ms > 0
        assert await engine.question(asked.query_id) == QUESTION  # the id the buttons carry
    finally:
        await engine.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM queries").fetchone() == (1,)
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        tokens = [t for (t,) in db.execute("SELECT tokens FROM sentences")]
        assert sum("biên_phòng" in t.split() for t in tokens) > 20  # pyvi's words, not syllables, are stored


async def test_restart_with_unchanged_data_does_not_parse_again(data_dir, db_path, monkeypatch):
    engine, _ = await QAEngine.open(data_dir, db_path)
    await engine.close()
    calls = []
    monkeypatch.setattr(reconcile_module, "_read_files", lambda *a: calls.append(a))
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert calls == [] and report.unchanged == 5 and not (report.added or report.changed or report.removed)
        assert report.articles == 5
    finally:
        await engine.close()


async def test_changed_and_removed_files_are_reindexed(data_dir, db_path):
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        (data_dir / "000_7322326c6deb17f8.txt").unlink()
        changed = data_dir / "004_6c83cc2604363b12.txt"
        changed.write_text(
            changed.read_text(encoding="utf-8") + "\nChim cánh cụt hoàng đế sống ở Nam Cực.\n", encoding="utf-8"
        )
        touched = data_dir / "002_79f83d946e63c172.txt"
        os.utime(touched, ns=(1, 1))  # new mtime, same bytes
        report = await engine.reload()
        assert report.removed == ["000_7322326c6deb17f8.txt"]
        assert report.changed == ["004_6c83cc2604363b12.txt"]
        assert report.articles == 4 and report.unchanged == 3
        answers = engine.search("chim cánh cụt sống ở đâu").answers
        assert answers and "Nam Cực" in answers[0].sentence
        assert all(a.doc != "000_7322326c6deb17f8.txt" for a in engine.search(QUESTION, 10).answers)
    finally:
        await engine.close()


async def test_a_bad_file_is_reported_and_the_rest_indexed(data_dir, db_path):
    (data_dir / "broken.txt").write_bytes("Ceci est un café très agréable.".encode("latin-1"))
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert len(report.errors) == 1 and report.errors[0].startswith("broken.txt:")
        assert report.articles == 5
    finally:
        await engine.close()


async def test_a_file_that_turns_bad_keeps_its_last_good_version(data_dir, db_path):
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        (data_dir / "000_7322326c6deb17f8.txt").write_bytes(b"\xff\xfe\x00garbage")
        report = await engine.reload()
        assert report.errors and report.articles == 5
        assert "Lê Đức Thái" in engine.search(QUESTION).answers[0].sentence
    finally:
        await engine.close()


async def test_one_db_two_data_dirs_never_mix(tmp_path, data_dir, db_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "penguin.txt").write_text(
        "Chim cánh cụt\nChim cánh cụt hoàng đế sống ở Nam Cực. Tư lệnh đàn chim là con lớn nhất.\n", encoding="utf-8"
    )
    first, _ = await QAEngine.open(data_dir, db_path)
    await first.close()
    second, report = await QAEngine.open(other, db_path)
    try:
        assert report.articles == 1
        assert {a.doc for a in second.search(QUESTION, 10).answers} <= {"penguin.txt"}
    finally:
        await second.close()
    first, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 5 and report.unchanged == 5
        assert "penguin.txt" not in {a.doc for a in first.search("chim cánh cụt Nam Cực", 10).answers}
    finally:
        await first.close()


async def test_schema_version_is_checked(data_dir, db_path):
    engine, _ = await QAEngine.open(data_dir, db_path)
    await engine.close()
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(SchemaError, match="schema version 999"):
        await QAEngine.open(data_dir, db_path)


async def test_foreign_or_corrupt_db_file_is_refused(data_dir, tmp_path):
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE x (y)")
    with pytest.raises(SchemaError, match="not this bot's database"):
        await QAEngine.open(data_dir, foreign)
    assert foreign.exists()  # someone else's data is never touched


async def test_corrupt_db_file_is_moved_aside_and_rebuilt(data_dir, tmp_path):
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database at all" * 100)
    engine, report = await QAEngine.open(data_dir, corrupt)
    try:
        assert report.articles == 5 and "Lê Đức Thái" in engine.search(QUESTION).answers[0].sentence
    finally:
        await engine.close()
    (aside,) = tmp_path.glob("corrupt.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")


async def test_damaged_pages_are_detected(data_dir, db_path):
    engine, _ = await QAEngine.open(data_dir, db_path)
    await engine.close()
    with sqlite3.connect(db_path) as db:  # as after a crash: the next start checks every page
        db.execute("UPDATE meta SET value = '0' WHERE key = 'clean_shutdown'")
    raw = bytearray(db_path.read_bytes())
    page = 4096
    raw[3 * page : 3 * page + 200] = b"\xff" * 200  # scribble over a b-tree page, header intact
    db_path.write_bytes(bytes(raw))
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 5 and engine.search(QUESTION).answers
    finally:
        await engine.close()
    assert list(db_path.parent.glob("*.corrupt-*"))


async def test_missing_data_dir(tmp_path, db_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        await QAEngine.open(tmp_path / "nope", db_path)


async def test_duplicate_content_is_reported_not_indexed_twice(data_dir, db_path):
    original = data_dir / "004_6c83cc2604363b12.txt"
    (data_dir / "copy-of-004.txt").write_bytes(original.read_bytes())
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.errors == ["copy-of-004.txt: same content as 004_6c83cc2604363b12.txt; not indexed twice"]
        assert report.articles == 5
        assert await engine.file_with_content(hashlib.sha256(original.read_bytes()).hexdigest()) == original.name
    finally:
        await engine.close()


def _jsonl(records):
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def _record_segmented(monkeypatch, segmented: list) -> None:
    """Append every article sent to segmentation to ``segmented`` (then segment it as usual)."""
    real = reconcile_module.spool_chunk

    def recording(directory, items):
        segmented.extend(new.article for new in items)
        return real(directory, items)

    monkeypatch.setattr(reconcile_module, "spool_chunk", recording)


async def test_changed_jsonl_segments_only_its_new_articles(data_dir, db_path, monkeypatch):
    """One article edited in a many-article file: the others keep their stored rows (same ids)
    and are not segmented again; the edit is answerable, the old text is gone."""
    records = [{"title": f"Tin số {i}", "text": f"Đồn biên phòng số {i} tuần tra đường biên {i}."} for i in range(6)]
    bulk = data_dir / "bulk.jsonl"
    bulk.write_text(_jsonl(records), encoding="utf-8")
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        with sqlite3.connect(db_path) as db:
            before = dict(db.execute("SELECT title, id FROM articles"))
        segmented = []
        _record_segmented(monkeypatch, segmented)  # in this process: a worker thread, not processes
        # The file is bigger than this, its two new articles' text is not: no processes to start.
        engine.reading = Reading(parallel_characters=100)
        records[2] = {"title": "Tin số 2", "text": "Chim cánh cụt hoàng đế sống ở Nam Cực."}
        del records[4]
        records.append({"title": "Tin mới", "text": "Đàn sếu đầu đỏ bay về Tràm Chim."})
        bulk.write_text(_jsonl(records), encoding="utf-8")
        report = await engine.reload()
        assert report.changed == ["bulk.jsonl"] and report.errors == []
        assert sorted(a.title for a in segmented) == ["Tin mới", "Tin số 2"]
        with sqlite3.connect(db_path) as db:
            after = dict(db.execute("SELECT title, id FROM articles"))
            order = [t for (t,) in db.execute(
                "SELECT a.title FROM articles a JOIN files f ON f.id = a.file_id WHERE f.name = 'bulk.jsonl'"
                " ORDER BY a.ord")]  # fmt: skip
        assert order == [r["title"] for r in records]
        for title in ("Tin số 0", "Tin số 1", "Tin số 3", "Tin số 5"):
            assert after[title] == before[title]
        assert "Tin số 4" not in after and after["Tin số 2"] != before["Tin số 2"]
        assert "Nam Cực" in engine.search("chim cánh cụt sống ở đâu").answers[0].sentence
        assert "Tràm Chim" in engine.search("sếu đầu đỏ bay về đâu").answers[0].sentence
        gone = "Đồn biên phòng số 4 tuần tra đường biên 4."
        assert gone not in {a.sentence for a in engine.search("đồn biên phòng số 4 tuần tra", 10).answers}
        assert "Đồn biên phòng số 3 tuần tra đường biên 3." in {
            a.sentence for a in engine.search("đồn biên phòng số 3 tuần tra", 10).answers
        }
    finally:
        await engine.close()


async def test_repeated_jsonl_line_is_indexed_once(data_dir, db_path):
    line = {"title": "Tin lặp", "text": "Chim cánh cụt hoàng đế sống ở Nam Cực."}
    (data_dir / "bulk.jsonl").write_text(_jsonl([line, line]), encoding="utf-8")
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.warnings == ["bulk.jsonl line 2: same article as line 1; indexed once"]
        assert report.articles == 6
    finally:
        await engine.close()


async def test_version_1_database_is_upgraded_in_place(data_dir, db_path):
    engine, _ = await QAEngine.open(data_dir, db_path)
    await engine.close()
    with sqlite3.connect(db_path) as db:  # what version 1 wrote: no source keys, understood questions, feeds
        db.execute("ALTER TABLE articles DROP COLUMN source_key")
        db.execute("ALTER TABLE queries DROP COLUMN understood")
        db.execute("ALTER TABLE queries DROP COLUMN verdict")
        db.execute("DROP INDEX articles_text_key")
        db.execute("ALTER TABLE articles DROP COLUMN text_key")
        db.execute("DROP TABLE feed_entries")
        db.execute("DROP TABLE feeds")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.unchanged == 5 and "Lê Đức Thái" in engine.search(QUESTION).answers[0].sentence
    finally:
        await engine.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert db.execute("SELECT count(*) FROM articles WHERE source_key IS NULL").fetchone() == (5,)
        assert {"understood", "verdict"} <= {row[1] for row in db.execute("PRAGMA table_info(queries)")}
        # Content keys for the articles already stored (a fetched copy of one is then a duplicate).
        keys = db.execute("SELECT text, text_key FROM articles").fetchall()
        assert len(keys) == 5 and all(key == content_key(text) for text, key in keys)
        assert db.execute("SELECT count(*) FROM feeds").fetchone() == (0,)


async def test_cycle_collector_is_paused_only_while_reloading(data_dir, db_path, monkeypatch):
    """The collector's full passes held the event loop during big reloads (bench: loop lag), so it
    waits while a reload runs, and is back on afterwards, also when the reload failed."""
    import gc

    seen = []
    real_finish = reconcile_module._Segmenting.finish

    async def spy(self, *args):
        seen.append(gc.isenabled())
        return await real_finish(self, *args)

    monkeypatch.setattr(reconcile_module._Segmenting, "finish", spy)
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        assert seen == [False] and gc.isenabled() and gc.get_freeze_count() > 0

        async def broken(*args):
            raise OSError("disk on fire")

        monkeypatch.setattr(engine.store, "apply_changes", broken)
        (data_dir / "new.txt").write_text("Tin mới\nChim cánh cụt sống ở Nam Cực.\n", encoding="utf-8")
        with pytest.raises(OSError, match="disk on fire"):
            await engine.reload()
        assert seen == [False, False] and gc.isenabled()
    finally:
        await engine.close()


async def test_articles_segmented_a_few_chunks_at_a_time_land_in_file_order(data_dir, db_path, monkeypatch):
    """Chunks are handed to the executor a few at a time (not all at once: loop lag at 1M
    passages); each article is segmented once and stored in its file's order."""
    records = [{"title": f"Tin số {i}", "text": f"Đồn biên phòng số {i} tuần tra đường biên {i}."} for i in range(7)]
    (data_dir / "bulk.jsonl").write_text(_jsonl(records), encoding="utf-8")
    segmented, shown = [], []
    _record_segmented(monkeypatch, segmented)
    reading = Reading(chunk_articles=1, chunks_in_flight=2)
    engine, report = await QAEngine.open(data_dir, db_path, progress=shown.append, reading=reading)
    try:
        assert report.articles == 12 and not report.errors
        assert sorted(a.title for a in segmented if a.title.startswith("Tin số")) == [r["title"] for r in records]
        assert len(segmented) == 12 and shown[-1].endswith("12/12 articles")
        with sqlite3.connect(db_path) as db:
            order = [t for (t,) in db.execute(
                "SELECT a.title FROM articles a JOIN files f ON f.id = a.file_id WHERE f.name = 'bulk.jsonl'"
                " ORDER BY a.ord")]  # fmt: skip
        assert order == [r["title"] for r in records]
        assert engine.search("đồn biên phòng số 5 tuần tra").answers[0].sentence == records[5]["text"]
    finally:
        await engine.close()


async def test_files_are_read_while_earlier_ones_are_segmented(data_dir, db_path, monkeypatch):
    """Files are read in batches, the next while the articles of the earlier ones are segmented
    (not all read first); every article still lands once, in file order, and a file that cannot
    be read in a later batch is reported while the others are indexed."""
    names = [f"tin_{i:02d}.txt" for i in range(8)]
    for i, name in enumerate(names):
        (data_dir / name).write_text(f"Tin số {i}\nĐồn biên phòng số {i} tuần tra đường biên.\n", encoding="utf-8")
    (data_dir / "tin_05.txt").write_bytes(b"\xff\xfe\x00broken")
    events: list[str] = []
    real_read, real_spool = reconcile_module._read_files, reconcile_module.spool_chunk

    def reading(entries, *args):
        events.append("read")
        return real_read(entries, *args)

    def segmenting(directory, items):
        events.append("segment")
        return real_spool(directory, items)

    monkeypatch.setattr(reconcile_module, "_read_files", reading)
    monkeypatch.setattr(reconcile_module, "spool_chunk", segmenting)
    shown: list[str] = []
    batch_per_file = Reading(batch_bytes=1, chunk_articles=1, chunks_in_flight=2)
    engine, report = await QAEngine.open(data_dir, db_path, progress=shown.append, reading=batch_per_file)
    try:
        assert events.count("read") == 13  # the 5 shipped files and the 8 new ones, a batch each
        assert events.index("segment") < len(events) - 1 - events[::-1].index("read")
        assert [e.split(":")[0] for e in report.errors] == ["tin_05.txt"]
        assert report.articles == 12 and shown[-1].endswith("12/12 articles")
        with sqlite3.connect(db_path) as db:
            titles = [t for (t,) in db.execute("SELECT title FROM articles ORDER BY id") if t.startswith("Tin số")]
        assert titles == [f"Tin số {i}" for i in range(8) if i != 5]
        assert engine.search("đồn biên phòng số 6 tuần tra").answers[0].sentence.startswith("Đồn biên phòng số 6")
    finally:
        await engine.close()


async def test_row_ids_are_never_reused(data_dir, db_path):
    """A new sentence never takes a deleted one's id (indexes and stored vectors key rows by id),
    not even after the newest rows were deleted, which SQLite's max(id) + 1 would reuse."""
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        newest = max(engine.index.sentence_ids)
        (data_dir / "004_6c83cc2604363b12.txt").unlink()
        await engine.reload()
        (data_dir / "005_new.txt").write_text("Tin mới\n\nChim cánh cụt hoàng đế sống ở Nam Cực.\n", encoding="utf-8")
        await engine.reload()
        added = engine.search("chim cánh cụt sống ở đâu").answers[0]
        assert "Nam Cực" in added.sentence and added.sentence_id > newest
    finally:
        await engine.close()


def test_favour_event_loop_hands_the_interpreter_back_sooner():
    import sys

    default = sys.getswitchinterval()
    try:
        engine_module.favour_event_loop()
        assert sys.getswitchinterval() == pytest.approx(engine_module.LOOP_SWITCH_INTERVAL)
        assert sys.getswitchinterval() < default
    finally:
        sys.setswitchinterval(default)
