"""The data dir into the database: files read ahead, new articles segmented in worker processes
into the spool, then applied in one transaction (``reconcile``)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.corpus import CorpusFileError, FileEntry, read_file, scan_data_dir
from retrieval.store.changes import release
from retrieval.store.database import Store
from retrieval.store.records import ReplacedFile, StoredFile, TouchedFile
from retrieval.store.spool import NewArticle, Spooled, clear, spool_chunk, spool_path
from retrieval.text.cleaner import Article
from retrieval.workers import below_questions, shut_down, spawned_pool

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Reading:
    """How a reload reads and segments files (tests shrink these to see batches at work)."""

    # Below this much new text (characters), starting worker processes costs more than it saves.
    parallel_characters: int = 1_000_000
    # Files are read and cleaned in batches of about this many bytes, the next batch while the
    # articles of the previous ones are segmented: read all first, 20,000 .txt files kept one
    # core busy and the other idle for ~20 s of a 100k-passage cold build.
    batch_bytes: int = 4_000_000
    # pyvi work is shipped to the workers in chunks of this many articles: small enough to keep
    # both cores busy on one big .jsonl file, to report progress often and to unpickle each
    # result in ~20 ms (100 took ~50 ms at 100k passages: loop lag), large enough to amortise
    # pickling.
    chunk_articles: int = 50
    # Chunks handed to the executor at a time: enough to keep two workers and their queues busy.
    chunks_in_flight: int = 8


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
    entries: list[FileEntry], max_bytes: int, known: dict[str, dict[str, int]], batch_bytes: int
) -> AsyncIterator[list[_Parsed]]:
    """``_read_files`` in batches of about ``batch_bytes``, in a thread, one batch ahead of the
    caller: the next batch is read while the caller hands on this one's articles."""
    batches = _read_batches(entries, batch_bytes)

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
    """New articles segmented into the spool (``retrieval.store.spool``) as their files are read: in
    chunks of ``Reading.chunk_articles`` across files (chunked per file, a data dir of 20,000 one-article
    .txt files went to the workers one article, one round trip, at a time), a few chunks in flight
    at a time; on both cores (spawned worker processes) when there is enough new text to pay for
    starting them, else in one worker thread. Each article's record then says where its rows are.
    The chunks hold the only references to the raw articles, so each chunk's are freed once it is
    segmented."""

    def __init__(self, spool: Path, total_bytes: int, progress: Progress | None, reading: Reading) -> None:
        self.spool, self.total_bytes, self.progress, self.reading_limits = spool, total_bytes, progress, reading
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
            most = self.reading_limits.parallel_characters
            if self.total_bytes - self.read_bytes > most or text > most:
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
        size = self.reading_limits.chunk_articles
        while len(self.pending) >= size:
            await self._hand_on(self.pending[:size])
            del self.pending[:size]

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
            await shut_down(self.executor)

    async def _hand_on(self, chunk: list[_Pending]) -> None:
        """Segment ``chunk``, the first articles of ``pending``. A few chunks in flight, not all:
        submitting the 4,000 chunks of 1M passages at once held the loop for 130 ms."""
        while len(self.running) >= self.reading_limits.chunks_in_flight:
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
        items = [
            NewArticle(seq + i, item.records[position][0], article)
            for i, (item, position, article, _) in enumerate(chunk)
        ]
        counts = await asyncio.get_running_loop().run_in_executor(executor, spool_chunk, self.spool, items)
        for (item, position, _, share), spooled in zip(chunk, counts, strict=True):
            item.records[position] = (item.records[position][0], spooled)
            self.done_bytes += share
        self.done += len(counts)
        chunk.clear()  # its raw articles are no longer needed


def progress_bar(
    done: int, total: int, unit: str, width: int = 30, share: float | None = None, total_text: str | None = None
) -> str:
    """ "[##########....................]  33% 1,000/3,000 articles". ``share``: the bar's fill
    when it is not done/total; ``total_text``: the total as shown ("3,000+": more to come)."""
    share = min(max(share if share is not None else done / total if total else 1.0, 0.0), 1.0)
    filled = round(width * share)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%} {done:,}/{total_text or f'{total:,}'} {unit}"


async def reconcile(
    store: Store,
    corpus: int,
    data_dir: Path,
    max_file_bytes: int,
    progress: Progress | None = None,
    reading: Reading = Reading(),
) -> ReloadReport:
    """Bring ``corpus``'s rows in the database in line with ``data_dir``: new and changed files
    parsed and segmented, removed ones dropped, unchanged ones only touched. The report's counts
    of articles, passages and sentences are the caller's to fill (they are the index's)."""
    report = ReloadReport()
    entries = await asyncio.to_thread(scan_data_dir, data_dir)
    stored = await store.files(corpus)
    present, stale = await asyncio.to_thread(_changed_files, entries, stored)
    report.unchanged = len(entries) - len(stale)
    known = {e.name: await store.article_keys(stored[e.name].id) for e in stale if e.name in stored}

    written: list[_Parsed] = []
    touched: list[TouchedFile] = []
    # Content already indexed under another name is not indexed twice.
    seen = {s.sha256: name for name, s in stored.items() if name in present}
    spool = spool_path(store.path, corpus)
    await asyncio.to_thread(clear, spool)  # what a crashed process left
    segmenting = _Segmenting(spool, sum(e.size for e in stale), progress, reading)
    try:
        async for parsed in _read_ahead(stale, max_file_bytes, known, reading.batch_bytes):
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
                    touched.append(TouchedFile(old.id, item.entry.size, item.entry.mtime_ns))
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
    replaced = [ReplacedFile(i.entry.name, i.sha256, i.entry.size, i.entry.mtime_ns, i.records) for i in written]
    removed_ids = [s.id for s in removed]
    try:
        await store.apply_changes(corpus, replaced, touched, removed_ids, spool if written else None)
    finally:
        if written:
            await asyncio.to_thread(clear, spool)
    await release([item.records for item in written])
    return report
