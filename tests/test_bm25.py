"""The sparse index must score exactly as rank-bm25 (BM25Plus or BM25Okapi), the definition of the score."""

import random
from collections import Counter

import numpy as np
import pytest
from rank_bm25 import BM25Okapi, BM25Plus

import retrieval.index.bm25 as bm25_module
from retrieval.index.bm25 import SCORERS, BM25Index

REFERENCES = {"BM25Plus": BM25Plus, "BM25Okapi": BM25Okapi}


def reference_scores(reference, query: list[str]) -> np.ndarray:
    """rank-bm25's scores, without the delta * idf that BM25Plus gives every document alike."""
    scores = reference.get_scores(query)
    if isinstance(reference, BM25Plus):
        scores -= reference.delta * sum(reference.idf.get(q) or 0 for q in query)
    return scores


def _random_corpus(seed: int, docs: int = 400, vocab: int = 250):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    # Zipf-like: low ids are common, so some idfs go negative and hit Okapi's floor.
    corpus = [
        [words[min(int(rng.paretovariate(1.1)) - 1, vocab - 1)] for _ in range(rng.randint(0, 30))] for _ in range(docs)
    ]
    return rng, words, corpus


@pytest.mark.parametrize("scorer", SCORERS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_equal_rank_bm25(seed, scorer):
    """Scores equal rank-bm25's to 1e-6 (float32 impacts and sums); the top 10 overlap is at least 99% overall."""
    rng, words, corpus = _random_corpus(seed)
    reference = REFERENCES[scorer](corpus)
    index = BM25Index(corpus, scorer=scorer)
    overlap = []
    assert any(
        v < 0
        for v in (
            np.log(len(corpus) - c + 0.5) - np.log(c + 0.5) for c in Counter(w for d in corpus for w in set(d)).values()
        )
    )
    for _ in range(40):
        query = [*rng.sample(words, 3), "w0", "w0", "unknown-term"]
        expected = reference_scores(reference, query)
        got = index.scores(Counter(query))
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)  # float32 impacts
        rows = np.array(sorted(rng.sample(range(len(corpus)), 25)))
        np.testing.assert_allclose(index.at(rows).scores(Counter(query)), got[rows], rtol=1e-6)  # float32 sums
        top_expected = set(np.argsort(-expected, kind="stable")[:10])
        overlap.append(len(top_expected & set(np.argsort(-got, kind="stable")[:10])) / 10)
    assert np.mean(overlap) >= 0.99


@pytest.mark.parametrize("scorer", SCORERS)
def test_idf_matches_rank_bm25(scorer):
    corpus = [["a", "b"], ["a", "c"], ["a"], ["d"]]
    reference = REFERENCES[scorer](corpus)
    index = BM25Index(corpus, scorer=scorer)
    for term in "abcd":
        assert index.idf(term) == pytest.approx(reference.idf[term])
    assert index.idf("zzz") is None
    with pytest.raises(ValueError, match="unknown BM25 scorer"):
        BM25Index(corpus, scorer="BM25")


def test_okapi_floor_puts_a_commoner_word_above_a_rarer_one_and_plus_does_not():
    """Why BM25Plus is the default: Okapi's floor weighs a word in 70% of the passages above one
    in 49% (the issue's "các" and "của"); BM25Plus's idf falls with every passage a word is in."""
    corpus = [["các"] * (i < 70) + ["của"] * (i < 49) + [f"w{i}", f"w{i % 7}"] for i in range(100)]
    okapi, plus = BM25Index(corpus, scorer="BM25Okapi"), BM25Index(corpus, scorer="BM25Plus")
    assert okapi.idf("các") > okapi.idf("của")
    assert plus.idf("các") < plus.idf("của") < plus.idf("w3") < plus.idf("w10")


def test_presence_and_empty_corpus():
    index = BM25Index([["a"], ["b"], ["a", "b"]])
    view = index.at(np.array([2, 0, 1]))
    assert view.held(["a", "zzz"]).tolist() == [[True, True, False], [False] * 3]
    empty = BM25Index([])
    assert empty.size == 0 and empty.scores({"a": 1.0}).size == 0


