"""Building or updating the saved index from the database, in worker processes: when to update, when to build anew."""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from retrieval.index.counting import BuildParts, CountedPiece, count_piece
from retrieval.index.ranking import RankingConfig
from retrieval.index.search import SearchIndex
from retrieval.index.snapshot import SnapshotWriter, load
from retrieval.store.readers import read_article_ids, read_corpus, read_definition_texts
from retrieval.text.abbreviations import Abbreviations, definitions, learned_pairs
from retrieval.workers import below_questions, collector_off, spawned_pool


@dataclass(frozen=True)
class Building:
    """When the index is updated rather than built, in what pieces, and when in a worker process
    (tests shrink these to see each path at work; passed in, so worker processes get them too)."""

    # An update instead of a build when at most this share of the articles changed, and as long
    # as dead rows (removed articles) stay under ``max_dead_share`` of all rows.
    update_share: float = 0.1
    max_dead_share: float = 0.2
    # A build reads and counts the corpus in pieces of this many articles; from
    # ``parallel_pieces`` pieces on, COUNTING_WORKERS processes count them (both cores: counting
    # is ~70% of a build, all of it Python holding one core, 25 of 36 s at 200k passages).
    piece_articles: int = 5_000
    parallel_pieces: int = 2
    # From this many sentences on, the index is built in a worker process; below, starting one
    # costs more than the short lock it avoids.
    process_build_sentences: int = 10_000
    # From this many sentences on, an update of the saved index runs in a worker process too,
    # which writes the new snapshot for the server to map: below, an update in the serving process
    # answers sooner; above, its copy of every array is what the server's memory cannot afford
    # (11.7 GB at 1M passages, where it serves in ~4.5 GB).
    process_update_sentences: int = 1_000_000


def build(
    db_path: Path, corpus: int, config: RankingConfig, directory: Path, version: str, building: Building = Building()
) -> None:
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
        writer.finish(SearchIndex(counted_pieces(db_path, corpus, config, pairs, building), config, writer), version)


COUNTING_WORKERS = 2


def counted_pieces(
    db_path: Path, corpus: int, config: RankingConfig, pairs: dict[str, str] | None, building: Building = Building()
) -> Iterator[CountedPiece]:
    """The corpus's pieces of ``building.piece_articles`` articles, counted (``count_piece``) with the
    abbreviation ``pairs`` of the whole corpus, in order. Counted in worker processes when there
    are enough of them, a few pieces ahead of the one given: the caller (the build) joins and
    saves one while the next ones are counted, and never holds more than those."""
    order = read_article_ids(db_path, corpus)
    size = building.piece_articles
    listed = [order[start : start + size] for start in range(0, len(order), size)]
    if len(listed) < building.parallel_pieces:
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


def updated(
    base: SearchIndex, db_path: Path, corpus: int, keep: BuildParts | None = None, building: Building = Building()
) -> SearchIndex | None:
    """``base`` with the articles removed from the database dropped and the new ones added
    (~1.4 s at 100k passages, where a build takes ~15 s, and it lets go of the interpreter lock:
    its long steps are numpy copies and arithmetic). None when too much changed for an update to
    pay, when dead rows would pass ``building.max_dead_share`` (a build compacts them) or when the
    abbreviations learned from the corpus move. ``keep``: where its BM25 parts go (memory)."""
    current = set(read_article_ids(db_path, corpus))
    had = set(base.article_ids[base.doc_live].tolist())
    removed, added = had - current, current - had
    dead_after = len(base.docs) - len(had) + len(removed)
    if len(removed) + len(added) > building.update_share * max(len(had), 1):
        return None
    if dead_after > building.max_dead_share * (len(base.docs) + len(added)):
        return None
    return base.updated(removed, read_corpus(db_path, corpus, added), keep)


def update_saved(
    db_path: Path, corpus: int, config: RankingConfig, directory: Path, version: str, building: Building = Building()
) -> bool:
    """Update the saved index (any corpus version of ``config``'s build) to the database and save
    it as ``version``; False when there is none or ``updated`` says build anew. Run in a worker
    process for a big corpus: an update rewrites every array (~7 GB at 1M passages), which in
    the serving process doubled its memory (11.7 GB) and held its event loop 125 ms."""
    base = load(directory, None, config)
    if base is None:
        return False
    with SnapshotWriter(directory) as writer:
        index = updated(base, db_path, corpus, writer, building)
        if index is None:
            return False
        writer.finish(index, version)
    return True
