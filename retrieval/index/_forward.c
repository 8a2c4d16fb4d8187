/* The loops of a question that numpy cannot do in a few calls (see retrieval/bm25.py): its terms'
 * counts in a few documents' rows (add_counts), every document's score (add_scores), and the best
 * documents by MaxScore pruning (top_pruned, below).
 *
 * add_counts(indptr, columns, counts, first, count, terms, out): a count matrix stored by row
 * (CSR: row r's terms are columns[indptr[r]:indptr[r + 1]], ascending, their counts counts[...]
 * likewise). For each of ``terms`` (any order) and each document i, made of the rows first[i] ..
 * first[i] + count[i] - 1, out[j, i] += the count of terms[j] in those rows (nothing added where
 * they do not hold it). A document of one row is a candidate sentence; one of several is a passage,
 * which is its consecutive sentences (and its title's row, added by a second call): passages need
 * no rows of their own. A document's rows are consecutive, so its entries are one stretch, walked
 * once: each entry's term is tested against a 4096-bit filter of the question's terms' low bits
 * and looked up in a small hash table of the terms only when it passes. At 100k passages on one
 * topic (~200 entries a passage) that took 210 candidates' counts from 0.39 ms (a merge of each
 * row with the sorted terms) to 0.30 ms with a binary search among the sorted terms after the
 * filter (a passage's own row took 0.23 ms, but cost 1.9 GB of mapped files at 1M), and by a
 * further ~20% with the table (``Wanted``).
 *
 * Why rows, not posting lists: in a corpus on one topic a question's common words have posting
 * lists of 100,000 entries, and finding 200 candidates in each by binary search touched a new
 * cache line at almost every probe: ~260 ns a lookup, 1.4 ms for one question's candidates at
 * 100k passages. A candidate's own row is a few hundred consecutive entries.
 *
 * indptr, first, count, terms (distinct, >= 0): int64; columns: int32; counts, out: float32; all C-contiguous (inputs
 * may be read-only, memory-mapped). Nothing is read outside the arrays: spans and indptr are checked.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The question's terms by value: an open-addressing table (linear probing, at most half full)
 * from a term to its place in ``terms``. Replacing a binary search among the sorted terms, it took
 * a needle question's counts (100k passages on one topic: 24 terms, 5 calls, 65,000 entries walked,
 * 8,800 of them the question's) from 0.44-0.52 ms to 0.36-0.42 ms (both timed in turn, one process). */
typedef struct {
    int64_t *term; /* -1: empty */
    Py_ssize_t *slot;
    int shift;     /* 64 - log2(size) */
    uint64_t mask; /* size - 1 */
} Wanted;

static inline uint64_t spread(int64_t term, int shift) { return ((uint64_t)term * 0x9E3779B97F4A7C15ULL) >> shift; }

static inline Py_ssize_t slot_of(const Wanted *wanted, int64_t term) {
    for (uint64_t h = spread(term, wanted->shift);; h = (h + 1) & wanted->mask) {
        if (wanted->term[h] == term) return wanted->slot[h];
        if (wanted->term[h] < 0) return -1;
    }
}

static void free_wanted(Wanted *wanted) {
    PyMem_Free(wanted->term);
    PyMem_Free(wanted->slot);
    wanted->term = NULL;
    wanted->slot = NULL;
}