@pytest.mark.parametrize("scorer", SCORERS)
def test_shared_vocabulary_terms_absent_from_this_index(scorer):
    """Columns of a shared vocabulary that no document here holds are unknown terms: no idf,
    no score, and they do not move Okapi's floor (the mean idf is over present terms only)."""
    from retrieval.index.bm25 import term_counts

    corpus = [["a", "b"], ["a", "c"], ["a"], ["d"]]
    vocabulary = {"a": 0, "b": 1, "c": 2, "d": 3, "title-only": 4}
    rows = np.repeat(np.arange(len(corpus)), [len(d) for d in corpus])
    cols = np.array([vocabulary[t] for d in corpus for t in d])
    index = BM25Index.from_counts(term_counts(rows, cols, (4, 5)), vocabulary, 1.5, 0.75, scorer)
    reference = REFERENCES[scorer](corpus)
    assert index.idf("title-only") is None
    for term in "abcd":
        assert index.idf(term) == pytest.approx(reference.idf[term])
    expected = reference_scores(reference, ["a", "title-only"])
    np.testing.assert_allclose(index.scores({"a": 1.0, "title-only": 1.0}), expected, rtol=1e-6)
    view = index.at(np.array([0, 3]))
    assert view.held(["title-only", "a"]).tolist() == [[False, False], [True, False]]
    assert index.at(np.array([0, 1])).scores({"title-only": 1.0}).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("scorer", SCORERS)
@pytest.mark.parametrize("seed", [4, 5])
def test_updated_index_scores_as_rank_bm25_over_the_live_documents(seed, scorer):
    """Dead rows emptied, new rows appended, twice over: every score equals rank-bm25's built
    from scratch on the documents that are left plus the new ones (new terms included)."""
    from retrieval.index.bm25 import term_counts

    rng, words, corpus = _random_corpus(seed, docs=300)
    index = BM25Index(corpus, scorer=scorer)
    vocabulary = dict(index.vocabulary)
    rows = list(corpus)  # row -> document, None once dead
    for round_ in range(2):
        dead = np.array(sorted(rng.sample([r for r, d in enumerate(rows) if d is not None], 40)))
        new_docs = [[f"new{round_}-{i}", *rng.sample(words, rng.randint(0, 20))] for i in range(30)] + [[]]
        vocabulary = dict(vocabulary)
        cols = [vocabulary.setdefault(t, len(vocabulary)) for d in new_docs for t in d]
        added = term_counts(
            np.repeat(np.arange(len(new_docs)), [len(d) for d in new_docs]),
            np.asarray(cols, dtype=np.int64),
            (len(new_docs), len(vocabulary)),
        )
        index = index.updated(dead, added, vocabulary)
        for r in dead:
            rows[r] = None
        rows += new_docs
    live = [r for r, d in enumerate(rows) if d is not None]
    assert index.size == len(rows) and index.documents == len(live)
    assert index.live.tolist() == [d is not None for d in rows]
    reference = REFERENCES[scorer]([rows[r] for r in live])
    for term in ["w0", "w3", "new1-4", "new0-2"]:
        assert index.idf(term) == pytest.approx(reference.idf[term])
    gone = {t for r, d in enumerate(rows[: len(corpus)]) if d is None for t in corpus[r]} - set(reference.idf)
    assert all(index.idf(t) is None for t in gone)
    for _ in range(30):
        query = [*rng.sample(words, 3), "w0", "new1-7", "new0-3"]
        got = index.scores(Counter(query))
        np.testing.assert_allclose(got[live], reference_scores(reference, query), rtol=1e-6, atol=1e-9)
        assert not got[[r for r, d in enumerate(rows) if d is None]].any()  # dead rows never score
        sample = np.array(sorted(rng.sample(live, 25)))
        np.testing.assert_allclose(index.at(sample).scores(Counter(query)), got[sample], rtol=1e-6)


