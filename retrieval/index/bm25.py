"""BM25 exactly as rank-bm25 scores it (``BM25Plus`` by default, or ``BM25Okapi``), precomputed
for fast queries.

rank-bm25 is the definition of the score; this class reproduces it term for term, with
norm(d) = 1 - b + b * |d| / avgdl:
  BM25Plus:  idf(t) = ln((N + 1) / df); score(d) = sum over query terms t of
             idf(t) * (delta + tf * (k1 + 1) / (tf + k1 * norm(d))), delta = 1.
             ``BM25Plus.get_scores`` adds idf(t) * delta to *every* document, holding t or not:
             the same constant for all of them, so it changes no ranking and is left out here
             (scores = rank-bm25's minus delta * sum of the query terms' idf; tested).
  BM25Okapi: idf(t) = ln(N - df + 0.5) - ln(df + 0.5), and every negative idf (df > N/2) is
             replaced by epsilon * mean(idf over the vocabulary), epsilon = 0.25 — Okapi's floor;
             score(d) = sum over t of idf(t) * tf * (k1 + 1) / (tf + k1 * norm(d)).
Okapi's floor lets a word in 70% of the passages weigh more than one in 49%, and moves with the
corpus size; BM25Plus's idf falls steadily with df, so it is the default ("BĐBP" is in most
passages of a border-guard corpus, and must not outweigh "Tư lệnh"; the ablation table in
bench/README.md shows both on the evaluation sets).

``get_scores`` loops over every document for every query term (~190 ms at 100k passages). The
per-(term, document) weights tf * (k1 + 1) / (tf + k1 * norm(d)) do not depend on the query, so,
as bm25s does, they are computed once into a sparse matrix stored by term; a query adds up a few
matrix columns, each times its term's idf (one multiplication per term, so that a change of the
idfs alone rewrites no matrix). A query term repeated n times counts n times, as in rank-bm25;
here that is a weight of n.

The term frequencies are kept next to the weights, so a corpus change does not count every
document again: ``updated`` drops the rows of removed documents (they stay as empty, dead rows),
appends the new ones and re-weighs in a few vectorised passes (avgdl moves with any change, so
every weight does): ~1.5 s for the sentence and passage indexes at 100k passages, where counting
from the words took 13 s. The scores equal rank-bm25's over the live documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from retrieval.index import _forward
from retrieval.index.mapped import drop_pages


class Vocabulary(Mapping[str, int]):
    """A saved vocabulary (its terms in column order) as a read-only mapping term -> column.

    One dict of the ~2M terms of 1M passages grows by resizes that each copy every entry in one
    call holding the interpreter lock: loading it held the bot's event loop 64–209 ms (measured
    at 1M). Here the terms are spread over ``SHARDS`` dicts by their hash, each a small fraction
    of them, built term by term in the loading thread (which lets go of the lock as it goes)."""

    SHARDS = 256

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = list(terms)
        self._shards: list[dict[str, int]] = [{} for _ in range(self.SHARDS)]
        shards, mask = self._shards, self.SHARDS - 1
        for column, term in enumerate(self._terms):
            shards[hash(term) & mask][term] = column

    def get(self, term: str, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._shards[hash(term) & (self.SHARDS - 1)].get(term, default)

    def __getitem__(self, term: str) -> int:
        return self._shards[hash(term) & (self.SHARDS - 1)][term]

    def __contains__(self, term: object) -> bool:
        return term in self._shards[hash(term) & (self.SHARDS - 1)]

    def __iter__(self) -> Iterator[str]:
        """The terms in column order, as a dict built with ``setdefault(term, len(...))`` gives them."""
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)


def term_counts(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csc_matrix:
    """Term-frequency matrix (documents x terms) from one (document, term id) pair per token."""
    counts = sparse.csc_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
    counts.sum_duplicates()
    return counts


def stack_by_term(pieces: list[tuple[sparse.csc_matrix, np.ndarray]], columns: int) -> sparse.csc_matrix:
    """The term counts of consecutive documents, given in pieces, as one matrix stored by term.
    Each piece is stored by term with sorted rows, over its own terms: its column j is term
    ``where[j]`` of the ``columns`` (a piece counted on its own numbers its terms as it meets them).

    Each piece is copied straight into place in every posting list, and let go of: ``pieces`` is
    emptied as it goes. ``vstack`` then ``tocsc`` held the pieces, the stacked rows and the
    columns at once: three copies of ~250 M entries at 1M passages; this holds the result and
    what is left of the pieces (none in memory when they are memory-mapped from disk)."""
    lengths = np.zeros(columns, dtype=np.int64)
    rows = 0
    for piece, where in pieces:
        lengths[where] += np.diff(piece.indptr)  # a piece's terms are distinct: no index twice
        rows += piece.shape[0]
    indptr = np.zeros(columns + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    index_type = np.int32 if max(rows, int(indptr[-1])) < np.iinfo(np.int32).max else np.int64
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    indices = np.empty(int(indptr[-1]), dtype=index_type)
    free = indptr[:-1].copy()  # each column's next free place
    first_row = 0
    while pieces:
        piece, where = pieces.pop(0)
        starts = np.asarray(piece.indptr, dtype=np.int64)
        held = np.diff(starts)
        # A piece's entries, column after column, go to their term's next places, in order.
        places = np.repeat(free[where] - starts[:-1], held) + np.arange(starts[-1])
        data[places] = piece.data
        indices[places] = piece.indices.astype(index_type, copy=False) + index_type(first_row)
        free[where] += held
        first_row += piece.shape[0]
        del piece, places
    matrix = sparse.csc_matrix((data, indices, indptr.astype(index_type)), shape=(rows, columns), copy=False)
    matrix.has_sorted_indices = True  # each piece's rows are sorted and follow the previous piece's
    return matrix


def impacts(tf: np.ndarray, norms: np.ndarray, k1: float) -> np.ndarray:
    """BM25's tf * (k1 + 1) / (tf + norm) per entry, in float32, computed in place in ``norms``
    (each entry's row's norm). The one formula of an index's stored weights and of the weights
    read from its rows: the same operations in the same order give the same bits."""
    norms += tf
    np.divide(tf, norms, out=norms)
    norms *= np.float32(k1 + 1)
    return norms


@dataclass(frozen=True)
class RowTerms:
    """Each document's terms and counts, row by row: a term-count matrix stored by row (CSR).

    The index is stored by term, for scoring every document; scoring a few candidates needs
    each one's value of each question term. Found by binary search in the posting lists, that
    was ~260 ns a lookup in a corpus on one topic (lists of 100,000 entries, a cache miss at
    almost every probe): 1.4 ms for one question's 200 candidates at 100k passages. A
    candidate's own row is a few hundred consecutive entries (``counts_at``, in C).

    Counts, not weights: a corpus change moves avgdl and so every weight, but no count; an
    update only appends rows. A removed document's row stays: no candidate is ever a dead row
    (candidates come from posting lists and from live passages)."""

    indptr: np.ndarray  # int64, documents + 1
    terms: np.ndarray  # int32, ascending within each row
    tf: np.ndarray  # float32

    @classmethod
    def of(cls, counts: sparse.spmatrix) -> RowTerms:
        """The rows of a term-count matrix (any sparse format)."""
        by_row = sparse.csr_matrix(counts)
        by_row.sort_indices()
        return cls(
            by_row.indptr.astype(np.int64),
            by_row.indices.astype(np.int32, copy=False),
            by_row.data.astype(np.float32, copy=False),
        )

    @staticmethod
    def stacked(pieces: list[RowTerms]) -> RowTerms:
        """The rows of consecutive pieces, in order, as one."""
        ends = np.cumsum([0] + [int(p.indptr[-1]) for p in pieces[:-1]])
        indptr = np.concatenate(
            [np.zeros(1, dtype=np.int64)] + [p.indptr[1:] + end for p, end in zip(pieces, ends, strict=True)]
        )
        return RowTerms(
            indptr,
            np.concatenate([p.terms for p in pieces] or [np.zeros(0, dtype=np.int32)]),
            np.concatenate([p.tf for p in pieces] or [np.zeros(0, dtype=np.float32)]),
        )

    def counts_at(self, rows: np.ndarray, terms: np.ndarray) -> np.ndarray:
        """The count of each of ``terms`` (a row per term) in each of ``rows`` (a column per row):
        float32, 0 where the row does not hold the term."""
        out = np.zeros((len(terms), len(rows)), dtype=np.float32)
        self.add_counts(rows, np.ones(len(rows), dtype=np.int64), terms, out)
        return out

    def layout(self) -> tuple:
        """These rows as ``_forward.top_pruned`` reads them: a document is its own row."""
        return self.indptr, self.terms, self.tf, None, None, None, None, None, None

    def add_counts(self, first: np.ndarray, count: np.ndarray, terms: np.ndarray, out: np.ndarray) -> None:
        """Add to ``out[j, i]`` the count of ``terms[j]`` in the rows ``first[i]`` ..
        ``first[i] + count[i] - 1`` together (float32: counts are integers, exact in any order)."""
        _forward.add_counts(
            self.indptr,
            self.terms,
            self.tf,
            np.ascontiguousarray(first, dtype=np.int64),
            np.ascontiguousarray(count, dtype=np.int64),
            np.ascontiguousarray(terms, dtype=np.int64),
            out,
        )


@dataclass(frozen=True)
class SpannedRows:
    """The counts by row of documents that are each a run of consecutive rows of ``parts`` plus
    one row of ``heads``: a passage is its sentences plus its article's title. Read from those,
    a passage needs no row of its own: at 1M passages the passages' own rows were 1.9 GB of
    mapped files, which random candidates made resident in full (``RowTerms``' interface)."""

    parts: RowTerms
    first: np.ndarray  # int64, each document's first row of ``parts``
    count: np.ndarray  # int64, how many
    heads: RowTerms
    head: np.ndarray  # int64, each document's row of ``heads``

    def layout(self) -> tuple:
        """These rows as ``_forward.top_pruned`` reads them: a document's span of parts, and its head."""
        parts, heads = self.parts, self.heads
        return (
            *(parts.indptr, parts.terms, parts.tf, self.first, self.count),
            *(heads.indptr, heads.terms, heads.tf, self.head),
        )

    def counts_at(self, rows: np.ndarray, terms: np.ndarray) -> np.ndarray:
        """As ``RowTerms.counts_at``: the same counts, bit for bit, as rows of the summed counts."""
        out = np.zeros((len(terms), len(rows)), dtype=np.float32)
        self.parts.add_counts(self.first[rows], self.count[rows], terms, out)
        self.heads.add_counts(self.head[rows], np.ones(len(rows), dtype=np.int64), terms, out)
        return out


Rows = RowTerms | SpannedRows  # what ``BM25Index.rows`` may be


def _splice(array: np.ndarray, drop: np.ndarray, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``array`` without its entries ``drop``, with ``values`` inserted before positions ``at``
    (both ascending). One copy of the stretches between those points, where np.delete then
    np.insert made two: fresh memory is what an update spends its time on (a page fault per 4 KB)."""
    out = np.empty(len(array) - len(drop) + len(values), dtype=array.dtype)
    events = np.union1d(drop, at).tolist()
    dropped = set(drop.tolist())
    first = np.searchsorted(at, events, side="left").tolist()
    last = np.searchsorted(at, events, side="right").tolist()
    read = write = 0
    for point, begin, end in zip(events, first, last, strict=True):
        out[write : write + point - read] = array[read:point]
        write += point - read
        out[write : write + end - begin] = values[begin:end]
        write += end - begin
        read = point + 1 if point in dropped else point
    out[write:] = array[read:]
    return out


def best_rows(scores: np.ndarray, n: int, block: int = 1024) -> np.ndarray:
    """Positions of the ``n`` largest ``scores`` above 0, best first, the lower position first
    among equal scores (also at the n-th place).

    ``argpartition`` over 1M passage scores took 3.3 ms, most of a question. Each block of
    ``block`` scores is reduced to its maximum first; the n-th largest block maximum is a score
    that at least n scores reach, so only blocks whose maximum reaches it can hold the n largest,
    or a score equal to the n-th: only they are searched (0.84 ms at 1M; tested against a full sort)."""
    size = scores.size
    n = min(n, size)
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n >= size // block:
        rows = np.arange(size)
    else:
        whole = size - size % block
        maxima = scores[:whole].reshape(-1, block).max(axis=1)
        if whole < size:
            maxima = np.append(maxima, scores[whole:].max())
        reached = -np.partition(-maxima, n - 1)[n - 1]
        blocks = np.flatnonzero(maxima >= reached)
        rows = (blocks[:, None] * block + np.arange(block)).ravel()
        rows = rows[rows < size]
    values = scores[rows]
    rows = rows[values >= -np.partition(-values, n - 1)[n - 1]]  # the n largest and every tie of the n-th
    rows = rows[np.lexsort((rows, -scores[rows]))[:n]]
    return rows[scores[rows] > 0]


def column_maxima(matrix: sparse.csc_matrix) -> np.ndarray:
    """The largest entry of each column (0 for an empty one): what a term can add at most."""
    out = np.zeros(matrix.shape[1], dtype=np.float32)
    held = np.flatnonzero(np.diff(matrix.indptr))
    if held.size:
        out[held] = np.maximum.reduceat(matrix.data, matrix.indptr[held])
    return out


# ``BM25Index.top`` first takes the terms whose posting lists together fit in PRUNED_FIRST of the
# documents. Its costs, in postings a full scoring reads in the same time (``add_scores``: 1.7-2.4
# ns a posting at 100k topical and 1M passages): scoring a candidate passage from its sentences'
# rows, and a round's fixed cost. Chosen by timing ``top`` over the same questions with each setting
# in turn (1,000 questions at 1M and at 100k topical, 200 needles, two rounds). For the numpy loop:
# 2,000/120,000 of 500/30,000 ... 3,000/150,000 (at 1M its p99 went from 14.8 to 7.6 ms). For the loop
# in C (``_forward.top_pruned``; a candidate ~1.7 us with its memory asked for ahead, a round a few
# us): 1,000/20,000 of 2,000/120,000, 700/10,000 and 400/10,000, best or tied in each round: at 1M
# p99 7.7 -> 7.0 and 6.5 -> 5.7 ms, p50 2.3 -> 2.0 and 1.85 -> 1.88 ms; the needles as fast.
PRUNED_FIRST = 0.005
CANDIDATE_COST = 1000
CALL_COST = 20000

SCORERS = ("BM25Plus", "BM25Okapi")  # rank-bm25's class names
OKAPI_EPSILON = 0.25  # rank-bm25's default


def idf_of(df: np.ndarray, documents: int, scorer: str) -> np.ndarray:
    """idf of terms held by ``df`` (> 0) of ``documents`` documents, as the rank-bm25 class
    ``scorer`` computes it (Okapi's floor uses the mean over exactly these terms)."""
    if scorer == "BM25Plus":
        return np.log((documents + 1) / df)
    idf = np.log(documents - df + 0.5) - np.log(df + 0.5)
    idf[idf < 0] = OKAPI_EPSILON * idf.mean() if len(idf) else 0.0
    return idf


class BM25Index:
    """Sparse BM25 over a fixed list of token lists (documents are rows)."""

    def __init__(
        self,
        documents: Iterable[list[str]],
        k1: float = 1.5,
        b: float = 0.75,
        scorer: str = "BM25Plus",
    ) -> None:
        documents = list(documents)
        vocabulary: dict[str, int] = {}
        cols = [vocabulary.setdefault(term, len(vocabulary)) for document in documents for term in document]
        rows = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
        counts = term_counts(rows, np.asarray(cols, dtype=np.int64), (len(documents), len(vocabulary)))
        self._weigh(counts, vocabulary, k1, b, scorer)

    @classmethod
    def from_counts(
        cls,
        counts: sparse.csc_matrix,
        vocabulary: Mapping[str, int],
        k1: float,
        b: float,
        scorer: str = "BM25Plus",
        live: np.ndarray | None = None,
        rows: Rows | None = None,
    ) -> BM25Index:
        """An index from a term-frequency matrix whose columns are ``vocabulary``'s ids. A term
        no document holds (a vocabulary shared with another index) is unknown to this one.
        ``live``: which rows are documents (default all); a dead row must be empty in ``counts``.
        ``rows``: the same counts by row, when already made (default: from ``counts``)."""
        index = cls.__new__(cls)
        index._weigh(counts, vocabulary, k1, b, scorer, live, rows)
        return index

    def _weigh(
        self,
        counts: sparse.csc_matrix,
        vocabulary: Mapping[str, int],
        k1: float,
        b: float,
        scorer: str,
        live: np.ndarray | None = None,
        rows: Rows | None = None,
    ) -> None:
        """BM25 impacts from term frequencies, vectorised over all (document, term) pairs."""
        if scorer not in SCORERS:
            raise ValueError(f"unknown BM25 scorer {scorer!r}; one of {', '.join(SCORERS)}")
        self.k1, self.b, self.scorer = k1, b, scorer
        self.vocabulary = vocabulary
        self.size = counts.shape[0]
        self.live = np.ones(self.size, dtype=bool) if live is None else live
        self.documents = documents = int(self.live.sum())
        counts.sort_indices()
        self.doc_lengths = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
        self.avgdl = float(self.doc_lengths[self.live].mean()) if documents else 0.0
        df = np.diff(counts.indptr).astype(np.float64)
        present = df > 0
        idf = np.full(len(df), np.nan)  # not a term of this index: idf() says None
        idf[present] = idf_of(df[present], documents, scorer)
        self.idf_values = idf
        self.tf = tf = counts.data.astype(np.float32, copy=False)
        self.norms = self._norms()
        # float32 halves the memory; its 7 significant digits leave rank-bm25's order intact (tested).
        weights = impacts(tf, self.norms[counts.indices], k1)
        self.weights = sparse.csc_matrix((weights, counts.indices, counts.indptr), shape=counts.shape)
        self.column_max = column_maxima(self.weights)
        self.rows = RowTerms.of(counts) if rows is None else rows

    def _norms(self) -> np.ndarray:
        """Each row's k1 * (1 - b + b * |d| / avgdl), in float32 (see ``impacts``)."""
        return (self.k1 * (1 - self.b + self.b * self.doc_lengths / (self.avgdl or 1.0))).astype(np.float32)

    def updated(
        self, dead: np.ndarray, added: sparse.csc_matrix, vocabulary: Mapping[str, int], rows: Rows | None = None
    ) -> BM25Index:
        """A new index: rows ``dead`` emptied and marked dead, the rows of ``added`` (term counts
        over ``vocabulary``, which extends this one's) appended after the existing rows.
        ``rows``: this index's ``rows`` with those of ``added`` after them, when already made
        (needed when they are not its own).

        Both steps work on the flat arrays: a posting list keeps its surviving rows and gets the
        new ones at its end (new rows have the highest numbers, so the lists stay sorted)."""
        terms = len(vocabulary)
        indptr, indices = self.weights.indptr, self.weights.indices
        live = np.concatenate([self.live, np.ones(added.shape[0], dtype=bool)])
        live[dead] = False
        drop = np.flatnonzero(~live[indices]) if len(dead) else np.zeros(0, dtype=np.int64)
        indptr = np.concatenate([indptr, np.full(terms + 1 - len(indptr), indptr[-1])])  # new terms: empty
        added.sort_indices()
        at = indptr[1:][np.repeat(np.arange(terms), np.diff(added.indptr))]  # the end of each new entry's column
        # One old array at a time, let go of once copied (when mapped: see drop_pages).
        new_indices = _splice(indices, drop, at, added.indices + self.size)
        drop_pages(indices)
        tf = _splice(self.tf, drop, at, added.data)
        drop_pages(self.tf)
        counts = sparse.csc_matrix(
            (tf, new_indices, indptr - np.searchsorted(drop, indptr) + added.indptr), shape=(len(live), terms)
        )
        counts.has_sorted_indices = True  # by construction; checking costs a pass over every entry
        if rows is None:
            if not isinstance(self.rows, RowTerms):
                raise TypeError("an index whose rows are not its own is updated with its new rows given")
            rows = RowTerms.stacked([self.rows, RowTerms.of(added)])  # a dead row is left as it is
        return BM25Index.from_counts(counts, vocabulary, self.k1, self.b, self.scorer, live, rows)

    ARRAYS = ("doc_lengths", "idf_values", "data", "indices", "indptr", "tf", "live", "column_max")
    ROW_ARRAYS = ("row_indptr", "row_terms", "row_tf")  # when its rows are its own (``RowTerms``)

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to rebuild this index without the documents (see ``from_arrays``);
        its rows too when they are its own."""
        rows = self.rows
        own = isinstance(rows, RowTerms)
        return (dict(zip(self.ROW_ARRAYS, (rows.indptr, rows.terms, rows.tf), strict=True)) if own else {}) | {
            "doc_lengths": self.doc_lengths,
            "idf_values": self.idf_values,
            "data": self.weights.data,
            "indices": self.weights.indices,
            "indptr": self.weights.indptr,
            "tf": self.tf,
            "live": self.live,
            "column_max": self.column_max,
        }

    @classmethod
    def from_arrays(
        cls,
        vocabulary: Mapping[str, int],
        arrays: dict[str, np.ndarray],
        k1: float,
        b: float,
        scorer: str,
        rows: Rows | None = None,
    ) -> BM25Index:
        """An index saved with ``arrays()``; the arrays may be memory-mapped (nothing is copied).
        ``rows``: its rows when they are not its own (default: read from ``arrays``)."""
        index = cls.__new__(cls)
        index.k1, index.b, index.scorer = k1, b, scorer
        index.vocabulary = vocabulary
        index.doc_lengths = arrays["doc_lengths"]
        index.size = len(index.doc_lengths)
        index.live = arrays["live"]
        index.documents = int(index.live.sum())
        index.avgdl = float(index.doc_lengths[index.live].mean()) if index.live.any() else 0.0
        index.tf = arrays["tf"]
        index.idf_values = arrays["idf_values"]
        index.column_max = arrays["column_max"]
        index.norms = index._norms()
        index.rows = rows if rows is not None else RowTerms(*(arrays[name] for name in cls.ROW_ARRAYS))
        index.weights = sparse.csc_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(index.size, len(vocabulary)), copy=False
        )
        return index

    def terms(self) -> list[str]:
        """The vocabulary in column order, which is its order of iteration: a dict's insertion
        order (every dict here gives ids with ``setdefault(term, len(vocabulary))``), or a loaded
        ``Vocabulary``'s (sorting by id held the interpreter lock, and so the bot's event loop,
        for 110 ms at 1M passages)."""
        return list(self.vocabulary)

    def idf(self, term: str) -> float | None:
        """The term's idf, or None when no document has it."""
        value = float(self.idfs([term])[0])
        return None if np.isnan(value) else value

    def idfs(self, terms: list[str]) -> np.ndarray:
        """Each term's idf, nan where no document has it: one lookup for a question's words."""
        columns = self.columns_of(terms)
        out = np.full(len(terms), np.nan)
        known = columns >= 0
        out[known] = self.idf_values[columns[known]]
        return out

    @cached_property
    def unseen_idf(self) -> float:
        """The idf a term would have if one document held it: the weight of an unknown word."""
        return float(idf_of(np.ones(1), max(self.documents, 1), self.scorer)[0])

    def _columns(self, query: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The query's columns (in its order) and their weights times idf, in float32."""
        get = self.vocabulary.get
        found = [(col, weight) for term, weight in query.items() if weight and (col := get(term)) is not None]
        columns = np.fromiter((col for col, _ in found), dtype=np.int64, count=len(found))
        weights = np.fromiter((weight for _, weight in found), dtype=np.float64, count=len(found))
        idf = self.idf_values[columns]
        held = ~np.isnan(idf)  # nan: no document of this index has the term
        return columns[held], (weights[held] * idf[held]).astype(np.float32)

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """BM25 score of every document for weighted query terms (weight n = term repeated n times).

        One pass over the query's columns' postings in C (``add_scores``), adding each weighted
        impact to its document's score: scipy's sparse product, bit for bit (tested), without the
        copy of the columns that slicing them made (tens of MB for a question of common words at
        1M passages). A numpy scatter-add per term (``out[rows] += w * impacts``) made a temporary
        array per term and took 0.90 ms for a 10-term question at 100k passages (~170k postings);
        the product took 0.48 ms. Summed in float32, the impacts' own type: a float64 vector made scipy
        copy the columns to float64 and fill an 8 MB result at 1M passages, and a whole question
        took 9.9 ms at p50 there instead of 6.5 ms. A sum of a few float32 terms stays within
        1e-6 of rank-bm25's float64 scores (tested), and the candidates are re-scored in float64."""
        return self._scores(*self._columns(query))

    def _scores(self, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """``scores`` for a query already resolved by ``_columns``."""
        out = np.zeros(self.size, dtype=np.float32)
        _forward.add_scores(*self._postings(columns), self.weights.indices, self.weights.data, weights, out)
        return out

    def _postings(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each column's postings start and end, as the C loops take them (int64)."""
        indptr = self.weights.indptr
        return indptr[columns].astype(np.int64), indptr[columns + 1].astype(np.int64)

    def top(self, query: Mapping[str, float], n: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the ``n`` best documents scoring above 0, best first (ties: lower row
        first), and their scores: ``scores(query)`` at those rows, bit for bit.

        Exact pruning in the manner of MaxScore. A term adds at most its weight times the largest
        impact in its column (``column_max``). Terms are taken by that bound, highest first (the
        rare ones: a name, a place); the documents holding the terms taken so far are scored in
        full, and once the n-th best of them beats the sum of the bounds of the terms not taken,
        no other document can enter the top n. In a corpus on one topic, a question's common
        words ("Biên phòng", "cán bộ, chiến sĩ") hold 2.5 M postings at 100k passages: scoring
        them all took 4.9 ms of a 12 ms question; the documents of its rare words are a few
        hundred (bench/README.md: corpus shapes). Where scoring the candidates would cost more than reading
        every posting (``CANDIDATE_COST``), one pass over the columns is made.

        The loop runs in C (``_forward.top_pruned``), one call a question: in numpy it made ~70
        calls, 0.3 ms of call overhead, and its candidates' rows were cache misses one after the
        other; C asks for the next candidates' memory while scoring one. A needle question's top at
        100k passages on one topic: p50 0.60 -> 0.26-0.34 ms (the same questions in turn)."""
        columns, weights = self._columns(query)
        if not len(columns) or n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if (weights <= 0).any():  # Okapi's floor may be negative: bounds would not hold
            return self._best_of_all(columns, weights, n)
        rows, scores = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float32)
        found = _forward.top_pruned(
            *self._postings(columns),
            self.weights.indices,
            columns,
            weights,
            self.column_max,
            PRUNED_FIRST * self.size,
            CANDIDATE_COST,
            CALL_COST,
            self.rows.layout(),
            self.norms,
            self.k1,
            rows,
            scores,
        )
        if found < 0:  # cheaper to read every posting (most questions of a varied corpus)
            return self._best_of_all(columns, weights, n)
        return rows[:found], scores[:found]

    def _best_of_all(self, columns: np.ndarray, weights: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``top`` by scoring every document."""
        scores = self._scores(columns, weights)
        rows = best_rows(scores, n)
        return rows, scores[rows]

    def _impacts(self, tf: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The weights of counts ``tf`` (a row per term, a column per one of ``rows``, as
        ``counts_at`` reads them): ``weights``' entries, bit for bit, read from the rows
        (``RowTerms`` or ``SpannedRows``; a count of 0 weighs exactly 0)."""
        return impacts(tf, np.repeat(self.norms[rows][None, :], len(tf), axis=0), self.k1)

    def columns_of(self, terms: list[str]) -> np.ndarray:
        """Each term's column, -1 where the vocabulary lacks it."""
        get = self.vocabulary.get
        return np.fromiter((get(term, -1) for term in terms), dtype=np.int64, count=len(terms))

    def at(self, rows: np.ndarray) -> RowsView:
        """This index read at a few ``rows`` only (the candidates of one question)."""
        return RowsView(self, rows)


class RowsView:
    """A BM25 index read at a few rows, for re-ranking candidates without scoring every
    document. Each term's counts are read once however many scores and coverages ask for them
    (at 1M passages a lookup costs ~0.1 ms), and weighed only when a score needs them: the
    evidence over a question's top passages only asks which passages hold which words."""

    def __init__(self, index: BM25Index, rows: np.ndarray) -> None:
        self.index, self.rows = index, rows
        self._columns: dict[str, int] = {}  # -1: a term not in the vocabulary
        self._counts: dict[str, np.ndarray] = {}

    def fetch(self, terms: Iterable[str]) -> None:
        """Read the counts of each of ``terms`` not read yet, all in one ``counts_at``."""
        wanted = [t for t in dict.fromkeys(terms) if t not in self._counts]
        if not wanted:
            return
        columns = self.index.columns_of(wanted)
        known = columns >= 0
        counts = np.zeros((len(wanted), len(self.rows)), dtype=np.float32)
        if known.any():
            counts[known] = self.index.rows.counts_at(self.rows, columns[known])
        for term, column, row in zip(wanted, columns.tolist(), counts, strict=True):
            self._columns[term], self._counts[term] = column, row

    def held(self, terms: list[str]) -> np.ndarray:
        """Whether each row holds each of ``terms``: a row per term, a column per row."""
        self.fetch(terms)
        return np.array([self._counts[term] for term in terms]).reshape(len(terms), len(self.rows)) > 0

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """``index.scores(query)[rows]``, reading only those rows."""
        self.fetch(term for term, weight in query.items() if weight)
        known = [term for term, weight in query.items() if weight and self._columns[term] >= 0]
        if not known:  # a term the vocabulary lacks adds exactly 0
            return np.zeros(len(self.rows), dtype=np.float64)
        index = self.index
        tf = np.array([self._counts[term] for term in known])
        columns = np.fromiter((self._columns[term] for term in known), dtype=np.int64, count=len(known))
        idf = index.idf_values[columns][:, None]  # nan where no document here has the term: held nowhere
        weighted = np.where(tf > 0, idf * index._impacts(tf, self.rows), 0.0)
        weighted *= np.fromiter((query[term] for term in known), dtype=np.float64, count=len(known))[:, None]
        # A sum over the first axis adds whole rows in order: bit for bit the scores of adding each
        # term's row to zeros in turn (tested), without a call per term (101 -> 83 us a needle question).
        return weighted.sum(axis=0)
