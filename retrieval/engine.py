"""The question-answering engine shared by the console and the Telegram bot.

``QAEngine.open`` reconciles the data dir with the database (new and changed files are parsed and
segmented, removed ones dropped, unchanged ones only loaded), then builds the in-memory index.
``reload`` does the same while the current index keeps answering, and swaps the new index in
with one assignment; if anything fails, the old index stays. An index made in this process (an
update, a small build) answers at once and is saved in the background; ``saved`` waits for that.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import gc
import itertools
import logging
import shutil
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval import snapshot
from retrieval.cleaner import Article
from retrieval.conversation import Turn, rewrite
from retrieval.corpus import DEFAULT_MAX_FILE_BYTES, CorpusFileError, FileEntry, read_file, scan_data_dir
from retrieval.index import RankingConfig, SearchIndex, SearchResult
from retrieval.semantic import (
    MODEL_NAME,
    Embedder,
    Encoder,
    ProcessEmbedder,
    SemanticScorer,
    SentenceVectors,
    from_blobs,
    to_blobs,
)
from retrieval.spool import Spooled, clear, spool_chunk, spool_path
from retrieval.store import Store, StoredFile, read_corpus, read_vectors, release
from retrieval.workers import below_questions, collector_off, spawned_pool

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
# Below this much new text (characters), starting worker processes costs more than it saves.
PARALLEL_CHARACTERS = 1_000_000
# Files are read and cleaned in batches of about this many bytes, the next batch while the
# articles of the previous ones are segmented: read all first, 20,000 .txt files kept one core
# busy and the other idle for ~20 s of a 100k-passage cold build.
READ_BATCH_BYTES = 4_000_000
# How long a thread may hold the interpreter while another waits for it (Python's default: 5 ms).
LOOP_SWITCH_INTERVAL = 0.001


def favour_event_loop() -> None:
    """Hand the interpreter back to the event loop after 1 ms, not 5: during a cold start the
    threads that read and clean files and feed the pyvi workers took turns with the loop, and at
    the default the loop waited over 5 ms about 1,100 times per 100k-passage cold start (over
    10 ms about 80 times); at 1 ms, 65-130 and 5-10 times, with the same build time
    (bench/README.md: speed). A process-wide setting, so the program's entry point calls it."""
    sys.setswitchinterval(LOOP_SWITCH_INTERVAL)