def test_splice_is_delete_then_insert():
    from retrieval.index.bm25 import _splice

    rng = np.random.default_rng(3)
    array = rng.integers(0, 100, 60)
    for drop, at in (([], []), ([0, 5, 59], []), ([], [0, 0, 60, 60]), ([3, 4, 10, 59], [0, 4, 4, 11, 60])):
        drop, at = np.asarray(drop, dtype=np.int64), np.asarray(at, dtype=np.int64)
        values = rng.integers(100, 200, len(at))
        # positions in the array without the dropped entries, where np.insert expects them
        expected = np.insert(np.delete(array, drop), at - np.searchsorted(drop, at), values)
        assert _splice(array, drop, at, values).tolist() == expected.tolist()


def test_stack_by_term_is_vstack_then_by_term():
    """Pieces of consecutive rows, each over its own terms (its column j is term ``where[j]``,
    in any order: a piece counted on its own numbers them as it meets them), one of them empty:
    stacked by term as scipy stacks them once renumbered, and let go of."""
    from scipy import sparse

    from retrieval.index.bm25 import stack_by_term, term_counts

    rng = np.random.default_rng(5)
    given, renumbered = [], []
    for rows, width in zip([7, 0, 30, 1, 25], [3, 3, 40, 41, 60], strict=True):
        entries = int(rng.integers(0, rows * 5 + 1))
        piece = term_counts(rng.integers(0, rows, entries), rng.integers(0, width, entries), (rows, width))
        where = rng.permutation(60)[:width].astype(np.int32)
        given.append((piece, where))
        coo = piece.tocoo()
        renumbered.append(sparse.csr_matrix((coo.data, (coo.row, where[coo.col])), shape=(rows, 60)))
    expected = sparse.vstack(renumbered).tocsc()
    expected.sort_indices()
    stacked = stack_by_term(given, 60)
    assert given == [] and stacked.shape == expected.shape and stacked.has_sorted_indices
    assert stacked.indices.dtype == np.int32 and stacked.data.dtype == np.float32
    assert np.array_equal(stacked.indptr, expected.indptr) and np.array_equal(stacked.indices, expected.indices)
    assert np.array_equal(stacked.data, expected.data) and stacked.nnz > 100
    assert stack_by_term([], 4).shape == (0, 4)


def test_rows_give_each_documents_counts_and_the_stored_weights_bit_for_bit():
    """``RowTerms``: the counts by row (any row order, rows repeated, terms absent or not), stacked
    from pieces as made whole, and the weights read from them are the index's own, bit for bit,
    also after an update (new rows appended, dead ones left)."""
    from scipy import sparse

    from retrieval.index.bm25 import RowTerms, term_counts

    corpus = _random_corpus(11, docs=300)[-1]
    index = BM25Index(corpus)
    dense = index.weights.toarray()
    counts = sparse.csc_matrix((index.tf, index.weights.indices, index.weights.indptr), shape=dense.shape).toarray()
    nprng = np.random.default_rng(11)
    rows = np.concatenate([nprng.permutation(len(corpus))[:80], [0, 0, len(corpus) - 1]])
    terms = np.array([*nprng.choice(dense.shape[1], 40, replace=False), 0])
    got = index.rows.counts_at(rows, terms)
    assert got.dtype == np.float32 and np.array_equal(got, counts[rows][:, terms].T)
    assert index.rows.counts_at(rows[:0], terms).shape == (len(terms), 0)
    every = nprng.permutation(dense.shape[1])  # many terms: a big table, with collisions
    assert np.array_equal(index.rows.counts_at(rows, every), counts[rows][:, every].T)
    tf = index.rows.counts_at(rows, terms)
    held, weights = tf > 0, index._impacts(tf, rows)
    assert np.array_equal(weights, dense[rows][:, terms].T) and np.array_equal(held, weights > 0)

    pieces = [RowTerms.of(sparse.csr_matrix(counts[a:b])) for a, b in ((0, 100), (100, 100), (100, 300))]
    stacked = RowTerms.stacked(pieces)
    for name in ("indptr", "terms", "tf"):
        assert np.array_equal(getattr(stacked, name), getattr(index.rows, name)), name

    vocabulary = dict(index.vocabulary)
    fresh = vocabulary.setdefault("fresh", len(vocabulary))
    added = term_counts(np.array([0, 0, 1]), np.array([fresh, 3, fresh]), (2, len(vocabulary)))
    updated = index.updated(np.array([1, 5]), added, vocabulary)
    dense = updated.weights.toarray()
    live = np.flatnonzero(updated.live)
    terms = np.array([fresh, 0, 3, 7])
    tf = updated.rows.counts_at(live, terms)
    held, weights = tf > 0, updated._impacts(tf, live)
    assert np.array_equal(weights, dense[live][:, terms].T) and held[0].sum() == 2


