"""The served index's sentence vectors, completed in the background.

``SemanticIndex`` owns the model for questions (``encoder``), what embeds sentences
(``embedder``, a worker process by default), the vectors aligned with the served index and the
task that fills in the missing ones, a batch at a time, the rows questions asked for first.
Answers never wait for it: a candidate without a vector is ranked lexically.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from retrieval.index.search import SearchIndex
from retrieval.index.semantic import (
    Embedder,
    Encoder,
    ProcessEmbedder,
    SemanticScorer,
    SentenceVectors,
    from_blobs,
    to_blobs,
)
from retrieval.store.database import Store
from retrieval.store.readers import read_vectors

log = logging.getLogger(__name__)

# Questions' missing rows remembered for the semantic index to compute first (the latest ones).
ASKED_KEPT = 1000
# Progress of the semantic index is logged at most this often (seconds), and when it completes.
VECTOR_LOG_SECONDS = 30.0


class SemanticIndex:
    """Sentence vectors for the served index; without an ``encoder``, nothing (lexical ranking)."""

    def __init__(self, store: Store, directory: Path, encoder: Encoder | None, embedder: Embedder | None) -> None:
        self.store = store
        self.directory = directory  # where complete vectors are saved for memory-mapping
        self.encoder = encoder
        self.embedder = embedder if embedder is not None or encoder is None else ProcessEmbedder()
        self.vectors: SentenceVectors | None = None
        self._served_index: SearchIndex | None = None  # the index ``vectors`` are aligned with
        self._index_changed = asyncio.Event()
        self._vectors_done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Rows questions needed and found without a vector, with the vectors they were missing
        # from: computed first. Appended by searches in other threads (a deque is safe for that).
        self._asked: collections.deque[tuple[SentenceVectors, np.ndarray]] = collections.deque(maxlen=ASKED_KEPT)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.embedder is not None:
            await self.embedder.close()

    def mapped_instead(self, index: SearchIndex, mapped: SearchIndex) -> None:
        """``mapped`` (the same rows, read back from disk) now serves in place of ``index``."""
        if self._served_index is index:
            self._served_index = mapped

    async def vectors_of(self, index: SearchIndex) -> SentenceVectors | None:
        """The stored vectors of ``index``'s sentences, loaded before it serves (so a restart
        re-ranks from its first answer): the served ones when its sentences are the same."""
        if self.encoder is None:
            return None
        current = self.vectors
        if current is not None and np.array_equal(current.sentence_ids, index.sentence_ids):
            return current
        live = index.sentences.live
        mapped = await asyncio.to_thread(SentenceVectors.mapped, self.directory, index.sentence_ids, live)
        return mapped or await asyncio.to_thread(self._stored_vectors, index)

    def serve(self, index: SearchIndex, vectors: SentenceVectors | None) -> None:
        """Answer from ``index`` with ``vectors``; the missing ones are computed in the background."""
        if vectors is None or self.embedder is None:
            return
        self.vectors, self._served_index = vectors, index
        self._index_changed.set()  # a batch of the previous vectors under way is their last
        if vectors.complete:
            self._vectors_done.set()
            if vectors.is_mapped:
                return
        else:
            self._vectors_done.clear()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        """Complete the served vectors: embed the missing ones a batch at a time (stored as they
        come, so a kill loses one batch at most), start over when a reload serves new ones.
        Answers never wait for this."""
        while True:
            await self._index_changed.wait()
            self._index_changed.clear()
            index, vectors = self._served_index, self.vectors
            if index is None or vectors is None:
                continue
            try:
                await self._complete(index, vectors)
            except asyncio.CancelledError:
                raise
            except Exception:  # the worker could not start or load the model: answers stay lexical
                log.exception("semantic index stopped; answers use lexical ranking where vectors are missing")
                self._vectors_done.set()
                return

    async def _complete(self, index: SearchIndex, vectors: SentenceVectors) -> None:
        assert self.embedder is not None
        missing = np.flatnonzero(vectors.live & ~vectors.ready)
        order = iter(missing)
        logged = time.monotonic()
        if missing.size:
            log.info("semantic index: %s", self.status(index))
        while not self._index_changed.is_set():  # else a reload serves other vectors: start over
            rows = self._asked_first(vectors, order)
            if not rows.size:
                break
            matrix = await self.embedder.embed([index.sentence_text[int(r)] for r in rows])
            blobs = to_blobs(matrix)
            await self.store.save_vectors(list(zip(index.sentence_ids[rows].tolist(), blobs, strict=True)))
            vectors.fill(rows, *from_blobs(blobs))
            if time.monotonic() - logged > VECTOR_LOG_SECONDS:
                logged = time.monotonic()
                log.info("semantic index: %s", self.status(index))
        if missing.size:
            log.info("semantic index: %s", self.status(index))
        if self._index_changed.is_set():
            return
        self._vectors_done.set()
        # Complete: saved beside the index and served memory-mapped, so that the next start
        # maps them instead of reading every vector from the database (1.3 s at 100k passages).
        try:
            await asyncio.to_thread(vectors.save, self.directory)
            mapped = await asyncio.to_thread(
                SentenceVectors.mapped, self.directory, index.sentence_ids, index.sentences.live
            )
        except OSError as exc:  # a full disk costs the next start time, not answers
            log.warning("semantic vectors not saved beside the index: %s", exc)
            return
        if mapped is not None and self.vectors is vectors:
            self.vectors = mapped

    def _stored_vectors(self, index: SearchIndex) -> SentenceVectors:
        """The index's vectors as far as they are stored (runs in a thread)."""
        vectors = SentenceVectors(index.sentence_ids, index.sentences.live)
        if not index.sentence_ids.size:
            return vectors
        order = np.argsort(index.sentence_ids, kind="stable")
        ordered = index.sentence_ids[order]
        for ids, blobs in read_vectors(self.store.path):
            positions = np.searchsorted(ordered, ids)
            positions = np.minimum(positions, ordered.size - 1)
            found = ordered[positions] == np.asarray(ids)
            matrix, scale = from_blobs(blobs)
            vectors.fill(order[positions[found]], matrix[found], scale[found])
        return vectors

    def progress(self, index: SearchIndex | None) -> tuple[int, int] | None:
        """(sentences with a vector, sentences) of ``index`` (the served one); None without a model."""
        if self.encoder is None:
            return None
        vectors = self.vectors if self._served_index is index else None
        if vectors is None:
            return 0, index.size[2] if index is not None else 0
        return vectors.done, vectors.total

    def status(self, index: SearchIndex | None) -> str:
        """ "45% of 134 sentences" (for logs)."""
        progress = self.progress(index)
        if progress is None:
            return "off"
        done, total = progress
        return f"{done / total if total else 1:.0%} of {total:,} sentences"

    @property
    def settled(self) -> bool:
        """Whether ``semantic_ready`` would return at once."""
        return self.encoder is None or self._vectors_done.is_set()

    async def ready(self) -> None:
        """Wait until every sentence of the served index has its vector (at once without a
        model; also when embedding failed, after logging why)."""
        if self.encoder is not None:
            await self._vectors_done.wait()

    def scorer(self, index: SearchIndex) -> SemanticScorer | None:
        vectors = self.vectors
        if self.encoder is None or vectors is None or self._served_index is not index:
            return None
        return SemanticScorer(self.encoder, vectors, None if vectors.complete else self._want(vectors))

    def _want(self, vectors: SentenceVectors) -> Callable[[np.ndarray], None]:
        def want(rows: np.ndarray) -> None:
            self._asked.append((vectors, rows))

        return want

    def _asked_first(self, vectors: SentenceVectors, order: Iterator[int]) -> np.ndarray:
        """The next rows of ``vectors`` to embed, at most self.embedder.batch: those questions found
        missing first, most recent question first (its asker may ask again, and at 1M passages
        the whole semantic index takes days), then the next missing ones of ``order``."""
        rows: dict[int, None] = {}
        while self._asked and len(rows) < self.embedder.batch:
            asked_of, asked = self._asked.pop()
            if asked_of is vectors:
                rows |= dict.fromkeys(r for r in asked.tolist() if vectors.live[r] and not vectors.ready[r])
        while len(rows) < self.embedder.batch and (row := next(order, None)) is not None:
            if not vectors.ready[row]:
                rows[row] = None
        chosen = list(rows)[: self.embedder.batch]
        if len(rows) > self.embedder.batch:  # the rest of a question's rows: next time
            self._asked.append((vectors, np.asarray(list(rows)[self.embedder.batch :], dtype=np.int64)))
        return np.asarray(chosen, dtype=np.int64)
