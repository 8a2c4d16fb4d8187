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

from retrieval.abbreviations import definitions, learned_pairs
from retrieval.bm25 import BM25Index
from retrieval.index import DocTable, RankingConfig, SearchIndex, TextColumn
from retrieval.store import read_article_ids, read_corpus, read_corpus_pieces, read_definition_texts

# 2: float32 impacts; 3: one vocabulary for both indexes; 4: term counts, dead rows; 5: idf at query time;
# 6: articles as text columns; 7: each column's largest impact
FORMAT = 7
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


def save(index: SearchIndex, directory: Path, version: str) -> None:
    """Write ``index`` to ``directory`` atomically (replacing what was there)."""
    tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in _ARRAYS:
        np.save(tmp / f"{name}.npy", getattr(index, name))
    columns = {"text": index.sentence_text, "vocab": TextColumn(index.passages.terms())}  # one vocabulary for both
    columns |= {f"docs_{name}": column for name, column in index.docs.columns.items()}
    for name, column in columns.items():
        np.save(tmp / f"{name}_blob.npy", column.blob)
        np.save(tmp / f"{name}_offsets.npy", column.offsets)
    for part in ("sentences", "passages"):
        bm25: BM25Index = getattr(index, part)
        for name, array in bm25.arrays().items():
            np.save(tmp / f"{part}_{name}.npy", array)
    meta = {
        "version": version,
        "build": build_version(index.config),
        "definitions": index.definitions,
    }
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    replace_directory(tmp, directory)


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
    counted a piece at a time, after one pass that learns its abbreviation pairs."""
    pairs = (
        learned_pairs(p for _, p in definitions(read_definition_texts(db_path, corpus)))
        if config.abbreviations
        else None
    )
    save(SearchIndex(read_corpus_pieces(db_path, corpus), config, pairs), directory, version)


def updated(base: SearchIndex, db_path: Path, corpus: int) -> SearchIndex | None:
    """``base`` with the articles removed from the database dropped and the new ones added
    (~1.4 s at 100k passages, where a build takes ~15 s, and it lets go of the interpreter lock:
    its long steps are numpy copies and arithmetic). None when too much changed for an update to
    pay, when dead rows would pass ``MAX_DEAD_SHARE`` (a build compacts them) or when the
    abbreviations learned from the corpus move."""
    current = set(read_article_ids(db_path, corpus))
    had = set(base.article_ids[base.doc_live].tolist())
    removed, added = had - current, current - had
    dead_after = len(base.docs) - len(had) + len(removed)
    if len(removed) + len(added) > UPDATE_SHARE * max(len(had), 1):
        return None
    if dead_after > MAX_DEAD_SHARE * (len(base.docs) + len(added)):
        return None
    return base.updated(removed, read_corpus(db_path, corpus, added))


def load(directory: Path, version: str | None, config: RankingConfig) -> SearchIndex | None:
    """The saved index if it exists and has ``version`` (None: any corpus version built with
    ``config``, the base for an update); None otherwise, or if it is damaged."""
    try:
        meta = json.loads((directory / "meta.json").read_text("utf-8"))
        if meta.get("version") != version if version else meta.get("build") != build_version(config):
            return None

        def array(name: str) -> np.ndarray:
            # A plain ndarray view of the mapping: np.memmap's Python-level __getitem__ cost
            # 3% of a question at 100k passages.
            return np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False))

        def column(name: str) -> TextColumn:
            return TextColumn.from_arrays(array(f"{name}_blob"), array(f"{name}_offsets"))

        terms = column("vocab")
        vocabulary = {term: i for i, term in enumerate(terms)}
        parts = {}
        for part, k1, b in (("sentences", config.sentence_k1, config.sentence_b),
                            ("passages", config.passage_k1, config.passage_b)):  # fmt: skip
            arrays = {name: array(f"{part}_{name}") for name in BM25Index.ARRAYS}
            parts[part] = BM25Index.from_arrays(vocabulary, arrays, k1, b, config.scorer)
        return SearchIndex.from_parts(
            config=config,
            docs=DocTable.from_columns({name: column(f"docs_{name}") for name in DocTable.FIELDS}),
            definitions=[(row, pairs) for row, pairs in meta["definitions"]],
            sentence_text=column("text"),
            sentences=parts["sentences"],
            passages=parts["passages"],
            **{name: array(name) for name in _ARRAYS},
        )
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None