def test_view_scores_are_the_terms_added_in_turn_bit_for_bit():
    """A view's scores sum the terms' weighted impacts in one call: the same bits as adding each
    term's row to zeros in turn, the question's order (many terms: no pairwise summation)."""
    corpus = _random_corpus(5, docs=200)[-1]
    index = BM25Index(corpus)
    nprng = np.random.default_rng(5)
    rows = nprng.permutation(len(corpus))[:60]
    words = sorted({w for d in corpus for w in d})
    for _ in range(10):
        query = {w: float(nprng.uniform(0.1, 2.0)) for w in nprng.choice(words, 24, replace=False)}
        query["unknown-term"] = 1.0
        expected = np.zeros(len(rows))
        for term, weight in query.items():
            if term in index.vocabulary:
                column = np.array([index.vocabulary[term]])
                tf = index.rows.counts_at(rows, column)
                held, impact = tf > 0, index._impacts(tf, rows)
                expected += weight * np.where(held[0], index.idf_values[column[0]] * impact[0], 0.0)
        assert np.array_equal(index.at(rows).scores(query), expected)


def test_rows_refuse_what_would_read_outside_them():
    """The C loop checks its input: a row out of range, arrays of another type or that do not fit
    each other are errors, never a read of memory that is not theirs."""
    from retrieval.index import _forward
    from retrieval.index.bm25 import RowTerms

    rows = RowTerms(np.array([0, 2, 3], dtype=np.int64), np.array([1, 4, 2], dtype=np.int32), np.ones(3, np.float32))
    assert rows.counts_at(np.array([1, 0]), np.array([4, 2])).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    for bad_row in (2, -1):
        with pytest.raises(IndexError):
            rows.counts_at(np.array([bad_row]), np.array([1]))
    one, out = np.array([1]), np.zeros((1, 1), dtype=np.float32)
    for first, count in ((1, 1), (0, 2), (2, 0)):  # spans that fit
        _forward.add_counts(rows.indptr, rows.terms, rows.tf, np.array([first]), np.array([count]), one, out)
    for first, count in ((0, 3), (1, -1), (3, 0), (1, 2**62)):  # spans that do not
        with pytest.raises(IndexError):
            _forward.add_counts(rows.indptr, rows.terms, rows.tf, np.array([first]), np.array([count]), one, out)
    with pytest.raises(ValueError):  # the last row would end past the columns
        _forward.add_counts(np.array([0, 2, 9]), rows.terms, rows.tf, one, one, one, out)
    with pytest.raises(ValueError):  # one count per column
        _forward.add_counts(rows.indptr, rows.terms, rows.tf[:2], one, one, one, out)
    with pytest.raises(ValueError):  # a length per first row
        _forward.add_counts(rows.indptr, rows.terms, rows.tf, one, np.array([1, 1]), one, out)
    with pytest.raises(ValueError):  # room for every (term, row)
        _forward.add_counts(rows.indptr, rows.terms, rows.tf, np.array([0, 1]), np.array([1, 1]), one, out)
    with pytest.raises(TypeError):
        _forward.add_counts(rows.indptr, rows.terms.astype(np.int64), rows.tf, one, one, one, out)
    two = np.zeros((2, 1), dtype=np.float32)
    for terms in ([1, 1], [-1, 1]):  # a term twice, or no term at all
        with pytest.raises(ValueError):
            _forward.add_counts(rows.indptr, rows.terms, rows.tf, one, one, np.array(terms), two)
    assert out.tolist() == [[1.0]]  # row 1 holds term 1 once: added by (0, 2) only, nothing by a refused call


