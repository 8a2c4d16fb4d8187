"""A built index saved next to the database, so a restart with unchanged data builds nothing.

Building the index means reading every sentence from SQLite, making its BM25 terms and counting
them: seconds at 10k passages, a minute at 100k. The result is a few numpy arrays, which are saved
as ``.npy`` files in ``<db>.index/corpus-<id>/`` and loaded memory-mapped (the operating system
pages them in as queries touch them). A snapshot is used only when its *version* matches: a hash
of the snapshot format, the ranking configuration and the sha256 of every indexed file. Writes
go to a temporary folder that is renamed into place, so a crash never leaves half a snapshot.
When few articles changed, ``updated`` turns the served (or saved) index into the new one instead
of a build: the database's article ids tell exactly what was removed and added.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from scipy import sparse

from retrieval.abbreviations import Abbreviations, definitions, learned_pairs
from retrieval.bm25 import BM25Index, RowTerms, SpannedRows, Vocabulary, drop_pages
from retrieval.index import BuildParts, CountedPiece, DocTable, RankingConfig, SearchIndex, TextColumn, count_piece
from retrieval.store import read_article_ids, read_corpus, read_definition_texts
from retrieval.workers import below_questions, collector_off, spawned_pool

# 2: float32 impacts; 3: one vocabulary for both indexes; 4: term counts, dead rows; 5: idf at query time;
# 6: articles as text columns; 7: each column's largest impact; 8: term counts by row too;
# 9: passages' counts by row read from their sentences' and titles' rows
FORMAT = 9
_ARRAYS = (
    "article_ids", "doc_live", "passage_ids", "passage_doc", "sentence_ids", "sentence_passage", "passage_first",
    "passage_count",
)  # fmt: skip


def build_version(config: RankingConfig) -> str:
    """What an index's arrays mean: the snapshot format and the ranking configuration. An index
    of another build version cannot be updated into this one, only rebuilt."""
    return hashlib.sha256(f"{FORMAT}|{dataclasses.astuple(config)}".encode()).hexdigest()


def corpus_version(files: Iterable[tuple[str, str]], config: RankingConfig) -> str:
    """Version of an index built from ``files`` ((name, sha256) pairs) with ``config``."""
    digest = hashlib.sha256(build_version(config).encode())
    for name, sha in sorted(files):
        digest.update(f"|{name}:{sha}".encode())
    return digest.hexdigest()


CSC = ("data", "indices", "indptr")  # a sparse matrix stored by column, as three arrays


class SnapshotWriter(BuildParts):
    """Writes a snapshot into a temporary folder beside ``directory`` while the index is made,
    and renames it into place when complete (``finish``); leaving the ``with`` block otherwise
    removes it. As ``keep`` of a build or an update it puts each piece's counts and each
    finished BM25 part on disk at once and hands them back memory-mapped, so the process holds
    one part's arrays at a time (the 1M-passage build worker peaked at 13 GB holding them all)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.folder = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "pieces").mkdir(parents=True)
        self._pieces = 0
        self._written: set[str] = set()
        self._rows: set[str] = set()  # parts whose rows are written

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)  # finished: renamed away already

    def _saved_and_mapped(self, name: str, array: np.ndarray) -> np.ndarray:
        path = self.folder / f"{name}.npy"
        np.save(path, array)
        return _mapped_array(path)

    def counts(self, matrix: sparse.csc_matrix | sparse.csr_matrix) -> sparse.csc_matrix | sparse.csr_matrix:
        self._pieces += 1
        arrays = [self._saved_and_mapped(f"pieces/{self._pieces}_{part}", getattr(matrix, part)) for part in CSC]
        return type(matrix)(tuple(arrays), shape=matrix.shape, copy=False)

    def rows(self, name: str, pieces: list[RowTerms]) -> RowTerms:
        """Written into place piece by piece (each let go of once copied): at 1M passages the
        sentences' rows are 2 GB, which the build could not also hold in memory beside the counts
        by term. ``name``: "sentences" (their index's own rows) or "titles"."""
        documents = sum(len(p.indptr) - 1 for p in pieces)
        total = sum(int(p.indptr[-1]) for p in pieces)
        out = {
            field: np.lib.format.open_memmap(self.folder / f"{name}_row_{field}.npy", "w+", dtype, (size,))
            for field, dtype, size in (("indptr", np.int64, documents + 1), ("terms", np.int32, total),
                                       ("tf", np.float32, total))
        }  # fmt: skip
        out["indptr"][0] = row = entry = 0
        while pieces:
            piece = pieces.pop(0)
            held, entries = len(piece.indptr) - 1, int(piece.indptr[-1])
            out["indptr"][row + 1 : row + held + 1] = piece.indptr[1:] + entry
            out["terms"][entry : entry + entries] = piece.terms
            out["tf"][entry : entry + entries] = piece.tf
            row, entry = row + held, entry + entries
            for array in (piece.terms, piece.tf, out["terms"], out["tf"]):
                drop_pages(array)
            del piece
        for array in out.values():
            array.flush()
        self._rows.add(name)
        return RowTerms(*(_mapped_array(self.folder / f"{name}_row_{field}.npy") for field in out))

    def part(self, name: str, index: BM25Index) -> BM25Index:
        arrays = {
            key: _mapped_array(self.folder / f"{name}_{key}.npy")
            if key.startswith("row_") and name in self._rows  # written by ``rows`` already
            else self._saved_and_mapped(f"{name}_{key}", array)
            for key, array in index.arrays().items()
        }
        self._written.add(name)
        rows = None if isinstance(index.rows, RowTerms) else index.rows  # not its own: made of arrays saved apart
        return BM25Index.from_arrays(index.vocabulary, arrays, index.k1, index.b, index.scorer, rows)

    def finish(self, index: SearchIndex, version: str) -> None:
        """Write what is not written yet of ``index`` and put the snapshot in place."""
        shutil.rmtree(self.folder / "pieces")
        for name in _ARRAYS:
            np.save(self.folder / f"{name}.npy", getattr(index, name))
        columns = {"text": index.sentence_text, "vocab": TextColumn(index.passages.terms())}  # one vocabulary for both
        columns |= {f"docs_{name}": column for name, column in index.docs.columns.items()}
        for name, column in columns.items():
            np.save(self.folder / f"{name}_blob.npy", column.blob)
            np.save(self.folder / f"{name}_offsets.npy", column.offsets)
        for part in ("sentences", "passages"):
            if part not in self._written:
                self.part(part, getattr(index, part))
        if "titles" not in self._rows:
            self.rows("titles", [index.titles])
        meta = {"version": version, "build": build_version(index.config), "definitions": index.definitions}
        (self.folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        replace_directory(self.folder, self.directory)


def save(index: SearchIndex, directory: Path, version: str) -> None:
    """Write ``index`` to ``directory`` atomically (replacing what was there)."""
    with SnapshotWriter(directory) as writer:
        writer.finish(index, version)


def _mapped_array(path: Path) -> np.ndarray:
    """The saved array, memory-mapped read-only. A plain ndarray view of the mapping:
    np.memmap's Python-level __getitem__ cost 3% of a question at 100k passages."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def replace_directory(new: Path, directory: Path) -> None:
    """Put the finished ``new`` in the place of ``directory`` (two renames: a reader finds the old
    one or the new one, never a half-written one)."""
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    new.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


# An update instead of a build when at most this share of the articles changed, and as long as
# dead rows (removed articles) stay under MAX_DEAD_SHARE of all rows.
UPDATE_SHARE = 0.1
MAX_DEAD_SHARE = 0.2


def build(db_path: Path, corpus: int, config: RankingConfig, directory: Path, version: str) -> None:
    """Build the index of ``corpus`` from the database and save it (run in a worker process:
    building holds the interpreter lock for seconds at 100k passages). The corpus is read and
    counted a piece at a time (``counted_pieces``), after one pass that learns its abbreviation
    pairs."""
    pairs = (
        learned_pairs(p for _, p in definitions(read_definition_texts(db_path, corpus)))
        if config.abbreviations
        else None
    )
    with SnapshotWriter(directory) as writer:
        writer.finish(SearchIndex(counted_pieces(db_path, corpus, config, pairs), config, writer), version)


# A build reads and counts the corpus in pieces of this many articles; from PARALLEL_PIECES
# pieces on, COUNTING_WORKERS processes count them (both cores: counting is ~70% of a build,
# all of it Python holding one core, 25 of 36 s at 200k passages).
PIECE_ARTICLES = 5_000
PARALLEL_PIECES = 2
COUNTING_WORKERS = 2


def counted_pieces(
    db_path: Path, corpus: int, config: RankingConfig, pairs: dict[str, str] | None
) -> Iterator[CountedPiece]:
    """The corpus's pieces of PIECE_ARTICLES articles, counted (``count_piece``) with the
    abbreviation ``pairs`` of the whole corpus, in order. Counted in worker processes when there
    are enough of them, a few pieces ahead of the one given: the caller (the build) joins and
    saves one while the next ones are counted, and never holds more than those."""
    order = read_article_ids(db_path, corpus)
    listed = [order[start : start + PIECE_ARTICLES] for start in range(0, len(order), PIECE_ARTICLES)]
    if len(listed) < PARALLEL_PIECES:
        known = Abbreviations(pairs) if pairs is not None else None
        yield from (count_piece(read_corpus(db_path, corpus, ids), config, known) for ids in listed)
        return
    pool = spawned_pool(COUNTING_WORKERS, functools.partial(_start_counting, pairs))
    try:
        ahead: collections.deque = collections.deque()
        for ids in listed:
            ahead.append(pool.submit(_count_listed, db_path, corpus, ids, config))
            if len(ahead) > COUNTING_WORKERS:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


_known: Abbreviations | None = None  # in a counting worker: the pairs it counts with


def _start_counting(pairs: dict[str, str] | None) -> None:
    """A counting worker's start: below the serving process, without the cycle collector, its
    pairs made ready once."""
    global _known
    below_questions()
    collector_off()
    _known = Abbreviations(pairs) if pairs is not None else None


def _count_listed(db_path: Path, corpus: int, article_ids: list[int], config: RankingConfig) -> CountedPiece:
    return count_piece(read_corpus(db_path, corpus, article_ids), config, _known)


def updated(base: SearchIndex, db_path: Path, corpus: int, keep: BuildParts | None = None) -> SearchIndex | None:
    """``base`` with the articles removed from the database dropped and the new ones added
    (~1.4 s at 100k passages, where a build takes ~15 s, and it lets go of the interpreter lock:
    its long steps are numpy copies and arithmetic). None when too much changed for an update to
    pay, when dead rows would pass ``MAX_DEAD_SHARE`` (a build compacts them) or when the
    abbreviations learned from the corpus move. ``keep``: where its BM25 parts go (memory)."""
    current = set(read_article_ids(db_path, corpus))
    had = set(base.article_ids[base.doc_live].tolist())
    removed, added = had - current, current - had
    dead_after = len(base.docs) - len(had) + len(removed)
    if len(removed) + len(added) > UPDATE_SHARE * max(len(had), 1):
        return None
    if dead_after > MAX_DEAD_SHARE * (len(base.docs) + len(added)):
        return None
    return base.updated(removed, read_corpus(db_path, corpus, added), keep)


def update_saved(db_path: Path, corpus: int, config: RankingConfig, directory: Path, version: str) -> bool:
    """Update the saved index (any corpus version of ``config``'s build) to the database and save
    it as ``version``; False when there is none or ``updated`` says build anew. Run in a worker
    process for a big corpus: an update rewrites every array (~7 GB at 1M passages), which in
    the serving process doubled its memory (11.7 GB) and held its event loop 125 ms."""
    base = load(directory, None, config)
    if base is None:
        return False
    with SnapshotWriter(directory) as writer:
        index = updated(base, db_path, corpus, writer)
        if index is None:
            return False
        writer.finish(index, version)
    return True


def load(directory: Path, version: str | None, config: RankingConfig) -> SearchIndex | None:
    """The saved index if it exists and has ``version`` (None: any corpus version built with
    ``config``, the base for an update); None otherwise, or if it is damaged."""
    try:
        meta = json.loads((directory / "meta.json").read_text("utf-8"))
        if meta.get("version") != version if version else meta.get("build") != build_version(config):
            return None

        def array(name: str) -> np.ndarray:
            return _mapped_array(directory / f"{name}.npy")

        def column(name: str) -> TextColumn:
            return TextColumn.from_arrays(array(f"{name}_blob"), array(f"{name}_offsets"))

        def part(name: str, k1: float, b: float, rows: SpannedRows | None = None) -> BM25Index:
            names = BM25Index.ARRAYS + (BM25Index.ROW_ARRAYS if rows is None else ())
            arrays = {key: array(f"{name}_{key}") for key in names}
            return BM25Index.from_arrays(vocabulary, arrays, k1, b, config.scorer, rows)

        vocabulary = Vocabulary(column("vocab"))
        spans = {name: array(name) for name in _ARRAYS}
        sentences = part("sentences", config.k1, config.sentence_b)
        titles = RowTerms(*(array(f"titles_{key}") for key in BM25Index.ROW_ARRAYS))
        first, count, doc = (spans[name] for name in ("passage_first", "passage_count", "passage_doc"))
        by_row = SpannedRows(sentences.rows, first, count, titles, doc)
        return SearchIndex.from_parts(
            config=config,
            docs=DocTable.from_columns({name: column(f"docs_{name}") for name in DocTable.FIELDS}),
            definitions=[(row, pairs) for row, pairs in meta["definitions"]],
            sentence_text=column("text"),
            sentences=sentences,
            passages=part("passages", config.k1, config.passage_b, by_row),
            titles=titles,
            **spans,
        )
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None
