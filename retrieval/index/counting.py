"""Term ids and term counts of sentences, passages and titles: what a build needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy import sparse

from retrieval.index.bm25 import BM25Index, RowTerms, term_counts
from retrieval.index.ranking import RankingConfig
from retrieval.index.rows import CorpusRows, DocTable, TextColumn
from retrieval.text.abbreviations import Abbreviations, definitions
from retrieval.text.discourse import goes_on
from retrieval.text.tokenizer import word_terms


class TermIds:
    """One vocabulary (term -> column) for both indexes, and the term ids of each word, cached:
    words repeat, so 300k sentences need ~200k word expansions instead of ~18M."""

    def __init__(self, vocabulary: dict[str, int] | None = None) -> None:
        self.vocabulary: dict[str, int] = {} if vocabulary is None else vocabulary
        self._words: dict[str, list[int]] = {}

    def of_terms(self, terms: Iterable[str]) -> list[int]:
        vocabulary = self.vocabulary
        return [vocabulary.setdefault(t, len(vocabulary)) for t in terms]

    def of_words(self, words: list[str]) -> list[int]:
        ids: list[int] = []
        for word in words:
            known = self._words.get(word)
            if known is None:
                known = self._words[word] = self.of_terms(word_terms(word))
            ids.extend(known)
        return ids


def _matrix(id_lists: list[list[int]], columns: int) -> sparse.csc_matrix:
    """Term counts (one row per id list) for ``columns`` terms."""
    lengths = np.fromiter(map(len, id_lists), dtype=np.int64, count=len(id_lists))
    ids = np.fromiter(chain.from_iterable(id_lists), dtype=np.int64, count=int(lengths.sum()))
    return term_counts(np.repeat(np.arange(len(id_lists)), lengths), ids, (len(id_lists), columns))


def _incidence(rows: list[int] | np.ndarray, cols: list[int] | np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """0/1 matrix with a one at each (rows[i], cols[i])."""
    ones = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((ones, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))), shape=shape)


@dataclass(frozen=True)
class TermCounts:
    """The term counts of a set of rows; columns numbered by ``vocabulary``."""

    vocabulary: dict[str, int]
    sentences: sparse.csc_matrix  # by term
    sentence_rows: sparse.csr_matrix  # the same counts by row
    passages: sparse.csc_matrix  # by term
    title_rows: sparse.csr_matrix  # by row; empty without ``title_in_passage``


def count_terms(rows: CorpusRows, config: RankingConfig, ids: TermIds, known: Abbreviations | None) -> TermCounts:
    """The vocabulary (``ids``'s, extended) and the term counts of every sentence, passage and
    article title (those of the passages' titles: empty without ``title_in_passage``).

    A passage's counts are the sum of its sentences' (plus its article's title), computed as a
    sparse product instead of a second pass over the words: at 100k passages the whole count
    takes seconds where per-document Counters took minutes. ``known``: the abbreviation pairs
    whose other form a sentence gets as extra terms (None: off).
    """
    sentence_ids = []
    for words in rows.sentence_words:
        term_ids = ids.of_words(words)
        if known is not None and (extra := known.extra_terms(words)):
            term_ids += ids.of_terms(extra)
        sentence_ids.append(term_ids)
    title_ids = [ids.of_words(d.title_words) if config.title_in_passage else [] for d in rows.docs]
    columns = len(ids.vocabulary)
    sentences = _matrix(sentence_ids, columns)
    titles = _matrix(title_ids, columns).tocsr()
    passage_count = len(rows.passage_ids)
    sentence_count, doc_count = len(rows.sentence_passage), len(rows.docs)
    passages = _incidence(rows.sentence_passage, range(sentence_count), (passage_count, sentence_count))
    sentence_rows = sentences.tocsr()
    passages = passages @ sentence_rows
    if titles.nnz:
        passages = passages + _incidence(range(passage_count), rows.passage_doc, (passage_count, doc_count)) @ titles
    return TermCounts(ids.vocabulary, sentences, sentence_rows, sparse.csc_matrix(passages), titles)


def passage_spans(sentence_passage: np.ndarray, passages: int) -> tuple[np.ndarray, np.ndarray]:
    """First sentence row of each passage and how many it has (its sentences are consecutive)."""
    counts = np.bincount(sentence_passage, minlength=passages).astype(np.int64)
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64), counts


@dataclass
class CountedPiece:
    """Consecutive articles of a corpus counted on their own: their rows, and their term counts
    over their own terms (``terms``: numbered as first met). Pieces counted apart can be counted
    at once (worker processes, ``retrieval.build.counted_pieces``); ``SearchIndex`` joins them
    in order, giving each term met for the first time the next number: the numbers of one count
    running through the pieces in turn, wherever each piece was counted."""

    terms: list[str]
    docs: DocTable
    article_ids: np.ndarray
    passage_ids: np.ndarray
    passage_doc: np.ndarray  # into the piece's docs
    sentence_ids: np.ndarray
    sentence_text: TextColumn
    sentence_passage: np.ndarray  # into the piece's passages
    sentence_goes_on: np.ndarray  # whether each sentence goes on from the one before (retrieval.text.discourse)
    definitions: list[tuple[int, dict[str, str]]]  # (the piece's sentence row, pairs)
    sentence_counts: sparse.csc_matrix  # by term
    sentence_rows: sparse.csr_matrix  # the same counts by row
    passage_counts: sparse.csc_matrix  # by term
    title_rows: sparse.csr_matrix  # by row; empty without ``title_in_passage``


def count_piece(rows: CorpusRows, config: RankingConfig, known: Abbreviations | None) -> CountedPiece:
    """The counts of ``rows`` over their own terms (see ``count_terms``); ``known``: the
    abbreviation pairs learned from the whole corpus (None: off)."""
    ids = TermIds()
    counts = count_terms(rows, config, ids, known)
    return CountedPiece(
        terms=list(ids.vocabulary),
        docs=DocTable(rows.docs),
        article_ids=np.asarray(rows.article_ids, dtype=np.int64),
        passage_ids=np.asarray(rows.passage_ids, dtype=np.int64),
        passage_doc=np.asarray(rows.passage_doc, dtype=np.int64),
        sentence_ids=np.asarray(rows.sentence_ids, dtype=np.int64),
        sentence_text=TextColumn(rows.sentence_text),
        sentence_passage=np.asarray(rows.sentence_passage, dtype=np.int64),
        sentence_goes_on=going_on(rows),
        definitions=definitions(rows.sentence_text) if known is not None else [],
        sentence_counts=counts.sentences,
        sentence_rows=counts.sentence_rows,
        passage_counts=counts.passages,
        title_rows=counts.title_rows,
    )


def going_on(rows: CorpusRows) -> np.ndarray:
    """Whether each sentence of ``rows`` goes on from the one before it in its article."""
    docs = np.asarray(rows.passage_doc, dtype=np.int64)[np.asarray(rows.sentence_passage, dtype=np.int64)]
    first = np.ones(len(docs), dtype=bool)
    first[1:] = docs[1:] != docs[:-1]
    return goes_on(rows.sentence_text, rows.sentence_words, first)


def renumbered(by_row: sparse.csr_matrix, where: np.ndarray, columns: int) -> sparse.csr_matrix:
    """Counts by row over ``columns`` terms, the piece's term j being term ``where[j]``; each
    row's terms ascending again."""
    renumbered = sparse.csr_matrix(
        (by_row.data, where[by_row.indices], by_row.indptr), shape=(by_row.shape[0], columns)
    )
    renumbered.sort_indices()
    return renumbered


class BuildParts:
    """Where a build keeps what it makes until the index is complete: in memory (this class), or
    on disk as it goes (``retrieval.index.snapshot.SnapshotWriter``), so that a million passages' build
    holds neither every piece's counts nor both finished matrices in memory at once."""

    def counts(self, matrix: sparse.csc_matrix | sparse.csr_matrix) -> sparse.csc_matrix | sparse.csr_matrix:
        """One piece's term counts (by term or by row), kept until they are stacked (here: as they are)."""
        return matrix

    def rows(self, name: str, pieces: list[RowTerms]) -> RowTerms:
        """The rows of BM25 index ``name``, given in consecutive pieces (emptied as they are
        used), as one (here: in memory)."""
        stacked = RowTerms.stacked(pieces)
        pieces.clear()
        return stacked

    def part(self, name: str, index: BM25Index) -> BM25Index:
        """The finished BM25 index ``name`` ("sentences" or "passages"; here: as it is)."""
        return index