@pytest.mark.parametrize("index_type", [np.int32, np.int64])
def test_every_documents_score_is_scipys_product_bit_for_bit(index_type):
    """``scores`` adds each posting's weighted impact in C, column after column, in float32:
    the bits of scipy's product of the sliced columns, for repeated and absent columns too; and
    the C loop refuses postings or columns outside its arrays."""
    from retrieval.index import _forward

    corpus = _random_corpus(3, docs=400)[-1]
    index = BM25Index(corpus)
    index.weights.indices = index.weights.indices.astype(index_type)
    nprng = np.random.default_rng(3)
    for _ in range(20):
        columns = np.sort(nprng.choice(index.weights.shape[1], nprng.integers(1, 12), replace=True))
        weights = nprng.uniform(0.1, 3.0, len(columns)).astype(np.float32)
        expected = index.weights[:, columns] @ weights
        got = index._scores(columns, weights)
        assert got.dtype == np.float32 and np.array_equal(got, expected)
    assert not index._scores(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)).any()

    indices, data = np.array([0, 2, 5], dtype=index_type), np.ones(3, dtype=np.float32)
    one, out = np.ones(1, dtype=np.float32), np.zeros(3, dtype=np.float32)
    _forward.add_scores(np.array([0]), np.array([2]), indices, data, one, out)
    assert out.tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(IndexError):  # row 5 of a 3-document result
        _forward.add_scores(np.array([0]), np.array([3]), indices, data, one, out)
    for start, end in ((2, 1), (-1, 1), (0, 4)):
        with pytest.raises(IndexError):
            _forward.add_scores(np.array([start]), np.array([end]), indices, data, one, out)
    with pytest.raises(ValueError):
        _forward.add_scores(np.array([0]), np.array([2]), indices, data[:2], one, out)
    with pytest.raises(TypeError):
        _forward.add_scores(np.array([0]), np.array([2]), indices, data, one.astype(np.float64), out)


def test_spanned_rows_are_the_rows_of_the_summed_counts():
    """``SpannedRows``: a document made of consecutive rows of one matrix plus a row of another
    (a passage: its sentences and its title) has, read at any documents, the counts of the summed
    matrix: what a passage index stores, so its weights read from them are the stored ones."""
    from scipy import sparse

    from retrieval.index.bm25 import RowTerms, SpannedRows

    nprng = np.random.default_rng(5)
    parts = sparse.random(400, 60, density=0.08, format="csr", random_state=7, dtype=np.float32)
    parts.data = np.ceil(parts.data * 3)
    heads = sparse.random(30, 60, density=0.1, format="csr", random_state=8, dtype=np.float32)
    heads.data = np.ceil(heads.data * 2)
    count = np.full(100, 4, dtype=np.int64)
    count[::7] = 0  # a document of no row of ``parts``
    count[1::7] = 8
    first = np.concatenate(([0], np.cumsum(count)[:-1]))
    head = nprng.integers(0, 30, size=len(count))
    spanned = np.stack([np.asarray(parts[f : f + c].sum(axis=0)).ravel() for f, c in zip(first, count, strict=True)])
    expected = spanned + heads.toarray()[head]
    rows = SpannedRows(RowTerms.of(parts), first, count, RowTerms.of(heads), head)
    asked = np.concatenate([nprng.permutation(len(count))[:60], [0, 0]])
    terms = np.array([*nprng.choice(60, 25, replace=False), 3])
    assert np.array_equal(rows.counts_at(asked, terms), expected[asked][:, terms].T.astype(np.float32))
    assert expected.sum() > 1000 and rows.counts_at(asked[:0], terms).shape == (len(terms), 0)