/* The table of ``terms`` (distinct, >= 0); -1 with an exception set when they are not. */
static int make_wanted(Wanted *wanted, const int64_t *terms, Py_ssize_t n_terms) {
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n_terms) bits++;
    Py_ssize_t size = (Py_ssize_t)1 << bits;
    wanted->term = PyMem_Malloc(sizeof(int64_t) * size);
    wanted->slot = PyMem_Malloc(sizeof(Py_ssize_t) * size);
    wanted->shift = 64 - bits;
    wanted->mask = (uint64_t)size - 1;
    if (wanted->term == NULL || wanted->slot == NULL) {
        free_wanted(wanted);
        PyErr_NoMemory();
        return -1;
    }
    memset(wanted->term, 0xff, sizeof(int64_t) * size); /* every key -1: empty */
    for (Py_ssize_t j = 0; j < n_terms; j++) {
        uint64_t h = spread(terms[j], wanted->shift);
        while (wanted->term[h] >= 0 && wanted->term[h] != terms[j]) h = (h + 1) & wanted->mask;
        if (terms[j] < 0 || wanted->term[h] == terms[j]) {
            free_wanted(wanted);
            PyErr_SetString(PyExc_ValueError, "terms must be distinct and not negative");
            return -1;
        }
        wanted->term[h] = terms[j];
        wanted->slot[h] = j;
    }
    return 0;
}

static int has_type(const Py_buffer *view, Py_ssize_t itemsize, const char *codes) {
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    return view->itemsize == itemsize && *f && strchr(codes, *f) != NULL;
}

#define FILTER_BITS 4096 /* a question's terms' low bits: most entries of a row are told apart here */

