/* A question's terms' counts in a few documents' rows: the one loop of a question that numpy
 * cannot do in a few calls (see retrieval/bm25.py, RowTerms.counts_at).
 *
 * counts_at(indptr, columns, counts, rows, terms, out): a count matrix stored by row (CSR: row
 * r's terms are columns[indptr[r]:indptr[r + 1]], ascending, their counts counts[...] likewise).
 * For each of ``terms`` (any order) and each of ``rows``, out[j, i] = the count of terms[j] in
 * row rows[i], 0 when the row does not hold it. Each row is walked once against the sorted terms.
 *
 * Why rows, not posting lists: in a corpus on one topic a question's common words have posting
 * lists of 100,000 entries, and finding 200 candidates in each by binary search touched a new
 * cache line at almost every probe: ~260 ns a lookup, 1.4 ms for one question's candidates at
 * 100k passages. A candidate's own row is a few hundred consecutive entries.
 *
 * indptr, rows, terms: int64; columns: int32; counts, out: float32; all C-contiguous (inputs may
 * be read-only, memory-mapped). Nothing is read outside the arrays: rows and indptr are checked.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t term;
    Py_ssize_t slot; /* its place in ``terms`` */
} Wanted;

static int by_term(const void *a, const void *b) {
    int64_t x = ((const Wanted *)a)->term, y = ((const Wanted *)b)->term;
    return (x > y) - (x < y);
}

static int has_type(const Py_buffer *view, Py_ssize_t itemsize, const char *codes) {
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    return view->itemsize == itemsize && *f && strchr(codes, *f) != NULL;
}

static void counts_all(const int64_t *indptr, const int32_t *columns, const float *counts, const int64_t *rows,
                       Py_ssize_t n_rows, const Wanted *wanted, Py_ssize_t n_terms, float *out) {
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        int64_t p = indptr[rows[i]], end = indptr[rows[i] + 1];
        for (Py_ssize_t k = 0; k < n_terms; k++) {
            int64_t term = wanted[k].term;
            while (p < end && columns[p] < term) p++;
            out[wanted[k].slot * n_rows + i] = (p < end && columns[p] == term) ? counts[p] : 0.0f;
        }
    }
}

static PyObject *counts_at(PyObject *self, PyObject *args) {
    PyObject *objects[6];
    Py_buffer views[6];
    int held = 0;
    PyObject *result = NULL;
    Wanted *wanted = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOO:counts_at", &objects[0], &objects[1], &objects[2], &objects[3],
                          &objects[4], &objects[5]))
        return NULL;
    for (; held < 6; held++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (held == 5 ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(objects[held], &views[held], flags) < 0) goto done;
    }
    Py_buffer *indptr = &views[0], *columns = &views[1], *counts = &views[2], *rows = &views[3], *terms = &views[4],
              *out = &views[5];
    if (!has_type(indptr, 8, "lq") || !has_type(columns, 4, "i") || !has_type(counts, 4, "f") ||
        !has_type(rows, 8, "lq") || !has_type(terms, 8, "lq") || !has_type(out, 4, "f")) {
        PyErr_SetString(PyExc_TypeError, "counts_at: indptr, rows, terms int64, columns int32, counts, out float32");
        goto done;
    }
    Py_ssize_t n_indptr = indptr->len / 8, n_columns = columns->len / 4;
    Py_ssize_t n_rows = rows->len / 8, n_terms = terms->len / 8;
    if (counts->len / 4 != n_columns) {
        PyErr_SetString(PyExc_ValueError, "counts_at: columns and counts differ in length");
        goto done;
    }
    if (out->len / 4 != n_terms * n_rows) {
        PyErr_SetString(PyExc_ValueError, "counts_at: out must hold len(terms) * len(rows) counts");
        goto done;
    }
    const int64_t *starts = indptr->buf, *row = rows->buf;
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        if (row[i] < 0 || row[i] + 1 >= n_indptr) {
            PyErr_SetString(PyExc_IndexError, "counts_at: a row outside indptr");
            goto done;
        }
        if (starts[row[i]] < 0 || starts[row[i]] > starts[row[i] + 1] || starts[row[i] + 1] > n_columns) {
            PyErr_SetString(PyExc_ValueError, "counts_at: indptr does not fit columns");
            goto done;
        }
    }
    wanted = PyMem_Malloc(sizeof(Wanted) * (n_terms ? n_terms : 1));
    if (wanted == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < n_terms; j++) {
        wanted[j].term = ((const int64_t *)terms->buf)[j];
        wanted[j].slot = j;
    }
    qsort(wanted, n_terms, sizeof(Wanted), by_term);
    Py_BEGIN_ALLOW_THREADS
    counts_all(starts, columns->buf, counts->buf, row, n_rows, wanted, n_terms, out->buf);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(wanted);
    while (held-- > 0) PyBuffer_Release(&views[held]);
    return result;
}

static PyMethodDef methods[] = {
    {"counts_at", counts_at, METH_VARARGS,
     "counts_at(indptr, columns, counts, rows, terms, out): out[j, i] = the count of terms[j] in row rows[i]."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_forward", NULL, -1, methods};

PyMODINIT_FUNC PyInit__forward(void) { return PyModule_Create(&module); }