def _spanned_index(seed: int) -> BM25Index:
    """A passage index read from spans of sentence rows plus a title row (``SpannedRows``), over a
    corpus on one topic: how ``SearchIndex`` builds its passages."""
    from scipy import sparse

    from retrieval.index.bm25 import RowTerms, SpannedRows, term_counts

    rng, _, _, sentences = _topical_corpus(seed, docs=3000)
    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in sentence] for sentence in sentences]
    titles = [[vocabulary.setdefault(f"title{i % 50}", len(vocabulary))] * 2 for i in range(40)]

    def counts(lists: list[list[int]]) -> sparse.csr_matrix:
        rows = np.repeat(np.arange(len(lists)), [len(ids) for ids in lists])
        return term_counts(rows, np.array([i for ids in lists for i in ids]), (len(lists), len(vocabulary))).tocsr()

    parts, heads = counts(ids), counts(titles)
    cuts = sorted(rng.sample(range(1, len(sentences)), 999))  # 1,000 passages of 3 sentences on average
    count = np.diff([0, *cuts, len(sentences)]).astype(np.int64)
    first = np.concatenate(([0], np.cumsum(count)[:-1]))
    head = np.array([rng.randrange(len(titles)) for _ in count], dtype=np.int64)
    spans = (np.ones(len(sentences), np.float32), (np.repeat(np.arange(len(count)), count), np.arange(len(sentences))))
    passages = sparse.csc_matrix(sparse.csr_matrix(spans, shape=(len(count), len(sentences))) @ parts + heads[head])
    rows = SpannedRows(RowTerms.of(parts), first, count, RowTerms.of(heads), head)
    return BM25Index.from_counts(passages, vocabulary, 1.5, 0.75, rows=rows)


def test_top_of_spanned_rows_is_the_best_of_all_scores_bit_for_bit(monkeypatch):
    """The pruned ``top`` scores a passage from its sentences' rows and its title's row (in C):
    the rows and float32 scores of scoring every passage, for questions with rare words and
    without, and with every passage scored when pruning does not pay."""
    index = _spanned_index(11)
    rng = random.Random(11)
    monkeypatch.setattr(bm25_module, "CANDIDATE_COST", 30)
    monkeypatch.setattr(bm25_module, "CALL_COST", 30)
    common, names = [f"c{i}" for i in range(8)], [f"name{i}" for i in range(600)]
    pruned: list[bool] = []
    real = index._best_of_all
    monkeypatch.setattr(index, "_best_of_all", lambda c, w, k: pruned.append(False) or real(c, w, k))
    for i in range(80):
        query = Counter([*rng.sample(common, 3), *rng.sample(names, rng.randint(0, 2)), f"title{i % 50}"])
        query = {t: w * (0.3 if i % 2 and t in common else 1.0) for t, w in query.items()}
        scores = index.scores(query)
        for n in (1, 20):
            before = len(pruned)
            rows, got = index.top(query, n)
            if len(pruned) == before:
                pruned.append(True)
            expected = _expected_top(scores, n)
            assert rows.tolist() == expected.tolist() and np.array_equal(got, scores[expected])
    assert 0.3 * len(pruned) <= sum(pruned) < len(pruned)  # both ways taken, often


def test_pruned_top_refuses_what_would_read_outside_its_arrays():
    """``top_pruned`` checks its input as the other C loops do: a posting past the documents, a
    document's rows or title outside the row arrays, a weight that bounds nothing, arrays of
    another type or length: errors, not reads of memory that is not theirs."""
    from retrieval.index import _forward
    from retrieval.index.bm25 import RowTerms

    rows = RowTerms(np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 1], dtype=np.int32), np.ones(3, np.float32))
    norms, column_max = np.array([1.0, 0.5], dtype=np.float32), np.ones(2, dtype=np.float32)
    own = rows.layout()

    def top(indices, starts=(0,), ends=(2,), weights=(1.0,), layout=own, norms=norms, n=2):
        out_rows, out_scores = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.float32)
        found = _forward.top_pruned(
            np.array(starts), np.array(ends), np.array(indices, dtype=np.int32), np.array([1] * len(starts)),
            np.array(weights, dtype=np.float32), column_max, 10.0, 0.0, 0.0, layout, norms, 1.2, out_rows, out_scores,
        )  # fmt: skip
        return out_rows[:found].tolist(), out_scores[:found]

    found, scores = top([0, 1])  # term 1: once in each document; the shorter one first
    assert found == [1, 0] and scores[0] > scores[1] > 0
    with pytest.raises(IndexError):  # document 2 of 2
        top([0, 2])
    for ends, weights in (((3,), (1.0,)), ((2,), (0.0,))):  # postings past the postings; a weight of 0
        with pytest.raises(ValueError):
            top([0, 1], ends=ends, weights=weights)
    with pytest.raises(TypeError):
        top([0, 1], norms=norms.astype(np.float64))
    spans = (np.array([0, 1]), np.array([1, 5]), *own[:3], np.array([0, 0]))
    with pytest.raises(IndexError):  # document 1's rows 1..5 of 2
        top([0, 1], layout=(*own[:3], *spans))
    with pytest.raises(ValueError):  # the spans given without the heads
        top([0, 1], layout=(*own[:5], np.array([0, 1]), None, None, None))


