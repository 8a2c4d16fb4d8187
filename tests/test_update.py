"""Index updates: a small corpus change is applied to the served (or saved) index instead of a
full build, and answers exactly as a full build of the same data does."""

import asyncio
import json
import threading

import pytest

import retrieval.build as build_module
import retrieval.index.snapshot as snapshot_module
from retrieval.build import Building
from retrieval.engine import QAEngine
from retrieval.index.search import SearchIndex

QUESTIONS = [
    "Tư lệnh Bộ đội Biên phòng là ai?",
    "chim cánh cụt sống ở đâu",
    "quang ninh thu hut dau tu",
    "Đội tàu cá nào được Đồn Biên phòng hỗ trợ?",
    "NTM",
    "NTM là viết tắt của gì?",  # the defining sentences, kept through an update
    "Lễ hội bánh chưng xanh ở Lạng Sơn",
]
NEW_ARTICLE = {
    "title": "Lễ hội bánh chưng xanh ở vùng biên",
    "date": "2024-05-02",
    "text": "Đồn Biên phòng Chi Ma tổ chức lễ hội bánh chưng xanh cho bà con Lạng Sơn.\n"
    "Cán bộ, chiến sĩ cùng người dân gói 500 chiếc bánh chưng tặng hộ nghèo.",
}


def answers(engine: QAEngine) -> list:
    results = [engine.search(q, 5) for q in QUESTIONS]
    return [(round(r.evidence, 6), [(a.sentence, a.doc, round(a.score, 5)) for a in r.answers]) for r in results]


async def fresh_answers(data_dir, db_path) -> list:
    engine, _ = await QAEngine.open(data_dir, db_path)
    try:
        return answers(engine)
    finally:
        await engine.close()