@dataclass
class ReloadReport:
    """What a reconciliation did; ``errors`` name each file that could not be indexed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    articles: int = 0
    passages: int = 0
    sentences: int = 0
    seconds: float = 0.0  # until answers used the new index
    saving: bool = False  # the new index is still being saved (see QAEngine.saved)

    def summary(self) -> str:
        return (
            f"{self.articles} articles, {self.passages} passages, {self.sentences} sentences; files: "
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged, {len(self.errors)} with errors; in {self.seconds:.2f} s"
            + (" (saving the index in the background)" if self.saving else "")
        )


# From this many sentences on, the index is built in a worker process (see _current_index); below,
# starting one costs more than the short lock it avoids.
PROCESS_BUILD_SENTENCES = 10_000
# From this many sentences on, an update of the saved index runs in a worker process too, which
# writes the new snapshot for the server to map: below, an update in the serving process answers
# sooner (no process to start, no snapshot to write first); above, its copy of every array is
# what the server's memory cannot afford (11.7 GB at 1M passages, where it serves in ~4.5 GB).
PROCESS_UPDATE_SENTENCES = 1_000_000
# pyvi work is shipped to the workers in chunks of this many articles: small enough to keep both
# cores busy on one big .jsonl file, to report progress often and to unpickle each result in
# ~20 ms (100 took ~50 ms at 100k passages: loop lag), large enough to amortise pickling.
CHUNK_ARTICLES = 50
# Chunks handed to the executor at a time: enough to keep two workers and their queues busy.
CHUNKS_IN_FLIGHT = 8
# Sentences embedded per call to the embedding worker (~1 s of its time) and stored at once.
VECTOR_BATCH = 16
# Questions' missing rows remembered for the semantic index to compute first (the latest ones).
ASKED_KEPT = 1000
# Progress of the semantic index is logged at most this often (seconds), and when it completes.
VECTOR_LOG_SECONDS = 30.0


@dataclass
class _Parsed:
    """One file on its way in: ``records`` are (source key, article) in file order, where the
    article is a stored one's id (kept as it is) or, once segmented, a new one in the spool."""

    entry: FileEntry
    sha256: str = ""
    raw: list[tuple[int, Article]] = field(default_factory=list)  # (position, article) to segment
    records: list[tuple[str, Spooled | int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def _read_files(entries: list[FileEntry], max_bytes: int, known: dict[str, dict[str, int]]) -> list[_Parsed]:
    """Read and clean every file; ``known`` maps a file name to its stored articles' keys -> ids,
    which are not parsed again. A file that cannot be read carries its error."""
    parsed = []
    for entry in entries:
        # Hand the interpreter over between files: a thread that only waits for it must itself
        # get a core to ask (after the switch interval) before the holder lets go, and with the
        # pyvi workers on both cores the event loop waited 141-296 ms during a cold start of
        # 20,000 .txt files (4 runs); with this, 32-37 ms.
        time.sleep(0)
        stored = known.get(entry.name, {})
        try:
            content = read_file(entry, max_bytes, stored)
        except CorpusFileError as exc:
            parsed.append(_Parsed(entry, error=str(exc)))
            continue
        item = _Parsed(entry, content.sha256, warnings=content.warnings)
        for position, (key, article) in enumerate(content.records):
            if article is None:
                item.records.append((key, stored[key]))
            else:
                item.raw.append((position, article))
                item.records.append((key, -1))  # replaced by its place in the spool once segmented
        parsed.append(item)
    return parsed


def _changed_files(entries: list[FileEntry], stored: dict[str, StoredFile]) -> tuple[set[str], list[FileEntry]]:
    """The names in the data dir, and its files that are new or whose size or time changed since
    they were stored. In a thread: with 20,000 files, this and the corpus's version held the event
    loop for 60-80 ms at a warm start."""
    stale = [e for e in entries if (s := stored.get(e.name)) is None or (s.size, s.mtime_ns) != (e.size, e.mtime_ns)]
    return {e.name for e in entries}, stale


def _read_batches(entries: list[FileEntry], batch_bytes: int) -> list[list[FileEntry]]:
    """``entries`` in order, in consecutive batches of at least ``batch_bytes`` (but the last)."""
    batches: list[list[FileEntry]] = [[]]
    size = 0
    for entry in entries:
        if size >= batch_bytes:
            batches.append([])
            size = 0
        batches[-1].append(entry)
        size += entry.size
    return batches if entries else []


async def _read_ahead(
    entries: list[FileEntry], max_bytes: int, known: dict[str, dict[str, int]]
) -> AsyncIterator[list[_Parsed]]:
    """``_read_files`` in batches (``READ_BATCH_BYTES``), in a thread, one batch ahead of the
    caller: the next batch is read while the caller hands on this one's articles."""
    batches = _read_batches(entries, READ_BATCH_BYTES)

    def read(batch: list[FileEntry]) -> asyncio.Future[list[_Parsed]]:
        return asyncio.ensure_future(asyncio.to_thread(_read_files, batch, max_bytes, known))

    if not batches:
        return
    reading = read(batches[0])
    try:
        for following in [*batches[1:], None]:
            parsed = await reading
            if following is not None:
                reading = read(following)
            yield parsed
    finally:
        reading.cancel()  # the batch read ahead, when the caller stops early (nothing if done)


# One article on its way to the pyvi workers: its file, its position in the file, the article,
# and its share of the file's bytes (for the progress bar).
_Pending = tuple[_Parsed, int, Article, float]


class _Segmenting:
    """New articles segmented into the spool (``retrieval.spool``) as their files are read: in
    chunks of CHUNK_ARTICLES across files (chunked per file, a data dir of 20,000 one-article
    .txt files went to the workers one article, one round trip, at a time), a few chunks in flight
    at a time; on both cores (spawned worker processes) when there is enough new text to pay for
    starting them, else in one worker thread. Each article's record then says where its rows are.
    The chunks hold the only references to the raw articles, so each chunk's are freed once it is
    segmented."""

    def __init__(self, spool: Path, total_bytes: int, progress: Progress | None) -> None:
        self.spool, self.total_bytes, self.progress = spool, total_bytes, progress
        self.executor: Executor | None = None
        self.pending: list[_Pending] = []
        self.running: set[asyncio.Future[None]] = set()
        self.next_seq = 0  # sequence numbers in file order: the database ids follow them (``Store.apply_changes``)
        self.done = 0
        self.read_bytes, self.done_bytes = 0, 0.0
        self.reading = True

    async def _executor(self) -> Executor:
        """Decided with the first chunk: worker processes if enough is left to read (in bytes,
        at least as many as characters), or the new articles known so far (``pending``, the first
        chunk included) hold enough text; one article edited in a 26 MB file gets a thread."""
        if self.executor is None:
            articles = (article for _, _, article, _ in self.pending)
            text = sum(itertools.islice((len(p) for a in articles for p in a.paragraphs), 100_000))
            if self.total_bytes - self.read_bytes > PARALLEL_CHARACTERS or text > PARALLEL_CHARACTERS:
                self.executor = await asyncio.to_thread(spawned_pool, 2, below_questions)
            else:
                self.executor = ThreadPoolExecutor(max_workers=1)
        return self.executor

    async def add(self, parsed: list[_Parsed], written: list[_Parsed]) -> None:
        """Queue the new articles of ``written`` (of the files ``parsed``, in order); hand on every
        full chunk. A file's bytes count as done with its last article (at once without any)."""
        read = sum(item.entry.size for item in parsed)
        self.read_bytes += read
        self.done_bytes += read - sum(item.entry.size for item in written if item.raw)
        for item in written:
            share = item.entry.size / max(len(item.raw), 1)
            self.pending += [(item, position, article, share) for position, article in item.raw]
            item.raw = []
        while len(self.pending) >= CHUNK_ARTICLES:
            await self._hand_on(self.pending[:CHUNK_ARTICLES])
            del self.pending[:CHUNK_ARTICLES]

    async def finish(self) -> None:
        """Hand on what is left and wait until every article is in the spool."""
        self.reading = False
        if self.pending:
            await self._hand_on(self.pending)
            self.pending = []
        while self.running:
            await self._wait()

    async def close(self) -> None:
        """Stop what runs (after a failure) and the workers."""
        for task in self.running:
            task.cancel()
        if self.executor is not None:
            await _shut_down(self.executor)

    async def _hand_on(self, chunk: list[_Pending]) -> None:
        """Segment ``chunk``, the first articles of ``pending``. A few chunks in flight, not all:
        submitting the 4,000 chunks of 1M passages at once held the loop for 130 ms."""
        while len(self.running) >= CHUNKS_IN_FLIGHT:
            await self._wait()
        executor = await self._executor()
        self.running.add(asyncio.ensure_future(self._segment(executor, list(chunk), self.next_seq)))
        self.next_seq += len(chunk)

    async def _wait(self) -> None:
        finished, self.running = await asyncio.wait(self.running, return_when=asyncio.FIRST_COMPLETED)
        for task in finished:
            task.result()  # a worker's failure fails the reload
        if self.progress:
            # The share is of the bytes to read; the articles' total grows until every file is read.
            last = not (self.reading or self.running or self.pending)
            share = 1.0 if last or not self.total_bytes else self.done_bytes / self.total_bytes
            known = self.next_seq + len(self.pending)  # handed on, and still to hand on
            total = f"{known:,}{'+' if self.reading else ''}"
            self.progress(progress_bar(self.done, known, "articles", share=share, total_text=total))

    async def _segment(self, executor: Executor, chunk: list[_Pending], seq: int) -> None:
        items = [(seq + i, item.records[position][0], article) for i, (item, position, article, _) in enumerate(chunk)]
        counts = await asyncio.get_running_loop().run_in_executor(executor, spool_chunk, self.spool, items)
        for (item, position, _, share), (s, (passages, sentences)) in zip(chunk, enumerate(counts, seq), strict=True):
            item.records[position] = (item.records[position][0], Spooled(s, passages, sentences))
            self.done_bytes += share
        self.done += len(counts)
        chunk.clear()  # its raw articles are no longer needed


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector walks every live container object in one go, holding the
    interpreter lock; a reload makes hundreds of thousands of them (parsed articles, rows), and
    the collections it triggered held the event loop for 70-170 ms at 10k passages (measured;
    none above 40 ms without). What a reload builds has no reference cycles (reference counting
    frees it), so the collector waits until the reload is over. What survives it (the index,
    caches) lives long, and is frozen out of the collector's reach: re-enabling alone made the
    first collection walk all of it (370 ms at 100k passages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


async def _shut_down(executor: Executor) -> None:
    """Stop an executor without holding up the event loop while its processes exit (~0.15 s)."""
    await asyncio.shield(asyncio.to_thread(executor.shutdown, cancel_futures=True))


def progress_bar(
    done: int, total: int, unit: str, width: int = 30, share: float | None = None, total_text: str | None = None
) -> str:
    """ "[##########....................]  33% 1,000/3,000 articles". ``share``: the bar's fill
    when it is not done/total; ``total_text``: the total as shown ("3,000+": more to come)."""
    share = min(max(share if share is not None else done / total if total else 1.0, 0.0), 1.0)
    filled = round(width * share)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {done:,}/{total_text or f'{total:,}'} {unit}"


class QAEngine:
    """Owns the store and the current index for one data dir."""

    def __init__(
        self,
        store: Store,
        data_dir: Path,
        corpus: int,
        config: RankingConfig,
        max_file_bytes: int,
        encoder: Encoder | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.corpus = corpus
        self.config = config
        self.max_file_bytes = max_file_bytes
        self.index: SearchIndex | None = None
        self._reload_lock = asyncio.Lock()
        self._saving: asyncio.Task[None] | None = None
        # Semantic re-ranking: the model for questions, the sentence vectors of the served index
        # (computed in the background by ``_vectors_loop``), and what computes them.
        self.encoder = encoder
        self._embedder = embedder if embedder is not None or encoder is None else ProcessEmbedder()
        self.vectors: SentenceVectors | None = None
        self._vectors_for: SearchIndex | None = None  # the index ``vectors`` are aligned with
        self._index_changed = asyncio.Event()
        self._vectors_done = asyncio.Event()
        self._vector_task: asyncio.Task[None] | None = None
        # Rows questions needed and found without a vector, with the vectors they were missing
        # from: computed first. Appended by searches in other threads (a deque is safe for that).
        self._asked: collections.deque[tuple[SentenceVectors, np.ndarray]] = collections.deque(maxlen=ASKED_KEPT)

    @classmethod
    async def open(
        cls,
        data_dir: Path,
        db_path: Path,
        config: RankingConfig | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        progress: Progress | None = None,
        encoder: Encoder | None = None,
        embedder: Embedder | None = None,
    ) -> tuple[QAEngine, ReloadReport]:
        """Open the database, reconcile it with ``data_dir`` and build the index. With an
        ``encoder`` (``Encoder.load()``), answers are re-ranked semantically once sentence vectors
        exist; they are computed in the background by ``embedder`` (default: a worker process)."""
        if not data_dir.is_dir():
            raise FileNotFoundError(f"data dir {data_dir} does not exist or is not a directory")
        store = await Store.open(db_path)
        try:
            corpus = await store.corpus_id(data_dir)
            engine = cls(store, data_dir, corpus, config or RankingConfig(), max_file_bytes, encoder, embedder)
            if encoder is not None and await store.use_vector_model(MODEL_NAME):
                await asyncio.to_thread(shutil.rmtree, engine.vector_dir, True)  # the saved copy too
            report = await engine.reload(progress)
        except BaseException:
            await store.close()
            raise
        return engine, report

    async def close(self) -> None:
        if self._vector_task is not None:
            self._vector_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._vector_task
        if self._embedder is not None:
            await self._embedder.close()
        await self.saved()
        await self.store.close()

    async def saved(self) -> None:
        """Wait until the served index is on disk (a restart then loads it instead of redoing
        the work). Shielded: a cancelled wait leaves the save running."""
        if self._saving is not None:
            await asyncio.shield(self._saving)

    async def reload(self, progress: Progress | None = None) -> ReloadReport:
        """Reconcile the data dir with the database and swap in a fresh index."""
        async with self._reload_lock:
            await self.saved()  # the next update starts from the index on disk, not a half-written one
            with _collector_paused():
                return await self._reload(progress)

    async def _reload(self, progress: Progress | None) -> ReloadReport:
        started = time.perf_counter()
        report = ReloadReport()
        entries = await asyncio.to_thread(scan_data_dir, self.data_dir)
        stored = await self.store.files(self.corpus)
        present, stale = await asyncio.to_thread(_changed_files, entries, stored)
        report.unchanged = len(entries) - len(stale)
        known = {e.name: await self.store.article_keys(stored[e.name].id) for e in stale if e.name in stored}

        written: list[_Parsed] = []
        touched: list[tuple[int, int, int]] = []
        # Content already indexed under another name is not indexed twice.
        seen = {s.sha256: name for name, s in stored.items() if name in present}
        spool = spool_path(self.store.path, self.corpus)
        await asyncio.to_thread(clear, spool)  # what a crashed process left
        segmenting = _Segmenting(spool, sum(e.size for e in stale), progress)
        try:
            async for parsed in _read_ahead(stale, self.max_file_bytes, known):
                new = []
                for item in parsed:
                    old = stored.get(item.entry.name)
                    if item.error:
                        report.errors.append(item.error)  # an older good version, if any, stays
                        continue
                    twin = seen.setdefault(item.sha256, item.entry.name)
                    if twin != item.entry.name:
                        report.errors.append(f"{item.entry.name}: same content as {twin}; not indexed twice")
                        continue
                    report.warnings.extend(item.warnings)
                    if old is not None and old.sha256 == item.sha256:
                        touched.append((old.id, item.entry.size, item.entry.mtime_ns))
                        report.unchanged += 1
                        continue
                    (report.changed if old else report.added).append(item.entry.name)
                    new.append(item)
                written += new
                await segmenting.add(parsed, new)
            await segmenting.finish()
        except BaseException:
            await segmenting.close()  # the workers stop writing to the spool first
            await asyncio.to_thread(clear, spool)
            raise
        await segmenting.close()
        removed = [s for name, s in stored.items() if name not in present]
        report.removed = sorted(s.name for s in removed)
        replaced = [(i.entry.name, i.sha256, i.entry.size, i.entry.mtime_ns, i.records) for i in written]
        removed_ids = [s.id for s in removed]
        try:
            await self.store.apply_changes(self.corpus, replaced, touched, removed_ids, spool if written else None)
        finally:
            if written:
                await asyncio.to_thread(clear, spool)
        await release([item.records for item in written])

        index, unsaved = await self._current_index()
        vectors = await self._vectors_of(index)
        self.index = index
        self._serve_vectors(index, vectors)
        if unsaved is not None:
            self._saving = asyncio.create_task(self._save(index, unsaved))
        report.articles, report.passages, report.sentences = index.size
        report.seconds = time.perf_counter() - started
        report.saving = unsaved is not None
        return report

    @property
    def vector_dir(self) -> Path:
        """Where the complete sentence vectors are saved for memory-mapping (beside the index)."""
        return self.snapshot_dir.with_name(f"vectors-{self.corpus}")

    @property
    def snapshot_dir(self) -> Path:
        return self.store.path.with_name(f"{self.store.path.name}.index") / f"corpus-{self.corpus}"

    async def _current_index(self) -> tuple[SearchIndex, str | None]:
        """An index that matches the database, and the version to save it as (None: it is saved
        already): the saved one if it matches; else the served (or last saved) one updated with
        the articles that changed; else a fresh build. A big corpus is updated (from the saved
        index) or built in a worker process, which saves it for this one to map."""
        files = await self.store.files(self.corpus)
        version = await asyncio.to_thread(
            snapshot.corpus_version, ((f.name, f.sha256) for f in files.values()), self.config
        )
        index = await asyncio.to_thread(snapshot.load, self.snapshot_dir, version, self.config)
        if index is not None:
            return index, None
        sentences = await self.store.sentence_count(self.corpus)
        if sentences >= PROCESS_UPDATE_SENTENCES:
            index = await self._made_in_worker(snapshot.update_saved, version)
            if index is not None:
                return index, None
        base = self.index or await asyncio.to_thread(snapshot.load, self.snapshot_dir, None, self.config)
        if base is not None:
            index = await asyncio.to_thread(snapshot.updated, base, self.store.path, self.corpus)
            del base
            if index is not None:
                return index, version
        # Seconds of work that hold the interpreter lock: in another process.
        if sentences >= PROCESS_BUILD_SENTENCES:
            index = await self._made_in_worker(snapshot.build, version)
            if index is not None:
                return index, None
        rows = await asyncio.to_thread(read_corpus, self.store.path, self.corpus)
        index = await asyncio.to_thread(SearchIndex, rows, self.config)
        del rows
        return index, version

    async def _made_in_worker(
        self, make: Callable[[Path, int, RankingConfig, Path, str], bool | None], version: str
    ) -> SearchIndex | None:
        """Run ``make`` (``snapshot.build`` or ``update_saved``) in a worker process, which saves
        the index as ``version``, and map it; None when it did not (an update that must be a
        build, no worker process, a full disk): the caller goes on here."""
        pool: Executor | None = None
        try:
            pool = await asyncio.to_thread(spawned_pool, 1, collector_off)
            args = (self.store.path, self.corpus, self.config, self.snapshot_dir, version)
            if await asyncio.get_running_loop().run_in_executor(pool, make, *args) is False:
                return None
        except OSError as exc:  # the process could not start (too many processes), or failed to save
            log.warning("%s in a worker process failed (%s); going on here", make.__name__, exc)
            return None
        finally:
            if pool is not None:
                await _shut_down(pool)
        return await asyncio.to_thread(snapshot.load, self.snapshot_dir, version, self.config)

    async def _save(self, index: SearchIndex, version: str) -> None:
        """Save ``index`` as ``version`` while it answers (rewriting every array took 1.5 s of
        the 4.0 s an update needed at 100k passages), then serve it mapped back from disk: pages
        the system can share and drop instead of private memory."""
        try:
            await asyncio.to_thread(snapshot.save, index, self.snapshot_dir, version)
            mapped = await asyncio.to_thread(snapshot.load, self.snapshot_dir, version, self.config)
        except Exception:  # a full disk, or worse, costs the next restart time, not answers
            # (and must not fail the next reload or close, which wait for this task)
            log.exception("index snapshot not saved; serving it from memory")
            return
        if mapped is not None and self.index is index:  # not replaced meanwhile
            self.index = mapped
            if self._vectors_for is index:  # the same rows
                self._vectors_for = mapped

    # Semantic index: sentence vectors for the served index, computed in the background.

    async def _vectors_of(self, index: SearchIndex) -> SentenceVectors | None:
        """The stored vectors of ``index``'s sentences, loaded before it serves (so a restart
        re-ranks from its first answer): the served ones when its sentences are the same."""
        if self.encoder is None:
            return None
        current = self.vectors
        if current is not None and np.array_equal(current.sentence_ids, index.sentence_ids):
            return current
        live = index.sentences.live
        mapped = await asyncio.to_thread(SentenceVectors.mapped, self.vector_dir, index.sentence_ids, live)
        return mapped or await asyncio.to_thread(self._stored_vectors, index)

    def _serve_vectors(self, index: SearchIndex, vectors: SentenceVectors | None) -> None:
        """Answer from ``index`` with ``vectors``; the missing ones are computed in the background."""
        if vectors is None or self._embedder is None:
            return
        self.vectors, self._vectors_for = vectors, index
        self._index_changed.set()  # a batch of the previous vectors under way is their last
        if vectors.complete:
            self._vectors_done.set()
            if vectors.is_mapped:
                return
        else:
            self._vectors_done.clear()
        if self._vector_task is None or self._vector_task.done():
            self._vector_task = asyncio.create_task(self._vectors_loop())

    async def _vectors_loop(self) -> None:
        """Complete the served vectors: embed the missing ones a batch at a time (stored as they
        come, so a kill loses one batch at most), start over when a reload serves new ones.
        Answers never wait for this."""
        while True:
            await self._index_changed.wait()
            self._index_changed.clear()
            index, vectors = self._vectors_for, self.vectors
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
        assert self._embedder is not None
        missing = np.flatnonzero(vectors.live & ~vectors.ready)
        order = iter(missing)
        logged = time.monotonic()
        if missing.size:
            log.info("semantic index: %s", self.semantic_status())
        while not self._index_changed.is_set():  # else a reload serves other vectors: start over
            rows = self._asked_first(vectors, order)
            if not rows.size:
                break
            matrix = await self._embedder.embed([index.sentence_text[int(r)] for r in rows])
            blobs = to_blobs(matrix)
            await self.store.save_vectors(list(zip(index.sentence_ids[rows].tolist(), blobs, strict=True)))
            vectors.fill(rows, *from_blobs(blobs))
            if time.monotonic() - logged > VECTOR_LOG_SECONDS:
                logged = time.monotonic()
                log.info("semantic index: %s", self.semantic_status())
        if missing.size:
            log.info("semantic index: %s", self.semantic_status())
        if self._index_changed.is_set():
            return
        self._vectors_done.set()
        # Complete: saved beside the index and served memory-mapped, so that the next start
        # maps them instead of reading every vector from the database (1.3 s at 100k passages).
        try:
            await asyncio.to_thread(vectors.save, self.vector_dir)
            mapped = await asyncio.to_thread(
                SentenceVectors.mapped, self.vector_dir, index.sentence_ids, index.sentences.live
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

    def semantic_progress(self) -> tuple[int, int] | None:
        """(sentences with a vector, sentences) of the served index; None without a model."""
        if self.encoder is None:
            return None
        vectors = self.vectors if self._vectors_for is self.index else None
        if vectors is None:
            return 0, self.index.size[2] if self.index is not None else 0
        return vectors.done, vectors.total

    def semantic_status(self) -> str:
        """ "45% of 134 sentences" (for logs)."""
        progress = self.semantic_progress()
        if progress is None:
            return "off"
        done, total = progress
        return f"{done / total if total else 1:.0%} of {total:,} sentences"

    @property
    def semantic_settled(self) -> bool:
        """Whether ``semantic_ready`` would return at once."""
        return self.encoder is None or self._vectors_done.is_set()

    async def semantic_ready(self) -> None:
        """Wait until every sentence of the served index has its vector (at once without a
        model; also when embedding failed, after logging why)."""
        if self.encoder is not None:
            await self._vectors_done.wait()

    def _scorer(self, index: SearchIndex) -> SemanticScorer | None:
        vectors = self.vectors
        if self.encoder is None or vectors is None or self._vectors_for is not index:
            return None
        return SemanticScorer(self.encoder, vectors, None if vectors.complete else self._want(vectors))

    def _want(self, vectors: SentenceVectors) -> Callable[[np.ndarray], None]:
        def want(rows: np.ndarray) -> None:
            self._asked.append((vectors, rows))

        return want

    def _asked_first(self, vectors: SentenceVectors, order: Iterator[int]) -> np.ndarray:
        """The next rows of ``vectors`` to embed, at most VECTOR_BATCH: those questions found
        missing first, most recent question first (its asker may ask again, and at 1M passages
        the whole semantic index takes days), then the next missing ones of ``order``."""
        rows: dict[int, None] = {}
        while self._asked and len(rows) < VECTOR_BATCH:
            asked_of, asked = self._asked.pop()
            if asked_of is vectors:
                rows |= dict.fromkeys(r for r in asked.tolist() if vectors.live[r] and not vectors.ready[r])
        while len(rows) < VECTOR_BATCH and (row := next(order, None)) is not None:
            if not vectors.ready[row]:
                rows[row] = None
        chosen = list(rows)[:VECTOR_BATCH]
        if len(rows) > VECTOR_BATCH:  # the rest of a question's rows: next time
            self._asked.append((vectors, np.asarray(list(rows)[VECTOR_BATCH:], dtype=np.int64)))
        return np.asarray(chosen, dtype=np.int64)

    async def file_with_content(self, sha256: str) -> str | None:
        """The name of the indexed file with exactly these bytes, if any (duplicate uploads)."""
        for name, stored in (await self.store.files(self.corpus)).items():
            if stored.sha256 == sha256:
                return name
        return None

    def search(self, question: str, top_k: int = 3) -> SearchResult:
        """Answer from the current index (CPU-bound; call from a worker thread in async code)."""
        index = self.index
        if index is None:
            raise RuntimeError("the index is not loaded yet")
        return index.search(question, top_k, self._scorer(index))

    def search_in_context(self, question: str, previous: Turn | None, top_k: int = 3) -> SearchResult:
        """``search`` for a question that may follow ``previous`` (see ``retrieval.conversation``):
        a follow-up is searched as rewritten, and says so in ``understood_as``."""
        understood = rewrite(question, previous.question, previous.answer) if previous is not None else None
        return dataclasses.replace(self.search(understood or question, top_k), understood_as=understood)

    async def ask(
        self,
        question: str,
        top_k: int = 3,
        source: str = "console",
        chat_type: str | None = None,
        user_hash: str | None = None,
        previous: Turn | None = None,
    ) -> tuple[SearchResult, float, int]:
        """Search off the event loop, log the question; returns (result, milliseconds, query id).
        ``previous``: the conversation's last turn, for a follow-up question (then
        ``result.understood_as`` says how it was understood)."""
        started = time.perf_counter()
        result = await asyncio.to_thread(self.search_in_context, question, previous, top_k)
        took_ms = (time.perf_counter() - started) * 1000
        query_id = await self.store.log_query(
            source, question, len(result.answers), took_ms, chat_type, user_hash, result.understood_as
        )
        return result, took_ms, query_id