@pytest.mark.parametrize("size", [0, 1, 19, 20, 1024, 5000, 20 * 1024, 50_000 + 17])
def test_best_rows_are_those_of_a_full_sort(size):
    """The block shortcut gives the rows a full sort gives, in its order, with many ties and
    zeros (as passage scores have), whatever the size against the block."""
    from retrieval.index.bm25 import best_rows

    rng = np.random.default_rng(size)
    scores = np.round(rng.random(size) * 5, 1) * (rng.random(size) < 0.7)
    for n in (1, 5, 20):
        assert best_rows(scores, n).tolist() == _expected_top(scores, n).tolist()
    for block in (3, 64):
        assert best_rows(scores, 20, block).tolist() == _expected_top(scores, 20).tolist()


def _expected_top(scores: np.ndarray, n: int) -> np.ndarray:
    """The contract of ``BM25Index.top``: best first, lower row first on ties, only scores > 0."""
    order = np.lexsort((np.arange(scores.size), -scores))[:n]
    return order[scores[order] > 0]


def _topical_corpus(seed: int, docs: int = 4000):
    """One topic everywhere (a few words in most documents), names each in a handful, and many
    documents twice (exact ties)."""
    rng = random.Random(seed)
    common = [f"c{i}" for i in range(8)]
    names = [f"name{i}" for i in range(600)]
    corpus = []
    for _ in range(docs):
        doc = [w for w in common if rng.random() < 0.8] * rng.randint(1, 3)
        doc += rng.sample(names, rng.randint(0, 3)) + [f"w{rng.randint(0, 3000)}" for _ in range(rng.randint(0, 20))]
        corpus.append(corpus[-1] if corpus and rng.random() < 0.1 else doc)
    return rng, common, names, corpus


@pytest.mark.parametrize("scorer", SCORERS)
def test_top_is_the_best_of_all_scores_bit_for_bit(scorer, monkeypatch):
    """``top`` gives exactly the rows and the float32 scores of a full scoring's best n, ties
    included, and for a question with a rare word it gets there without scoring every document
    (MaxScore pruning); a question of common words only scores them all, with the same contract."""
    rng, common, names, corpus = _topical_corpus(7)
    index = BM25Index(corpus, scorer=scorer)
    full_scores = index.scores
    # The costs scaled to this corpus: rows of ~10 entries (~200 in news), and 4,000 documents.
    monkeypatch.setattr(bm25_module, "CANDIDATE_COST", 100)
    monkeypatch.setattr(bm25_module, "CALL_COST", 100)
    pruned = named = 0
    for i in range(60):
        query = Counter([*rng.sample(common, 4), *rng.sample(names, rng.randint(0, 2)), "unknown-term"])
        query = {t: w * (0.3 if i % 3 == 0 and t in common else 1.0) for t, w in query.items()}
        scores = full_scores(query)
        for n in (1, 20, 50):
            rows, got = index.top(query, n)
            expected = _expected_top(scores, n)
            assert rows.tolist() == expected.tolist()
            assert np.array_equal(got, scores[expected])  # the same bits, not just close
        if any(t in names for t in query):
            full: list[int] = []
            real, record = index._best_of_all, full.append
            with monkeypatch.context() as spied:
                spied.setattr(index, "_best_of_all", lambda c, w, k, r=real, f=record: f(k) or r(c, w, k))
                index.top(query, 3)  # a name is in ~10 documents: enough for the best 3
            named += 1
            pruned += not full
    assert pruned >= 0.8 * named
    assert index.top({}, 5)[0].size == 0 and index.top({"unknown-term": 1.0}, 5)[0].size == 0