def change_corpus(data_dir) -> None:
    """One article removed, one changed, one added."""
    (data_dir / "000_7322326c6deb17f8.txt").unlink()
    changed = data_dir / "004_6c83cc2604363b12.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nChim cánh cụt hoàng đế sống ở Nam Cực.\n", "utf-8")
    (data_dir / "new.jsonl").write_text(json.dumps(NEW_ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")


# Updates allowed for any share of the corpus.
ANY_SHARE = Building(update_share=1.0, max_dead_share=1.0)


@pytest.fixture
def builds(monkeypatch):
    """Counts full builds."""
    calls = []
    build = SearchIndex.__init__

    def counted(self, *args, **kwargs):
        calls.append(1)
        build(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "__init__", counted)
    return calls


async def test_reload_updates_the_served_index_and_answers_as_a_full_build(data_dir, db_path, tmp_path, builds):
    engine, _ = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    try:
        assert len(builds) == 1
        change_corpus(data_dir)
        report = await engine.reload()
        assert len(builds) == 1  # updated, not built
        assert report.saving  # answers use the update before it is saved
        assert report.articles == 5 and report.removed == ["000_7322326c6deb17f8.txt"] and report.added == ["new.jsonl"]
        assert 0 < engine.index.dead_share < 1 and "Nam Cực" in engine.search(QUESTIONS[1]).answers[0].sentence
        assert "000_7322326c6deb17f8.txt" not in {d.doc for d in engine.index.live_docs(10)}
        updated = answers(engine)
    finally:
        await engine.close()
    assert updated == await fresh_answers(data_dir, tmp_path / "fresh.sqlite3")


async def test_changes_made_while_stopped_update_the_saved_index(data_dir, db_path, tmp_path, builds, monkeypatch):
    engine, _ = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    await engine.close()
    change_corpus(data_dir)
    engine, report = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    try:
        assert len(builds) == 1 and report.articles == 5 and engine.index.dead_share > 0
        updated = answers(engine)
    finally:
        await engine.close()

    def not_again(*_args):
        raise AssertionError("the updated index was not saved")

    monkeypatch.setattr(SearchIndex, "updated", not_again)
    # nothing changed: the saved update is loaded
    engine, _ = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    try:
        assert len(builds) == 1 and answers(engine) == updated
    finally:
        await engine.close()
    assert updated == await fresh_answers(data_dir, tmp_path / "fresh.sqlite3")


async def test_a_new_abbreviation_definition_means_a_full_build(data_dir, db_path, tmp_path, builds):
    engine, _ = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    try:
        article = {"title": "Huấn luyện", "text": "Trung tâm huấn luyện cơ động (TTHLCĐ) khai giảng khóa mới."}
        (data_dir / "new.jsonl").write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
        await engine.reload()
        assert len(builds) == 2 and engine.index.dead_share == 0
        assert "TTHLCĐ" in engine.search("trung tâm huấn luyện cơ động").answers[0].sentence
        updated = answers(engine)
    finally:
        await engine.close()
    assert updated == await fresh_answers(data_dir, tmp_path / "fresh.sqlite3")


async def test_too_many_dead_rows_mean_a_full_build(data_dir, db_path, builds, monkeypatch):
    engine, _ = await QAEngine.open(data_dir, db_path, building=Building(update_share=1.0, max_dead_share=0.1))
    try:
        (data_dir / "000_7322326c6deb17f8.txt").unlink()  # one article in five: 20% dead
        report = await engine.reload()
        assert len(builds) == 2 and report.articles == 4 and engine.index.dead_share == 0
    finally:
        await engine.close()


async def test_an_index_that_cannot_be_saved_is_served_from_memory(data_dir, db_path, builds, monkeypatch, caplog):
    def full_disk(*_args):
        raise OSError("No space left on device")

    monkeypatch.setattr(snapshot_module, "save", full_disk)
    engine, report = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    try:
        await engine.saved()
        assert report.articles == 5 and "Lê Đức Thái" in engine.search(QUESTIONS[0]).answers[0].sentence
        assert "No space left on device" in caplog.text and not (engine.snapshot_dir / "meta.json").exists()
        change_corpus(data_dir)  # updated in memory from the served index: nothing was saved
        report = await engine.reload()
        assert len(builds) == 1 and report.articles == 5 and engine.index.dead_share > 0
        assert "Nam Cực" in engine.search(QUESTIONS[1]).answers[0].sentence
    finally:
        await engine.close()


@pytest.fixture
def held_saves(monkeypatch):
    """Saves that wait until the test releases them (set the event), bounded by 10 s."""
    release = threading.Event()
    save = snapshot_module.save

    def held(*args):
        assert release.wait(10), "the save was never released"
        save(*args)

    monkeypatch.setattr(snapshot_module, "save", held)
    return release


def saved_version(engine: QAEngine) -> str:
    return json.loads((engine.snapshot_dir / "meta.json").read_text("utf-8"))["version"]


async def test_reload_answers_before_the_save_and_close_waits_for_it(data_dir, db_path, builds, held_saves):
    held_saves.set()  # the first build's save goes through
    engine, _ = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    closed = None
    try:
        await engine.saved()
        held_saves.clear()
        before = saved_version(engine)
        change_corpus(data_dir)
        report = await engine.reload()  # returns although the save is held
        served = engine.index
        assert report.saving and "saving the index in the background" in report.summary()
        assert "Nam Cực" in engine.search(QUESTIONS[1]).answers[0].sentence and saved_version(engine) == before
        closed = asyncio.create_task(engine.close())
        await asyncio.sleep(0.2)
        assert not closed.done()  # close waits for the save instead of dropping it
    finally:
        held_saves.set()
        await (closed or engine.close())
    assert saved_version(engine) != before and engine.index is not served  # served mapped from disk
    engine, report = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)  # the saved update: nothing to redo
    try:
        assert len(builds) == 1 and not report.saving and report.articles == 5
    finally:
        await engine.close()


async def test_the_next_reload_waits_for_the_save(data_dir, db_path, tmp_path, builds, held_saves):
    held_saves.set()
    engine, _ = await QAEngine.open(data_dir, db_path, building=ANY_SHARE)
    try:
        await engine.saved()
        held_saves.clear()
        change_corpus(data_dir)
        await engine.reload()
        (data_dir / "001_39bc64e63a913f08.txt").unlink()
        again = asyncio.create_task(engine.reload())
        await asyncio.sleep(0.2)
        assert not again.done()
        held_saves.set()
        report = await again
        assert report.removed == ["001_39bc64e63a913f08.txt"] and len(builds) == 1
        updated = answers(engine)
    finally:
        held_saves.set()
        await engine.close()
    assert updated == await fresh_answers(data_dir, tmp_path / "fresh.sqlite3")


def many_articles(data_dir, count: int) -> None:
    """``count`` more short articles, so that one more is a small share of the corpus."""
    lines = [
        json.dumps(
            {"title": f"Tin số {i}", "text": f"Đồn Biên phòng số {i} tuần tra {i} lần trong tháng."}, ensure_ascii=False
        )
        for i in range(count)
    ]
    (data_dir / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_big_corpora_are_updated_in_a_worker_process_that_saves_the_update(
    data_dir, db_path, tmp_path, monkeypatch
):
    """Above ``Building.process_update_sentences`` the saved index is updated by a worker process
    (real update rules there: one new article among 45), and the server maps what it saved."""
    many_articles(data_dir, 40)
    engine, _ = await QAEngine.open(data_dir, db_path, building=Building(process_update_sentences=0))
    try:
        (data_dir / "new.jsonl").write_text(json.dumps(NEW_ARTICLE, ensure_ascii=False) + "\n", encoding="utf-8")

        def not_here(*_args, **_kwargs):
            raise AssertionError("updated or built in the serving process")

        monkeypatch.setattr(SearchIndex, "updated", not_here)
        monkeypatch.setattr(SearchIndex, "__init__", not_here)
        report = await engine.reload()
        assert report.added == ["new.jsonl"] and not report.saving  # saved when it serves
        assert engine.index.passages.tf.base is not None  # mapped from the saved snapshot
        assert "bánh chưng" in engine.search(QUESTIONS[-1]).answers[0].sentence
        updated = answers(engine)
    finally:
        await engine.close()
    monkeypatch.undo()
    assert updated == await fresh_answers(data_dir, tmp_path / "fresh.sqlite3")


async def test_an_update_that_fails_while_writing_leaves_the_saved_index(data_dir, db_path, monkeypatch):
    """A full disk half-way through writing an update's snapshot: the saved snapshot stays as it
    was and the half-written folder is removed."""
    engine, _ = await QAEngine.open(data_dir, db_path)
    snapshot_dir, corpus, config = engine.snapshot_dir, engine.corpus, engine.config
    await engine.close()
    before = {p.name: p.stat().st_mtime_ns for p in snapshot_dir.iterdir()}
    original, written = snapshot_module.SnapshotWriter.part, []

    def full_disk_at_the_second_part(self, name, index):
        if written:
            raise OSError("No space left on device")
        written.append(name)
        return original(self, name, index)

    monkeypatch.setattr(snapshot_module.SnapshotWriter, "part", full_disk_at_the_second_part)
    with pytest.raises(OSError, match="No space"):
        build_module.update_saved(db_path, corpus, config, snapshot_dir, "next")
    assert written == ["sentences"]  # one part was written before the failure
    assert {p.name: p.stat().st_mtime_ns for p in snapshot_dir.iterdir()} == before
    assert [p.name for p in snapshot_dir.parent.iterdir()] == [snapshot_dir.name]
    assert build_module.update_saved(db_path, corpus, config, snapshot_dir.with_name("none"), "next") is False
