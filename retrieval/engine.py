"""The question-answering engine shared by the console and the Telegram bot.

``QAEngine.open`` reconciles the data dir with the database (new and changed files are parsed and
segmented, removed ones dropped, unchanged ones only loaded), then builds the in-memory index.
``reload`` does the same while the current index keeps answering, and swaps the new index in
with one assignment; if anything fails, the old index stays. An index made in this process (an
update, a small build) answers at once and is saved in the background; ``saved`` waits for that.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from retrieval import build
from retrieval.build import Building
from retrieval.corpus import DEFAULT_MAX_FILE_BYTES, scan_data_dir
from retrieval.index import snapshot
from retrieval.index.ranking import RankingConfig
from retrieval.index.search import SearchIndex, SearchResult
from retrieval.index.semantic import (
    MODEL_NAME,
    Embedder,
    Encoder,
    SentenceVectors,
)
from retrieval.question.conversation import Turn, asks_more, focus_of, rewrite, subjectless_reading
from retrieval.question.offices import head_named
from retrieval.question.phrases import of_something
from retrieval.question.query import Query
from retrieval.question.smalltalk import small_talk, without_small_talk
from retrieval.reconcile import Progress, Reading, ReloadReport, reconcile
from retrieval.semantic_index import SemanticIndex
from retrieval.store.database import Store
from retrieval.store.readers import read_corpus
from retrieval.store.records import AuditEntry, PassageView, Stats
from retrieval.store.schema import BUSY_WAIT as BUSY_WAIT  # the front ends' default
from retrieval.store.schema import SchemaError as SchemaError  # the front ends catch it
from retrieval.text.normalize import fold_diacritics, has_diacritics, normalize
from retrieval.text.tokenizer import starts_with_verb
from retrieval.workers import collector_off, collector_paused, shut_down, spawned_pool

log = logging.getLogger(__name__)
# Which of two readings of a follow-up is better supported: one whose best sentence states the
# answer, then one that finds related sentences, then nothing; for the same verdict, clearly more
# evidence ("Ban hành ngày nào?" 0.82, with the previous subject 1.37; "Biên phòng là gì?" 1.13,
# with a subject it does not need 1.22).
_VERDICT_RANK = {"answer": 3, "related": 2, "none": 1, "chat": 0}
_CLEARLY_MORE_EVIDENCE = 0.3


def _better_supported(reading: SearchResult, asked: SearchResult) -> bool:
    rank, asked_rank = _VERDICT_RANK[reading.verdict], _VERDICT_RANK[asked.verdict]
    return rank > asked_rank or (rank == asked_rank and reading.evidence >= asked.evidence + _CLEARLY_MORE_EVIDENCE)


def _says_its_own_words(reading: SearchResult, own: Query) -> bool:
    """Whether the best sentence of a follow-up's reading holds one of the follow-up's own words
    (any, when it has none: "Hôm nào?"): "Giá vàng hôm nay bao nhiêu?" is not answered by the
    previous subject's sentence that says nothing of gold."""
    if own.empty:
        return True
    if not reading.answers:
        return False

    def form(text: str) -> str:  # with the accents the user typed: "giá" is not the "gia" of "quốc gia"
        return (normalize(text) if own.accented else fold_diacritics(text)).lower()

    said = form(reading.answers[0].sentence)
    words = (form(group.terms[0][0].lstrip("~").replace("_", " ")) for group in own.groups)
    return any(re.search(rf"\b{re.escape(word)}\b", said) for word in words)


@dataclasses.dataclass(frozen=True)
class Asked:
    """A question answered and logged: the result, how long the search took, and the query log's
    id (which feedback buttons refer to)."""

    result: SearchResult
    took_ms: float
    query_id: int


# How long a thread may hold the interpreter while another waits for it (Python's default: 5 ms).
LOOP_SWITCH_INTERVAL = 0.001


