/* A question's terms' counts in a few documents' rows: the one loop of a question that numpy
 * cannot do in a few calls (see retrieval/bm25.py, RowTerms.add_counts).
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

static int has_type(const Py_buffer *view, Py_ssize_t itemsize, const char *codes) {
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    return view->itemsize == itemsize && *f && strchr(codes, *f) != NULL;
}

#define FILTER_BITS 4096 /* a question's terms' low bits: most entries of a row are told apart here */

static void add_all(const int64_t *indptr, const int32_t *columns, const float *counts, const int64_t *first,
                    const int64_t *count, Py_ssize_t n_docs, const Wanted *wanted, const int64_t *terms,
                    Py_ssize_t n_terms, float *out) {
    uint64_t filter[FILTER_BITS / 64] = {0};
    for (Py_ssize_t k = 0; k < n_terms; k++) {
        uint64_t bit = (uint64_t)terms[k] % FILTER_BITS;
        filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
    for (Py_ssize_t i = 0; i < n_docs; i++) {
        int64_t end = indptr[first[i] + count[i]];
        for (int64_t p = indptr[first[i]]; p < end; p++) {
            uint64_t bit = (uint64_t)columns[p] % FILTER_BITS;
            if (!((filter[bit / 64] >> (bit % 64)) & 1)) continue;
            Py_ssize_t j = slot_of(wanted, columns[p]);
            if (j >= 0) out[j * n_docs + i] += counts[p];
        }
    }
}

static PyObject *add_counts(PyObject *self, PyObject *args) {
    PyObject *objects[7];
    Py_buffer views[7];
    int held = 0;
    PyObject *result = NULL;
    int64_t *table_term = NULL;
    Py_ssize_t *table_slot = NULL;
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
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n_terms) bits++;
    Py_ssize_t size = (Py_ssize_t)1 << bits;
    Wanted wanted = {PyMem_Malloc(sizeof(int64_t) * size), PyMem_Malloc(sizeof(Py_ssize_t) * size), 64 - bits,
                     (uint64_t)size - 1};
    table_term = wanted.term;
    table_slot = wanted.slot;
    if (wanted.term == NULL || wanted.slot == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memset(wanted.term, 0xff, sizeof(int64_t) * size); /* every key -1: empty */
    for (Py_ssize_t j = 0; j < n_terms; j++) {
        uint64_t h = spread(wanted_terms[j], wanted.shift);
        while (wanted.term[h] >= 0 && wanted.term[h] != wanted_terms[j]) h = (h + 1) & wanted.mask;
        if (wanted_terms[j] < 0 || wanted.term[h] == wanted_terms[j]) {
            PyErr_SetString(PyExc_ValueError, "add_counts: terms must be distinct and not negative");
            goto done;
        }
        wanted.term[h] = wanted_terms[j];
        wanted.slot[h] = j;
    }
    Py_BEGIN_ALLOW_THREADS
    add_all(starts, columns->buf, counts->buf, firsts, counted, n_docs, &wanted, wanted_terms, n_terms, out->buf);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(table_term);
    PyMem_Free(table_slot);
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

static PyMethodDef methods[] = {
    {"add_counts", add_counts, METH_VARARGS,
     "add_counts(indptr, columns, counts, first, count, terms, out): out[j, i] += the count of terms[j] in rows "
     "first[i] .. first[i] + count[i] - 1."},
    {"add_scores", add_scores, METH_VARARGS,
     "add_scores(starts, ends, indices, data, weights, out): out[indices[k]] += data[k] * weights[j] for the "
     "postings k of each column j."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_forward", NULL, -1, methods};

PyMODINIT_FUNC PyInit__forward(void) { return PyModule_Create(&module); }
