"""The saved index: a restart with unchanged data loads it instead of building, with identical answers."""

import shutil

import retrieval.engine as engine_module
from retrieval.engine import QAEngine
from retrieval.index import RankingConfig

QUESTIONS = ["Tư lệnh Bộ đội Biên phòng là ai?", "quang ninh thu hut dau tu", "Giá vàng hôm nay?", "NTM"]


def answers(engine):
    return [[(a.sentence, a.doc, round(a.score, 9)) for a in engine.search(q, 5).answers] for q in QUESTIONS]


async def test_restart_loads_the_snapshot_and_answers_identically(data_dir, db_path, monkeypatch):
    engine, _ = await QAEngine.open(data_dir, db_path)
    built = answers(engine)
    snapshot_dir = engine.snapshot_dir
    await engine.close()
    assert (snapshot_dir / "meta.json").is_file()

    def no_build(*_args, **_kwargs):
        raise AssertionError("rebuilt instead of loading the snapshot")

    monkeypatch.setattr(engine_module.SearchIndex, "__init__", no_build)
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 5 and answers(engine) == built
    finally:
        await engine.close()


async def test_changed_data_or_config_or_a_damaged_snapshot_rebuild(data_dir, db_path):
    engine, _ = await QAEngine.open(data_dir, db_path)
    snapshot_dir = engine.snapshot_dir
    await engine.close()
    (data_dir / "000_7322326c6deb17f8.txt").unlink()
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 4 and all(
            a.doc != "000_7322326c6deb17f8.txt" for a in engine.search(QUESTIONS[0], 10).answers
        )
    finally:
        await engine.close()
    engine, report = await QAEngine.open(data_dir, db_path, RankingConfig(passage_weight=0.0))
    try:
        assert engine.index.config.passage_weight == 0.0 and report.articles == 4
    finally:
        await engine.close()
    (snapshot_dir / "sentences_data.npy").write_bytes(b"garbage")
    (snapshot_dir / "meta.json").write_text('{"version": "x"', encoding="utf-8")
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 4 and engine.search(QUESTIONS[0]).answers
    finally:
        await engine.close()
    shutil.rmtree(snapshot_dir)
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 4 and (snapshot_dir / "meta.json").is_file()
    finally:
        await engine.close()


async def reference_answers(data_dir, tmp_path) -> list:
    """The answers of an engine built the ordinary way, on its own database."""
    reference, _ = await QAEngine.open(data_dir, tmp_path / "reference.sqlite3")
    try:
        return answers(reference)
    finally:
        await reference.close()


def forbid_here(monkeypatch, owner, name: str, what: str) -> None:
    """Make ``owner.name`` fail in this process; a spawned worker imports the real one."""

    def not_here(*_args, **_kwargs):
        raise AssertionError(f"{what} in the serving process")

    monkeypatch.setattr(owner, name, not_here)


async def test_big_corpora_are_built_in_a_worker_process(data_dir, db_path, tmp_path, monkeypatch):
    expected = await reference_answers(data_dir, tmp_path)
    monkeypatch.setattr(engine_module, "PROCESS_BUILD_SENTENCES", 0)
    forbid_here(monkeypatch, engine_module.SearchIndex, "__init__", "built")
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 5 and answers(engine) == expected
    finally:
        await engine.close()


async def test_much_new_text_is_segmented_by_two_worker_processes(data_dir, db_path, tmp_path, monkeypatch):
    expected = await reference_answers(data_dir, tmp_path)
    monkeypatch.setattr(engine_module, "PARALLEL_CHARACTERS", 0)
    forbid_here(monkeypatch, engine_module, "prepare_article", "segmented")
    engine, report = await QAEngine.open(data_dir, db_path)
    try:
        assert report.articles == 5 and not report.errors and answers(engine) == expected
    finally:
        await engine.close()
