"""Okapi BM25 exactly as ``rank_bm25.BM25Okapi`` scores it, precomputed for fast queries.

rank-bm25 is the definition of the score; this class reproduces it term for term:
  idf(t)   = ln(N - df + 0.5) - ln(df + 0.5), and every negative idf (df > N/2) is replaced by
             epsilon * mean(idf over the vocabulary) — Okapi's floor;
  score(d) = sum over query terms t of idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl)).
``BM25Okapi.get_scores`` loops over every document for every query term (~190 ms at 100k
passages). The per-(term, document) impacts do not depend on the query, so, as bm25s does, they are
computed once into a sparse matrix stored by term; a query then adds up a few matrix columns.
A query term repeated n times counts n times, as in rank-bm25; here that is a weight of n.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
from scipy import sparse


class BM25Index:
    """Sparse BM25Okapi over a fixed list of token lists (documents are rows)."""

    def __init__(
        self,
        documents: Iterable[list[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        freqs: list[int] = []
        lengths: list[int] = []
        for row, document in enumerate(documents):
            lengths.append(len(document))
            for term, tf in Counter(document).items():
                rows.append(row)
                cols.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
                freqs.append(tf)
        self.size = len(lengths)
        self.doc_lengths = np.asarray(lengths, dtype=np.float64)
        row_idx = np.asarray(rows, dtype=np.int64)
        col_idx = np.asarray(cols, dtype=np.int64)
        tf = np.asarray(freqs, dtype=np.float64)
        df = np.bincount(col_idx, minlength=len(self.vocabulary)).astype(np.float64)
        self.avgdl = float(self.doc_lengths.mean()) if self.size else 0.0
        idf = np.log(self.size - df + 0.5) - np.log(df + 0.5)
        self.average_idf = float(idf.mean()) if idf.size else 0.0
        idf[idf < 0] = epsilon * self.average_idf
        self.idf_values = idf
        norm = k1 * (1 - b + b * self.doc_lengths[row_idx] / (self.avgdl or 1.0))
        # float32 halves the memory; its 7 significant digits leave rank-bm25's order intact (tested).
        impacts = (idf[col_idx] * tf * (k1 + 1) / (tf + norm)).astype(np.float32)
        self.impacts = sparse.csc_matrix((impacts, (row_idx, col_idx)), shape=(self.size, len(self.vocabulary)))
        self.impacts.sort_indices()

    ARRAYS = ("doc_lengths", "idf_values", "data", "indices", "indptr")

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to rebuild this index without the documents (see ``from_arrays``)."""
        return {
            "doc_lengths": self.doc_lengths,
            "idf_values": self.idf_values,
            "data": self.impacts.data,
            "indices": self.impacts.indices,
            "indptr": self.impacts.indptr,
        }

    @classmethod
    def from_arrays(
        cls, vocabulary: list[str], arrays: dict[str, np.ndarray], k1: float, b: float, epsilon: float
    ) -> BM25Index:
        """An index saved with ``arrays()``; the arrays may be memory-mapped (nothing is copied)."""
        index = cls.__new__(cls)
        index.k1, index.b, index.epsilon = k1, b, epsilon
        index.vocabulary = {term: i for i, term in enumerate(vocabulary)}
        index.doc_lengths = arrays["doc_lengths"]
        index.size = len(index.doc_lengths)
        index.avgdl = float(index.doc_lengths.mean()) if index.size else 0.0
        index.idf_values = arrays["idf_values"]
        index.average_idf = float("nan")  # only needed while building
        index.impacts = sparse.csc_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(index.size, len(vocabulary)), copy=False
        )
        return index

    def terms(self) -> list[str]:
        """The vocabulary in column order."""
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)

    def idf(self, term: str) -> float | None:
        """The term's idf, or None when no document has it."""
        col = self.vocabulary.get(term)
        return None if col is None else float(self.idf_values[col])

    def unseen_idf(self) -> float:
        """The idf a term would have if one document held it: the weight of an unknown word."""
        return float(np.log(max(self.size, 1) - 1 + 0.5) - np.log(1.5))

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """BM25 score of every document for weighted query terms (weight n = term repeated n times)."""
        out = np.zeros(self.size, dtype=np.float64)
        indptr, indices, data = self.impacts.indptr, self.impacts.indices, self.impacts.data
        for term, weight in query.items():
            col = self.vocabulary.get(term)
            if col is None or weight == 0:
                continue
            start, end = indptr[col], indptr[col + 1]
            out[indices[start:end]] += weight * data[start:end]
        return out

    def _lookup(self, term: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``rows`` (any order): whether each holds ``term``, and its impact there (0 if not).

        A posting list is sorted by row, so a binary search per row finds it without reading the
        list: a few microseconds even for a term in half of a million documents.
        """
        col = self.vocabulary.get(term)
        if col is None or not len(rows):
            return np.zeros(len(rows), dtype=bool), np.zeros(len(rows))
        start, end = self.impacts.indptr[col], self.impacts.indptr[col + 1]
        postings = self.impacts.indices[start:end]
        at = np.minimum(np.searchsorted(postings, rows), max(end - start - 1, 0))
        found = postings[at] == rows
        return found, np.where(found, self.impacts.data[start:end][at], 0.0)

    def scores_of(self, query: Mapping[str, float], rows: np.ndarray) -> np.ndarray:
        """``scores(query)[rows]``, reading only those rows (for re-ranking a few candidates)."""
        out = np.zeros(len(rows), dtype=np.float64)
        for term, weight in query.items():
            if weight:
                out += weight * self._lookup(term, rows)[1]
        return out

    def presence(self, terms: list[str], rows: np.ndarray) -> np.ndarray:
        """Boolean matrix (term, row): whether document ``rows[j]`` contains ``terms[i]``."""
        out = np.zeros((len(terms), len(rows)), dtype=bool)
        for i, term in enumerate(terms):
            out[i] = self._lookup(term, rows)[0]
        return out
