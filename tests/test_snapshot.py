"""The saved index: a restart with unchanged data loads it instead of building, with identical answers."""

import shutil

import retrieval.engine as engine_module
from retrieval.build import Building
from retrieval.engine import QAEngine
from retrieval.index.ranking import RankingConfig
from retrieval.reconcile import Reading

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
        await engine.saved()
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
    forbid_here(monkeypatch, engine_module.SearchIndex, "__init__", "built")
    engine, report = await QAEngine.open(data_dir, db_path, building=Building(process_build_sentences=0))
    try:
        assert report.articles == 5 and answers(engine) == expected
    finally:
        await engine.close()


async def test_a_worker_process_that_cannot_start_leaves_the_build_to_this_one(
    data_dir, db_path, tmp_path, monkeypatch, caplog
):
    expected = await reference_answers(data_dir, tmp_path)

    def no_process(*_args):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(engine_module, "spawned_pool", no_process)
    engine, report = await QAEngine.open(data_dir, db_path, building=Building(process_build_sentences=0))
    try:
        assert report.articles == 5 and answers(engine) == expected
        assert "build in a worker process failed" in caplog.text
    finally:
        await engine.close()


async def test_much_new_text_is_segmented_by_two_worker_processes(data_dir, db_path, tmp_path, monkeypatch):
    expected = await reference_answers(data_dir, tmp_path)
    import retrieval.store.spool as spool_module

    forbid_here(monkeypatch, spool_module, "prepare_article", "segmented")
    engine, report = await QAEngine.open(data_dir, db_path, reading=Reading(parallel_characters=0))
    try:
        assert report.articles == 5 and not report.errors and answers(engine) == expected
    finally:
        await engine.close()


async def test_a_build_in_pieces_is_the_build_of_the_whole(data_dir, db_path, tmp_path, monkeypatch):
    """A big corpus is built a few articles at a time (its words never all in memory at once),
    the pieces counted here or in worker processes (real ones, spawned): whatever the piece size
    and wherever they are counted, the index is the one built from all the rows in one go."""
    import numpy as np

    import retrieval.build as build_module
    import retrieval.index.snapshot as snapshot_module
    from retrieval.index.search import SearchIndex
    from retrieval.store.readers import read_corpus
    from retrieval.workers import spawned_pool

    engine, _ = await QAEngine.open(data_dir, db_path)
    corpus, config = engine.corpus, engine.config
    await engine.close()
    whole = SearchIndex(read_corpus(db_path, corpus), config)
    assert whole.definitions  # the shipped articles define abbreviations ("Bộ đội Biên phòng (BĐBP)")
    pools: list[tuple] = []
    monkeypatch.setattr(build_module, "spawned_pool", lambda *args: pools.append(args) or spawned_pool(*args))
    for size, in_workers in ((1, False), (2, True), (4, False)):
        building = Building(piece_articles=size, parallel_pieces=2 if in_workers else 10**9)
        pieces = list(build_module.counted_pieces(db_path, corpus, config, None, building))
        assert [len(p.docs) for p in pieces] == [size] * (5 // size) + [5 % size] * (5 % size > 0)
        pools.clear()
        directory = tmp_path / f"pieces-{size}"
        build_module.build(db_path, corpus, config, directory, "v", building)
        assert len(pools) == in_workers  # the pieces were counted in worker processes, or here
        built = snapshot_module.load(directory, "v", config)
        assert built.definitions == whole.definitions and list(built.sentence_text) == list(whole.sentence_text)
        assert [built.docs[i] for i in range(5)] == [whole.docs[i] for i in range(5)]
        arrays = ("article_ids", "passage_ids", "passage_doc", "sentence_ids", "sentence_passage", "passage_first")
        for name in (*arrays, "sentence_goes_on"):
            assert np.array_equal(getattr(built, name), getattr(whole, name)), name
        for part in ("sentences", "passages"):
            ours, reference = getattr(built, part), getattr(whole, part)
            assert ours.vocabulary.keys() == reference.vocabulary.keys()  # term ids may differ
            assert np.array_equal(ours.doc_lengths, reference.doc_lengths)
            for term in reference.vocabulary:  # the same posting list, counts, weights and idf
                a, b = ours.weights[:, ours.vocabulary[term]], reference.weights[:, reference.vocabulary[term]]
                assert np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data), (part, term)
                assert ours.idf(term) == reference.idf(term)
            # and the same counts by row (``RowTerms``), written piece by piece
            ids = np.array([ours.vocabulary[t] for t in reference.vocabulary], dtype=np.int64)
            everyone = np.arange(len(reference.doc_lengths))
            assert np.array_equal(
                ours.rows.counts_at(everyone, ids), reference.rows.counts_at(everyone, np.arange(len(ids)))
            )
        for question in QUESTIONS:
            assert built.search(question, 5) == whole.search(question, 5)


async def test_listed_articles_drive_the_read_whatever_the_number_of_files(data_dir, db_path):
    """A piece of a build (or an update's new articles) is read starting from its article ids:
    SQLite once looped over every file and probed every id in each (files x ids: 41 s per piece
    for 20,000 one-article files). The plan says which table the read starts from."""
    import sqlite3

    from retrieval.store.readers import _LISTED_DOCS_SQL, _LISTED_SENTENCES_SQL

    engine, _ = await QAEngine.open(data_dir, db_path)
    await engine.close()
    with sqlite3.connect(db_path) as db:
        for sql in (_LISTED_DOCS_SQL, _LISTED_SENTENCES_SQL):
            plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, ("[1, 2]", 1))]
            assert plan[0].startswith("SCAN j"), plan  # the list first
            assert not any(step.startswith("SCAN") for step in plan[1:]), plan  # then lookups by key only