def favour_event_loop() -> None:
    """Hand the interpreter back to the event loop after 1 ms, not 5: during a cold start the
    threads that read and clean files and feed the pyvi workers took turns with the loop, and at
    the default the loop waited over 5 ms about 1,100 times per 100k-passage cold start (over
    10 ms about 80 times); at 1 ms, 65-130 and 5-10 times, with the same build time
    (bench/README.md: speed). A process-wide setting, so the program's entry point calls it."""
    sys.setswitchinterval(LOOP_SWITCH_INTERVAL)


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
        reading: Reading | None = None,
        building: Building | None = None,
    ) -> None:
        self.store = store
        self.reading = reading or Reading()
        self.building = building or Building()
        self.data_dir = data_dir
        self.corpus = corpus
        self.config = config
        self.max_file_bytes = max_file_bytes
        self.index: SearchIndex | None = None
        self._reload_lock = asyncio.Lock()
        self._saving: asyncio.Task[None] | None = None
        self._state_at_reload: tuple[tuple[str, int, int], ...] | None = None  # the data dir's files
        # Semantic re-ranking: the sentence vectors of the served index, computed in the background.
        self.semantic = SemanticIndex(store, self.vector_dir, encoder, embedder)

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
        reading: Reading | None = None,
        building: Building | None = None,
        busy_wait: float = BUSY_WAIT,
    ) -> tuple[QAEngine, ReloadReport]:
        """Open the database, reconcile it with ``data_dir`` and build the index. With an
        ``encoder`` (``Encoder.load()``), answers are re-ranked semantically once sentence vectors
        exist; they are computed in the background by ``embedder`` (default: a worker process).
        ``busy_wait``: seconds to wait for a database another process holds."""
        if not data_dir.is_dir():
            raise FileNotFoundError(f"data dir {data_dir} does not exist or is not a directory")
        store = await Store.open(db_path, busy_wait)
        try:
            corpus = await store.corpus_id(data_dir)
            engine = cls(
                store, data_dir, corpus, config or RankingConfig(), max_file_bytes, encoder, embedder, reading, building
            )
            if encoder is not None and await store.use_vector_model(MODEL_NAME):
                await asyncio.to_thread(shutil.rmtree, engine.vector_dir, True)  # the saved copy too
            report = await engine.reload(progress)
        except BaseException:
            await store.close()
            raise
        return engine, report

    async def close(self) -> None:
        await self.semantic.close()
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
            with collector_paused():
                return await self._reload(progress)

    async def reload_if_changed(self) -> ReloadReport | None:
        """Reload when a file of the data dir was added, changed or removed since the last reload
        (names, sizes and modification times: a scan, 0.28 s for 20,000 files); None otherwise.
        What the CLI, a cron job or an editor changed is then served without a /reload."""
        if await asyncio.to_thread(self._data_dir_state) == self._state_at_reload:
            return None
        return await self.reload()

    def _data_dir_state(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((entry.name, entry.size, entry.mtime_ns) for entry in scan_data_dir(self.data_dir))

    async def _reload(self, progress: Progress | None) -> ReloadReport:
        started = time.perf_counter()
        # Taken before reading: a change made while the reload runs is seen by the next check.
        self._state_at_reload = await asyncio.to_thread(self._data_dir_state)
        report = await reconcile(self.store, self.corpus, self.data_dir, self.max_file_bytes, progress, self.reading)
        index, unsaved = await self._current_index()
        vectors = await self.semantic.vectors_of(index)
        if index.config.restore_accents:
            # The accent table (the model's text and the verdict's), built here from the index's
            # terms, not on the first unaccented question.
            await asyncio.to_thread(lambda: index.accents)
        self.index = index
        self.semantic.serve(index, vectors)
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
        if sentences >= self.building.process_update_sentences:
            index = await self._made_in_worker(build.update_saved, version)
            if index is not None:
                return index, None
        base = self.index or await asyncio.to_thread(snapshot.load, self.snapshot_dir, None, self.config)
        if base is not None:
            index = await asyncio.to_thread(build.updated, base, self.store.path, self.corpus, None, self.building)
            del base
            if index is not None:
                return index, version
        # Seconds of work that hold the interpreter lock: in another process.
        if sentences >= self.building.process_build_sentences:
            index = await self._made_in_worker(build.build, version)
            if index is not None:
                return index, None
        rows = await asyncio.to_thread(read_corpus, self.store.path, self.corpus)
        index = await asyncio.to_thread(SearchIndex, rows, self.config)
        del rows
        return index, version

    async def _made_in_worker(
        self, make: Callable[[Path, int, RankingConfig, Path, str, Building], bool | None], version: str
    ) -> SearchIndex | None:
        """Run ``make`` (``build.build`` or ``update_saved``) in a worker process, which saves
        the index as ``version``, and map it; None when it did not (an update that must be a
        build, no worker process, a full disk): the caller goes on here."""
        pool: Executor | None = None
        try:
            pool = await asyncio.to_thread(spawned_pool, 1, collector_off)
            args = (self.store.path, self.corpus, self.config, self.snapshot_dir, version, self.building)
            if await asyncio.get_running_loop().run_in_executor(pool, make, *args) is False:
                return None
        except OSError as exc:  # the process could not start (too many processes), or failed to save
            log.warning("%s in a worker process failed (%s); going on here", make.__name__, exc)
            return None
        finally:
            if pool is not None:
                await shut_down(pool)
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
            self.semantic.mapped_instead(index, mapped)

    @property
    def encoder(self) -> Encoder | None:
        return self.semantic.encoder

    @property
    def vectors(self) -> SentenceVectors | None:
        return self.semantic.vectors

    def semantic_progress(self) -> tuple[int, int] | None:
        """(sentences with a vector, sentences) of the served index; None without a model."""
        return self.semantic.progress(self.index)

    def semantic_status(self) -> str:
        """ "45% of 134 sentences" (for logs)."""
        return self.semantic.status(self.index)

    @property
    def semantic_settled(self) -> bool:
        """Whether ``semantic_ready`` would return at once."""
        return self.semantic.settled

    async def semantic_ready(self) -> None:
        """Wait until every sentence of the served index has its vector (at once without a
        model; also when embedding failed, after logging why)."""
        await self.semantic.ready()

    async def question(self, query_id: int) -> str | None:
        """The logged question ``query_id`` (as understood, for a follow-up): "more results"."""
        return await self.store.question(query_id)

    async def record_feedback(self, query_id: int, user_hash: str, helpful: bool) -> bool:
        """A user's 👍/👎 on an answer; False when that question is not in the log."""
        return await self.store.record_feedback(query_id, user_hash, helpful)

    async def passage_of(self, sentence_id: int) -> PassageView | None:
        """The passage around an answer sentence ("show the passage")."""
        return await self.store.passage_of(sentence_id, self.corpus)

    async def stats(self, since: float) -> Stats:
        """Usage since ``since`` (a timestamp) and the served index's size."""
        return await self.store.stats(self.index.size if self.index else (0, 0, 0), since)

    async def secret(self, name: str) -> str:
        """A random secret kept in the database (made on first use)."""
        return await self.store.secret(name)

    async def audit(self, admin: int, action: str, detail: str) -> None:
        """Record an admin's action (who, what, on what; the time is now)."""
        await self.store.audit(admin, action, detail)

    async def audit_log(self, limit: int = 20) -> list[AuditEntry]:
        return await self.store.audit_log(limit)

    async def file_with_content(self, sha256: str) -> str | None:
        """The name of the indexed file with exactly these bytes, if any (duplicate uploads)."""
        for name, stored in (await self.store.files(self.corpus)).items():
            if stored.sha256 == sha256:
                return name
        return None

    async def warm_up(self) -> None:
        """Search once, unlogged, before serving: pyvi's model loads on first use (about a
        second), which the first user's question should not wait for."""
        await asyncio.to_thread(self.search, "Tư lệnh là ai?")

    def search(self, question: str, top_k: int = 3, focus: str | None = None) -> SearchResult:
        """Answer from the current index (CPU-bound; call from a worker thread in async code).
        ``focus``: words the answering sentence must say (a follow-up's new part)."""
        index = self.index
        if index is None:
            raise RuntimeError("the index is not loaded yet")
        return index.search(question, top_k, self.semantic.scorer(index), focus)

    def search_in_context(self, question: str, previous: Turn | None, top_k: int = 3) -> SearchResult:
        """``search`` for a question that may follow ``previous`` (see ``retrieval.question.conversation``):
        a follow-up is searched as rewritten, and says so in ``understood_as``; a short one that
        names nothing is searched as asked and as asked of the previous subject, and the
        better-supported reading answers (a conversational search system's "ask both")."""
        chat = previous is None or small_talk(question) is not None  # "cảm ơn" follows nothing
        # "Xin chào, Tư lệnh BĐBP là ai?" asks its question (and is remembered so); "Đúng rồi, còn
        # Chính ủy?" follows the last turn
        asked = head_named(without_small_talk(question))  # "người đứng đầu Tỉnh ủy": its Bí thư
        understood = None if chat else rewrite(asked, previous.question, previous.answer, previous.earlier)
        index = self.index
        if understood and index is not None and has_diacritics(normalize(asked)) and not has_diacritics(understood):
            # typed with accents after a turn typed without: the rewrite (made folded) read with
            # the corpus's accents and its own capitals ("Nguyễn Xuân Ký đánh giá …")
            understood = index.accents.restore_cased(understood, previous.answer or "") or understood
        focus = focus_of(asked) if understood else None
        if understood and previous.shown and asks_more(asked):
            # "Kể thêm đi": the next sentences, not the ones shown before, as the "more results"
            # pages give them (the question's verdict stays); none left: none
            found = self.search(understood, top_k + len(previous.shown), focus)
            more = [a for a in found.answers if a.sentence not in previous.shown][:top_k]
            verdict = found.verdict if more else "none"
            return dataclasses.replace(found, answers=more, verdict=verdict, understood_as=understood)
        result = self.search(understood or asked, top_k, focus)
        reading = None if chat or understood else subjectless_reading(asked, previous.question)
        if reading is not None:  # read both ways: keep the better-supported reading
            other = self.search(reading, top_k)
            # a question that starts with its verb has no subject of its own: the evidence decides;
            # one that starts with a noun that is of something ("Nội dung chính là gì?") is of the
            # previous subject unless that reading finds less
            owned = of_something(asked) and _VERDICT_RANK[other.verdict] >= _VERDICT_RANK[result.verdict]
            if owned or (
                _better_supported(other, result)
                and (starts_with_verb(asked) or _says_its_own_words(other, result.query))
            ):
                result, understood = other, reading
        return dataclasses.replace(result, understood_as=understood or (asked if asked != question else None))

    async def ask(
        self,
        question: str,
        top_k: int = 3,
        source: str = "console",
        chat_type: str | None = None,
        user_hash: str | None = None,
        previous: Turn | None = None,
    ) -> Asked:
        """Search off the event loop, log the question.
        ``previous``: the conversation's last turn, for a follow-up question (then
        ``result.understood_as`` says how it was understood)."""
        started = time.perf_counter()
        result = await asyncio.to_thread(self.search_in_context, question, previous, top_k)
        took_ms = (time.perf_counter() - started) * 1000
        query_id = await self.store.log_query(
            source, question, len(result.answers), took_ms, chat_type, user_hash, result.understood_as, result.verdict
        )
        return Asked(result, took_ms, query_id)