def test_top_with_okapis_negative_floor():
    """Where every idf is negative (most words in most documents), Okapi's floor is negative too:
    no bound holds, every document is scored, and none scores above 0."""
    index = BM25Index([["a", "b"], ["a", "b"], ["a"]], scorer="BM25Okapi")
    query = {"a": 1.0, "b": 1.0}
    assert index.idf("a") < 0
    assert index.top(query, 2)[0].tolist() == _expected_top(index.scores(query), 2).tolist() == []


def test_top_after_an_update_never_returns_dead_rows():
    from retrieval.index.bm25 import term_counts

    corpus = _topical_corpus(8, docs=1000)[-1]
    index = BM25Index(corpus)
    vocabulary = dict(index.vocabulary)
    c0, name1, fresh = (vocabulary.setdefault(t, len(vocabulary)) for t in ("c0", "name1", "fresh"))
    added = term_counts(np.array([0, 1, 1, 2, 2]), np.array([c0, name1, name1, name1, fresh]), (3, len(vocabulary)))
    dead = np.array([r for r, d in enumerate(corpus) if "name1" in d][:3])
    assert len(dead) == 3
    updated = index.updated(dead, added, vocabulary)
    for query in ({"name1": 1.0, "c0": 1.0}, {"fresh": 1.0, "c1": 0.3}, {"c0": 1.0}):
        rows, scores = updated.top(query, 10)
        expected = _expected_top(updated.scores(query), 10)
        assert rows.tolist() == expected.tolist() and np.array_equal(scores, updated.scores(query)[expected])
        assert not set(rows.tolist()) & set(dead.tolist())


def _resident_kb(path) -> int:
    """How much of the mapped file ``path`` is resident in this process (Linux's smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps", encoding="utf-8") as smaps:
        for line in smaps:
            if "-" in line.split(" ", 1)[0]:  # a mapping's first line
                inside = line.rstrip().endswith(str(path))
            elif inside and line.startswith("Rss:"):
                total += int(line.split()[1])
    return total


def test_drop_pages_lets_a_read_mapping_go_and_keeps_its_values(tmp_path):
    from retrieval.index.mapped import drop_pages

    path = tmp_path / "weights.npy"
    np.save(path, np.arange(2_000_000, dtype=np.float32))
    mapped = np.asarray(np.load(path, mmap_mode="r"))
    total = float(mapped.sum(dtype=np.float64))
    assert _resident_kb(path) > 7_000  # 8 MB read through
    drop_pages(mapped[10:])  # a view of it lets the whole mapping go
    assert _resident_kb(path) < 100
    assert float(mapped.sum(dtype=np.float64)) == total  # mapped back on reading
    in_memory = np.arange(5)
    drop_pages(in_memory)
    assert in_memory.tolist() == [0, 1, 2, 3, 4]


def test_a_loaded_vocabulary_is_the_dict_it_was_saved_from():
    from retrieval.index.bm25 import Vocabulary

    terms = [f"t{i}" for i in range(5000)] + ["bộ", "~bo", "bộ_đội"]
    as_dict = {term: column for column, term in enumerate(terms)}
    loaded = Vocabulary(terms)
    assert len(loaded) == len(as_dict) and list(loaded) == terms and dict(loaded) == as_dict  # column order
    assert all(loaded[t] == c and loaded.get(t) == c and t in loaded for t, c in as_dict.items())
    assert loaded.get("missing") is None and loaded.get("missing", -1) == -1 and "missing" not in loaded
    with pytest.raises(KeyError):
        loaded["missing"]