static void fill_filter(uint64_t *filter, const int64_t *terms, Py_ssize_t n_terms) {
    memset(filter, 0, FILTER_BITS / 8);
    for (Py_ssize_t k = 0; k < n_terms; k++) {
        uint64_t bit = (uint64_t)terms[k] % FILTER_BITS;
        filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
}

/* out[j * stride] += the count of the j-th wanted term in the entries begin .. end - 1 of a row store. */
static inline void count_entries(const int32_t *columns, const float *counts, int64_t begin, int64_t end,
                                 const uint64_t *filter, const Wanted *wanted, float *out, Py_ssize_t stride) {
    for (int64_t p = begin; p < end; p++) {
        uint64_t bit = (uint64_t)columns[p] % FILTER_BITS;
        if (!((filter[bit / 64] >> (bit % 64)) & 1)) continue;
        Py_ssize_t j = slot_of(wanted, columns[p]);
        if (j >= 0) out[j * stride] += counts[p];
    }
}

static void add_all(const int64_t *indptr, const int32_t *columns, const float *counts, const int64_t *first,
                    const int64_t *count, Py_ssize_t n_docs, const Wanted *wanted, const int64_t *terms,
                    Py_ssize_t n_terms, float *out) {
    uint64_t filter[FILTER_BITS / 64];
    fill_filter(filter, terms, n_terms);
    for (Py_ssize_t i = 0; i < n_docs; i++)
        count_entries(columns, counts, indptr[first[i]], indptr[first[i] + count[i]], filter, wanted, out + i, n_docs);
}

static PyObject *add_counts(PyObject *self, PyObject *args) {
    PyObject *objects[7];
    Py_buffer views[7];
    int held = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOOO:add_counts", &objects[0], &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5], &objects[6]))
        return NULL;
    for (; held < 7; held++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (held == 6 ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(objects[held], &views[held], flags) < 0) goto done;
    }
    Py_buffer *indptr = &views[0], *columns = &views[1], *counts = &views[2], *first = &views[3], *count = &views[4],
              *terms = &views[5], *out = &views[6];
    if (!has_type(indptr, 8, "lq") || !has_type(columns, 4, "i") || !has_type(counts, 4, "f") ||
        !has_type(first, 8, "lq") || !has_type(count, 8, "lq") || !has_type(terms, 8, "lq") ||
        !has_type(out, 4, "f")) {
        PyErr_SetString(PyExc_TypeError,
                        "add_counts: indptr, first, count, terms int64, columns int32, counts, out float32");
        goto done;
    }
    Py_ssize_t n_indptr = indptr->len / 8, n_columns = columns->len / 4;
    Py_ssize_t n_docs = first->len / 8, n_terms = terms->len / 8;
    if (counts->len / 4 != n_columns || count->len / 8 != n_docs) {
        PyErr_SetString(PyExc_ValueError, "add_counts: columns and counts, or first and count, differ in length");
        goto done;
    }
    if (out->len / 4 != n_terms * n_docs) {
        PyErr_SetString(PyExc_ValueError, "add_counts: out must hold len(terms) * len(first) counts");
        goto done;
    }
    const int64_t *starts = indptr->buf, *firsts = first->buf, *counted = count->buf;
    for (Py_ssize_t i = 0; i < n_docs; i++) {
        if (firsts[i] < 0 || counted[i] < 0 || firsts[i] >= n_indptr || counted[i] >= n_indptr - firsts[i]) {
            PyErr_SetString(PyExc_IndexError, "add_counts: rows outside indptr");
            goto done;
        }
        for (int64_t r = firsts[i]; r < firsts[i] + counted[i]; r++) {
            if (starts[r] < 0 || starts[r] > starts[r + 1] || starts[r + 1] > n_columns) {
                PyErr_SetString(PyExc_ValueError, "add_counts: indptr does not fit columns");
                goto done;
            }
        }
    }
    const int64_t *wanted_terms = terms->buf;
    Wanted wanted = {NULL, NULL, 0, 0};
    if (make_wanted(&wanted, wanted_terms, n_terms) < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    add_all(starts, columns->buf, counts->buf, firsts, counted, n_docs, &wanted, wanted_terms, n_terms, out->buf);
    Py_END_ALLOW_THREADS
    free_wanted(&wanted);
    result = Py_NewRef(Py_None);
done:
    while (held-- > 0) PyBuffer_Release(&views[held]);
    return result;
}

/* add_scores(starts, ends, indices, data, weights, out): out[indices[k]] += data[k] * weights[j]
 * for each posting k of starts[j] .. ends[j] - 1, column after column, in float32: what scipy's
 * CSC product (the columns sliced, times the weights) computes, in the same order, so the same
 * bits (no fused multiply-add: built with -ffp-contract=off). Without slicing: at 1M passages a
 * question of common words made scipy copy their posting lists (tens of MB) before the product.
 * starts, ends: int64; indices: int32 or int64; data, weights, out: float32. Every index is
 * checked against out's length, every span against the postings'. */
#define ADD_SCORES(INDEX)                                                                          \
    for (Py_ssize_t j = 0; j < n_columns; j++) {                                                   \
        const float weight = w[j];                                                                 \
        for (int64_t k = first[j]; k < last[j]; k++) {                                              \
            INDEX row = ((const INDEX *)indices->buf)[k];                                          \
            if (row < 0 || row >= n_out) {                                                         \
                bad = 1;                                                                           \
                break;                                                                             \
            }                                                                                      \
            y[row] += x[k] * weight;                                                               \
        }                                                                                          \
        if (bad) break;                                                                            \
    }

static PyObject *add_scores(PyObject *self, PyObject *args) {
    PyObject *objects[6];
    Py_buffer views[6];
    int held = 0, bad = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOO:add_scores", &objects[0], &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5]))
        return NULL;
    for (; held < 6; held++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (held == 5 ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(objects[held], &views[held], flags) < 0) goto done;
    }
    Py_buffer *starts = &views[0], *ends = &views[1], *indices = &views[2], *data = &views[3], *weights = &views[4],
              *out = &views[5];
    int wide = has_type(indices, 8, "lq");
    if (!has_type(starts, 8, "lq") || !has_type(ends, 8, "lq") || !(wide || has_type(indices, 4, "i")) ||
        !has_type(data, 4, "f") || !has_type(weights, 4, "f") || !has_type(out, 4, "f")) {
        PyErr_SetString(PyExc_TypeError,
                        "add_scores: starts, ends int64, indices int32 or int64, data, weights, out float32");
        goto done;
    }
    Py_ssize_t n_columns = starts->len / 8, n_postings = data->len / 4, n_out = out->len / 4;
    if (ends->len / 8 != n_columns || weights->len / 4 != n_columns || indices->len / indices->itemsize != n_postings) {
        PyErr_SetString(PyExc_ValueError, "add_scores: a start, end and weight per column, an index per posting");
        goto done;
    }
    const int64_t *first = starts->buf, *last = ends->buf;
    for (Py_ssize_t j = 0; j < n_columns; j++) {
        if (first[j] < 0 || first[j] > last[j] || last[j] > n_postings) {
            PyErr_SetString(PyExc_IndexError, "add_scores: a column's postings outside the arrays");
            goto done;
        }
    }
    const float *x = data->buf, *w = weights->buf;
    float *y = out->buf;
    Py_BEGIN_ALLOW_THREADS
    if (wide) {
        ADD_SCORES(int64_t)
    } else {
        ADD_SCORES(int32_t)
    }
    Py_END_ALLOW_THREADS
    if (bad) {
        PyErr_SetString(PyExc_IndexError, "add_scores: a posting's row outside out");
        goto done;
    }
    result = Py_NewRef(Py_None);
done:
    while (held-- > 0) PyBuffer_Release(&views[held]);
    return result;
}

/* top_pruned(starts, ends, indices, columns, weights, column_max, first_limit, candidate_cost, call_cost,
 *            rows, norms, k1, out_rows, out_scores) -> found, or -1: score every document instead.
 *
 * BM25Index.top's MaxScore loop (see retrieval/bm25.py) in one call. The question's columns (query
 * order) have postings starts[j] .. ends[j] - 1 of ``indices`` (their documents) and weights
 * weights[j] (idf times the query weight, all > 0); a term adds at most weights[j] *
 * column_max[columns[j]]. Terms are taken by that bound, highest first (then the shortest list); the
 * documents of the terms taken are scored in full from their rows, and once the n-th best of them
 * beats what the terms not taken can add, no other document can enter the best n. The same
 * decisions as the numpy loop it replaces, which spent ~70 numpy calls a question (0.3 ms of a
 * needle question at 100k passages on one topic, most of it call overhead).
 *
 * A document's score is each column's impact tf * (k1 + 1) / (tf + norm) times its weight, added
 * column after column in float32 (``impacts``, then a sum along the columns): the bits of scoring
 * every document (add_scores). Its counts come from its rows: ``rows`` is (indptr, terms, tf, first,
 * count, heads_indptr, heads_terms, heads_tf, head) where document d is the rows first[d] ..
 * first[d] + count[d] - 1 plus row head[d] of the heads; the last six None: document d is row d.
 * The best min(n, found) documents go to out_rows / out_scores (len n), best first, the lower row
 * first among equal scores, scores above 0 only. Every index read is checked. */
typedef struct {
    const int64_t *indptr;
    const int32_t *terms;
    const float *tf;
    Py_ssize_t n_rows, n_entries;
} RowStore;

typedef struct {
    int64_t row;
    float score;
} Scored;

static int by_score(const void *a, const void *b) {
    const Scored *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

typedef struct {
    Py_ssize_t j;
    double bound;
    int64_t length;
} Ranked;

static int by_bound(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    if (x->bound != y->bound) return x->bound > y->bound ? -1 : 1;
    if (x->length != y->length) return x->length < y->length ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* A min-heap of the n best scores so far: its top is the n-th best. */
static void heap_offer(float *heap, Py_ssize_t *size, Py_ssize_t n, float score) {
    Py_ssize_t i;
    if (*size < n) {
        i = (*size)++;
        while (i > 0 && heap[(i - 1) / 2] > score) {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        heap[i] = score;
        return;
    }
    if (score <= heap[0]) return;
    i = 0;
    for (;;) {
        Py_ssize_t child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && heap[child + 1] < heap[child]) child++;
        if (heap[child] >= score) break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = score;
}

/* Add the counts of a stretch of entries; 0, or -1 when the stretch is not inside the store. */
static int count_stretch(const RowStore *store, int64_t first_row, int64_t rows, const uint64_t *filter,
                         const Wanted *wanted, float *tf) {
    if (first_row < 0 || rows < 0 || first_row > store->n_rows - rows) return -1;
    int64_t begin = store->indptr[first_row], end = store->indptr[first_row + rows];
    if (begin < 0 || begin > end || end > store->n_entries) return -1;
    count_entries(store->terms, store->tf, begin, end, filter, wanted, tf, 1);
    return 0;
}

#define TOP_BAD_ROW 1
#define TOP_NO_MEMORY 2

typedef struct {
    const int64_t *starts, *ends;
    const void *indices;
    int wide;
    const float *weights;
    Py_ssize_t n_columns;
    const int64_t *first, *count, *head; /* NULL: a document is its own row, without a head */
    RowStore parts, heads;
    const float *norms;
    Py_ssize_t size;
    float k1_plus_1;
} Pruning;

static float score_of(const Pruning *q, int64_t d, const uint64_t *filter, const Wanted *wanted, float *tf, int *bad) {
    memset(tf, 0, sizeof(float) * q->n_columns);
    int failed = q->first ? count_stretch(&q->parts, q->first[d], q->count[d], filter, wanted, tf)
                          : count_stretch(&q->parts, d, 1, filter, wanted, tf);
    if (!failed && q->head) failed = count_stretch(&q->heads, q->head[d], 1, filter, wanted, tf);
    if (failed) *bad = TOP_BAD_ROW;
    float score = 0.0f, norm = q->norms[d];
    for (Py_ssize_t j = 0; j < q->n_columns; j++) {
        float t = tf[j];
        float impact = t / (norm + t);
        impact = impact * q->k1_plus_1;
        score = score + impact * q->weights[j];
    }
    return score;
}

/* Ask for the memory of the documents scored next while this one is: candidates are spread over the
 * whole index, so each one's rows are cache misses in a chain (its span, then its rows' offsets, then
 * its entries); started a few documents ahead, they overlap. A hint only: nothing is read here but
 * values already checked or fetched from within the arrays. */
#define AHEAD 4
static inline void prefetch_rows(const Pruning *q, const Scored *candidates, Py_ssize_t i, Py_ssize_t n) {
    if (i + 3 * AHEAD < n) { /* its span and its head */
        int64_t d = candidates[i + 3 * AHEAD].row;
        __builtin_prefetch(&q->norms[d]);
        if (q->first) {
            __builtin_prefetch(&q->first[d]);
            __builtin_prefetch(&q->count[d]);
            __builtin_prefetch(&q->head[d]);
        }
    }
    if (i + 2 * AHEAD < n) { /* its rows' offsets */
        int64_t d = candidates[i + 2 * AHEAD].row;
        int64_t row = q->first ? q->first[d] : d;
        if (row >= 0 && row < q->parts.n_rows) __builtin_prefetch(&q->parts.indptr[row]);
        if (q->head && q->head[d] >= 0 && q->head[d] < q->heads.n_rows) __builtin_prefetch(&q->heads.indptr[q->head[d]]);
    }
    if (i + AHEAD < n) { /* its entries' first lines; the hardware follows the stream */
        int64_t d = candidates[i + AHEAD].row;
        int64_t row = q->first ? q->first[d] : d;
        if (row >= 0 && row < q->parts.n_rows) {
            int64_t begin = q->parts.indptr[row];
            for (int line = 0; line < 4 && begin >= 0 && begin + 16 * line < q->parts.n_entries; line++) {
                __builtin_prefetch(&q->parts.terms[begin + 16 * line]);
                __builtin_prefetch(&q->parts.tf[begin + 16 * line]);
            }
        }
        if (q->head && q->head[d] >= 0 && q->head[d] < q->heads.n_rows) {
            int64_t begin = q->heads.indptr[q->head[d]];
            if (begin >= 0 && begin < q->heads.n_entries) {
                __builtin_prefetch(&q->heads.terms[begin]);
                __builtin_prefetch(&q->heads.tf[begin]);
            }
        }
    }
}

static Py_ssize_t prune(const Pruning *q, const Wanted *wanted, const uint64_t *filter, double first_limit,
                        double candidate_cost, double call_cost, const double *column_bound, Py_ssize_t n,
                        int64_t *out_rows, float *out_scores, int *error) {
    Py_ssize_t J = q->n_columns, found = -1, n_candidates = 0, capacity = 256, heap_size = 0;
    int64_t budget = 0, shortest = INT64_MAX;
    for (Py_ssize_t j = 0; j < J; j++) {
        int64_t length = q->ends[j] - q->starts[j];
        budget += length;
        if (length < shortest) shortest = length;
    }
    if ((double)shortest * candidate_cost + call_cost > (double)budget) return -1; /* most questions of a varied corpus */
    Ranked *order = malloc(sizeof(Ranked) * J);
    double *after = malloc(sizeof(double) * J);
    float *tf = malloc(sizeof(float) * J), *heap = malloc(sizeof(float) * n);
    uint8_t *seen = calloc((size_t)q->size / 8 + 1, 1);
    Scored *candidates = malloc(sizeof(Scored) * capacity);
    if (!order || !after || !tf || !heap || !seen || !candidates) {
        *error = TOP_NO_MEMORY;
        goto done;
    }
    for (Py_ssize_t j = 0; j < J; j++) order[j] = (Ranked){j, column_bound[j], q->ends[j] - q->starts[j]};
    qsort(order, J, sizeof(Ranked), by_bound);
    double rest = 0.0; /* the bounds of the terms after each, summed from the last */
    for (Py_ssize_t i = J - 1; i >= 0; i--) {
        after[i] = rest;
        rest = rest + order[i].bound;
    }
    /* First the terms whose lists fit in first_limit documents together (one at least). */
    Py_ssize_t taken = 0, from = 0;
    for (int64_t sum = 0; taken < J && (double)(sum += order[taken].length) <= first_limit;) taken++;
    if (taken == 0) taken = 1;
    for (Py_ssize_t round = 1;; round++) { /* one more term a round: at most one round per query term */
        int64_t batch = 0;
        for (Py_ssize_t i = from; i < taken; i++) batch += order[i].length;
        if ((double)(n_candidates + batch) * candidate_cost + (double)round * call_cost > (double)budget)
            goto done; /* cheaper to score every document, or no longer worth it: found stays -1 */
        Py_ssize_t fresh = n_candidates; /* the round's new documents, gathered first, then scored */
        for (Py_ssize_t i = from; i < taken; i++) {
            Py_ssize_t j = order[i].j;
            for (int64_t k = q->starts[j]; k < q->ends[j]; k++) {
                int64_t d = q->wide ? ((const int64_t *)q->indices)[k] : ((const int32_t *)q->indices)[k];
                if (d < 0 || d >= q->size) {
                    *error = TOP_BAD_ROW;
                    goto done;
                }
                if (seen[d / 8] >> (d % 8) & 1) continue;
                seen[d / 8] |= (uint8_t)(1 << (d % 8));
                if (n_candidates == capacity) {
                    Scored *grown = realloc(candidates, sizeof(Scored) * (capacity *= 2));
                    if (!grown) {
                        *error = TOP_NO_MEMORY;
                        goto done;
                    }
                    candidates = grown;
                }
                candidates[n_candidates++].row = d;
            }
        }
        for (Py_ssize_t i = fresh; i < n_candidates; i++) {
            prefetch_rows(q, candidates, i, n_candidates);
            float score = score_of(q, candidates[i].row, filter, wanted, tf, error);
            if (*error) goto done;
            candidates[i].score = score;
            heap_offer(heap, &heap_size, n, score);
        }
        /* Float32 sums of up to a few dozen terms round by far less than this margin. */
        if (taken == J || (heap_size == n && after[taken - 1] * (1 + 1e-4) < (double)heap[0])) break;
        from = taken++;
    }
    qsort(candidates, n_candidates, sizeof(Scored), by_score);
    found = 0;
    for (Py_ssize_t i = 0; i < n_candidates && found < n && candidates[i].score > 0; i++, found++) {
        out_rows[found] = candidates[i].row;
        out_scores[found] = candidates[i].score;
    }
done:
    free(order);
    free(after);
    free(tf);
    free(heap);
    free(seen);
    free(candidates);
    return *error ? -1 : found;
}

/* A row store's three arrays from ``objects`` (indptr int64, terms int32, tf float32); 0 or -1. */
static int row_store(RowStore *store, Py_buffer *views) {
    if (!has_type(&views[0], 8, "lq") || !has_type(&views[1], 4, "i") || !has_type(&views[2], 4, "f") ||
        views[1].len / 4 != views[2].len / 4 || views[0].len < 8) {
        PyErr_SetString(PyExc_TypeError, "top_pruned: rows: indptr int64, terms int32, tf float32 of one length");
        return -1;
    }
    *store = (RowStore){views[0].buf, views[1].buf, views[2].buf, views[0].len / 8 - 1, views[1].len / 4};
    return 0;
}

static PyObject *top_pruned(PyObject *self, PyObject *args) {
    enum { STARTS, ENDS, INDICES, COLUMNS, WEIGHTS, COLUMN_MAX, NORMS, OUT_ROWS, OUT_SCORES, PARTS, HEADS = PARTS + 5,
           VIEWS = PARTS + 9 };
    PyObject *objects[VIEWS] = {NULL}, *rows;
    Py_buffer views[VIEWS];
    int got[VIEWS] = {0};
    double first_limit, candidate_cost, call_cost, k1;
    PyObject *result = NULL;
    Wanted wanted = {NULL, NULL, 0, 0};
    double *column_bound = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOOdddO!OdOO:top_pruned", &objects[STARTS], &objects[ENDS], &objects[INDICES],
                          &objects[COLUMNS], &objects[WEIGHTS], &objects[COLUMN_MAX], &first_limit, &candidate_cost,
                          &call_cost, &PyTuple_Type, &rows, &objects[NORMS], &k1, &objects[OUT_ROWS],
                          &objects[OUT_SCORES]))
        return NULL;
    if (PyTuple_GET_SIZE(rows) != 9) {
        PyErr_SetString(PyExc_ValueError, "top_pruned: rows is (indptr, terms, tf, first, count, heads' three, head)");
        return NULL;
    }
    for (int i = 0; i < 9; i++) objects[PARTS + i] = PyTuple_GET_ITEM(rows, i);
    int spanned = objects[PARTS + 3] != Py_None;
    for (int i = 0; i < VIEWS; i++) {
        if (i >= PARTS + 3 && !spanned) {
            if (objects[i] != Py_None) {
                PyErr_SetString(PyExc_ValueError, "top_pruned: rows' last six are all None or all arrays");
                goto done;
            }
            continue;
        }
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (i == OUT_ROWS || i == OUT_SCORES ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(objects[i], &views[i], flags) < 0) goto done;
        got[i] = 1;
    }
    int wide = has_type(&views[INDICES], 8, "lq");
    if (!has_type(&views[STARTS], 8, "lq") || !has_type(&views[ENDS], 8, "lq") ||
        !(wide || has_type(&views[INDICES], 4, "i")) || !has_type(&views[COLUMNS], 8, "lq") ||
        !has_type(&views[WEIGHTS], 4, "f") || !has_type(&views[COLUMN_MAX], 4, "f") ||
        !has_type(&views[NORMS], 4, "f") || !has_type(&views[OUT_ROWS], 8, "lq") ||
        !has_type(&views[OUT_SCORES], 4, "f")) {
        PyErr_SetString(PyExc_TypeError,
                        "top_pruned: starts, ends, columns, out_rows int64, indices int32 or int64, weights, "
                        "column_max, norms, out_scores float32");
        goto done;
    }
    Pruning q = {.starts = views[STARTS].buf, .ends = views[ENDS].buf, .indices = views[INDICES].buf, .wide = wide,
                 .weights = views[WEIGHTS].buf, .n_columns = views[COLUMNS].len / 8};
    Py_ssize_t n_postings = views[INDICES].len / views[INDICES].itemsize, n = views[OUT_ROWS].len / 8;
    Py_ssize_t n_max = views[COLUMN_MAX].len / 4;
    q.size = views[NORMS].len / 4;
    q.norms = views[NORMS].buf;
    q.k1_plus_1 = (float)(k1 + 1);
    if (views[STARTS].len / 8 != q.n_columns || views[ENDS].len / 8 != q.n_columns ||
        views[WEIGHTS].len / 4 != q.n_columns || views[OUT_SCORES].len / 4 != n || q.n_columns == 0 || n == 0) {
        PyErr_SetString(PyExc_ValueError, "top_pruned: a start, end and weight per column (some), n out places (some)");
        goto done;
    }
    if (row_store(&q.parts, &views[PARTS]) < 0) goto done;
    if (spanned) {
        if (row_store(&q.heads, &views[HEADS]) < 0) goto done;
        for (int i = 3; i < 6; i++) {
            int at = i == 5 ? PARTS + 8 : PARTS + i;
            if (!has_type(&views[at], 8, "lq") || views[at].len / 8 != q.size) {
                PyErr_SetString(PyExc_TypeError, "top_pruned: rows' first, count, head: int64, one per document");
                goto done;
            }
        }
        q.first = views[PARTS + 3].buf;
        q.count = views[PARTS + 4].buf;
        q.head = views[PARTS + 8].buf;
    }
    const int64_t *columns = views[COLUMNS].buf;
    const float *column_max = views[COLUMN_MAX].buf;
    column_bound = PyMem_Malloc(sizeof(double) * q.n_columns);
    if (!column_bound) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < q.n_columns; j++) {
        if (q.starts[j] < 0 || q.starts[j] > q.ends[j] || q.ends[j] > n_postings || columns[j] < 0 ||
            columns[j] >= n_max || !(q.weights[j] > 0)) {
            PyErr_SetString(PyExc_ValueError,
                            "top_pruned: a column's postings outside the arrays, its bound unknown, or its weight not > 0");
            goto done;
        }
        column_bound[j] = (double)q.weights[j] * (double)column_max[columns[j]];
    }
    if (make_wanted(&wanted, columns, q.n_columns) < 0) goto done;
    uint64_t filter[FILTER_BITS / 64];
    fill_filter(filter, columns, q.n_columns);
    int error = 0;
    Py_ssize_t found;
    Py_BEGIN_ALLOW_THREADS
    found = prune(&q, &wanted, filter, first_limit, candidate_cost, call_cost, column_bound, n, views[OUT_ROWS].buf,
                  views[OUT_SCORES].buf, &error);
    Py_END_ALLOW_THREADS
    if (error == TOP_NO_MEMORY) {
        PyErr_NoMemory();
        goto done;
    }
    if (error == TOP_BAD_ROW) {
        PyErr_SetString(PyExc_IndexError, "top_pruned: a posting or a document's rows outside the arrays");
        goto done;
    }
    result = PyLong_FromSsize_t(found);
done:
    free_wanted(&wanted);
    PyMem_Free(column_bound);
    for (int i = 0; i < VIEWS; i++)
        if (got[i]) PyBuffer_Release(&views[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"add_counts", add_counts, METH_VARARGS,
     "add_counts(indptr, columns, counts, first, count, terms, out): out[j, i] += the count of terms[j] in rows "
     "first[i] .. first[i] + count[i] - 1."},
    {"add_scores", add_scores, METH_VARARGS,
     "add_scores(starts, ends, indices, data, weights, out): out[indices[k]] += data[k] * weights[j] for the "
     "postings k of each column j."},
    {"top_pruned", top_pruned, METH_VARARGS,
     "top_pruned(starts, ends, indices, columns, weights, column_max, first_limit, candidate_cost, call_cost, rows, "
     "norms, k1, out_rows, out_scores): the best documents by MaxScore pruning, or -1 (score every document)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_forward", NULL, -1, methods};

PyMODINIT_FUNC PyInit__forward(void) { return PyModule_Create(&module); }
