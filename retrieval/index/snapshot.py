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

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from scipy import sparse

from retrieval.index.bm25 import BM25Index, RowTerms, SpannedRows, Vocabulary
from retrieval.index.counting import BuildParts
from retrieval.index.mapped import drop_pages, mapped_array, replace_directory
from retrieval.index.ranking import RankingConfig
from retrieval.index.rows import DocTable, TextColumn
from retrieval.index.search import SearchIndex

# 2: float32 impacts; 3: one vocabulary for both indexes; 4: term counts, dead rows; 5: idf at query time;
# 6: articles as text columns; 7: each column's largest impact; 8: term counts by row too;
# 9: passages' counts by row read from their sentences' and titles' rows; 10: sentences that go on
FORMAT = 10
_ARRAYS = (
    "article_ids", "doc_live", "passage_ids", "passage_doc", "sentence_ids", "sentence_passage", "passage_first",
    "passage_count", "sentence_goes_on",
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
        return mapped_array(path)

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
        return RowTerms(*(mapped_array(self.folder / f"{name}_row_{field}.npy") for field in out))

    def part(self, name: str, index: BM25Index) -> BM25Index:
        arrays = {
            key: mapped_array(self.folder / f"{name}_{key}.npy")
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


def load(directory: Path, version: str | None, config: RankingConfig) -> SearchIndex | None:
    """The saved index if it exists and has ``version`` (None: any corpus version built with
    ``config``, the base for an update); None otherwise, or if it is damaged."""
    try:
        meta = json.loads((directory / "meta.json").read_text("utf-8"))
        if meta.get("version") != version if version else meta.get("build") != build_version(config):
            return None

        def array(name: str) -> np.ndarray:
            return mapped_array(directory / f"{name}.npy")

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
