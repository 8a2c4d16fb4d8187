"""Building or updating the saved index from the database, in worker processes: when to update, when to build anew."""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterator
from pathlib import Path

from retrieval.index.counting import BuildParts, CountedPiece, count_piece
from retrieval.index.ranking import RankingConfig
from retrieval.index.search import SearchIndex
from retrieval.index.snapshot import SnapshotWriter, load
from retrieval.store.readers import read_article_ids, read_corpus, read_definition_texts
from retrieval.text.abbreviations import Abbreviations, definitions, learned_pairs
from retrieval.workers import below_questions, collector_off, spawned_pool

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
