/*
 * The pairing passes of the matcher's scorer, compiled: supplygraph.graph.match._pairing.
 *
 * pair(query_rows, known_rows, known_texts, typo_sims, form_min) does what
 * fast_scoring._pair_py does, step for step: the exact, symbol and typo passes, then the test
 * of whether rigour's fuzzy comparison could pair anything left (fast_scoring's module
 * docstring says why that test is sound). The fuzzy comparison itself stays in Python.
 *
 * A query row is (text, symbols, role, typo_budget, fuzzy); a known row is (text, symbols,
 * role, fuzzy). Returns (query_sims, known_sims, fuzzy_query, fuzzy_known): the similarities
 * (None: paired with nothing) and the indices of the parts left for the fuzzy pass (both
 * empty when it cannot pair anything). The Python twin is the reference; a test holds the two
 * equal on every candidate the bench's names bring.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A part's text as code points, with a small inline buffer: parts are words. */
typedef struct {
    Py_UCS4 inline_buf[64];
    Py_UCS4 *chars;
    Py_ssize_t len;
} Text;

static int text_of(PyObject *obj, Text *t)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "a part's text must be a str");
        return -1;
    }
    t->len = PyUnicode_GET_LENGTH(obj);
    if (t->len <= 64) {
        t->chars = t->inline_buf;
        if (t->len && !PyUnicode_AsUCS4(obj, t->chars, 64, 0))
            return -1;
        return 0;
    }
    t->chars = PyUnicode_AsUCS4Copy(obj);
    return t->chars == NULL ? -1 : 0;
}

static void text_free(Text *t)
{
    if (t->chars != t->inline_buf)
        PyMem_Free(t->chars);
}

/* Optimal string alignment distance (unit costs, adjacent transpositions), as rapidfuzz's
 * OSA.distance computes it. Parts are words, so the whole table is filled; only when memory
 * runs out does it answer "more than the budget". */
static Py_ssize_t osa_distance(const Text *a, const Text *b, Py_ssize_t budget)
{
    Py_ssize_t n = a->len, m = b->len;
    Py_ssize_t stack[3 * 65];
    Py_ssize_t *rows = stack;
    if (m + 1 > 65) {
        rows = PyMem_Malloc(3 * (size_t)(m + 1) * sizeof(Py_ssize_t));
        if (rows == NULL)
            return budget + 1;  /* no memory: "too far" pairs nothing, as a large distance */
    }
    Py_ssize_t *two_back = rows, *prev = rows + (m + 1), *cur = rows + 2 * (m + 1);
    for (Py_ssize_t j = 0; j <= m; j++)
        prev[j] = j;
    for (Py_ssize_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t cost = a->chars[i - 1] == b->chars[j - 1] ? 0 : 1;
            Py_ssize_t d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a->chars[i - 1] == b->chars[j - 2]
                && a->chars[i - 2] == b->chars[j - 1] && two_back[j - 2] + 1 < d)
                d = two_back[j - 2] + 1;
            cur[j] = d;
        }
        Py_ssize_t *spare = two_back;
        two_back = prev;
        prev = cur;
        cur = spare;
    }
    Py_ssize_t result = prev[m];
    if (rows != stack)
        PyMem_Free(rows);
    return result;
}

/* Letters (distinct code points) of some texts: parts are few and short, a list will do. */
typedef struct {
    Py_UCS4 *items;
    Py_ssize_t len, cap;
} Letters;

static int letters_add(Letters *s, const Text *t)
{
    for (Py_ssize_t i = 0; i < t->len; i++) {
        Py_UCS4 ch = t->chars[i];
        Py_ssize_t k = 0;
        while (k < s->len && s->items[k] != ch)
            k++;
        if (k < s->len)
            continue;
        if (s->len == s->cap) {
            Py_ssize_t cap = s->cap ? 2 * s->cap : 32;
            Py_UCS4 *grown = PyMem_Realloc(s->items, (size_t)cap * sizeof(Py_UCS4));
            if (grown == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            s->items = grown;
            s->cap = cap;
        }
        s->items[s->len++] = ch;
    }
    return 0;
}

/* At least form_min of the text's letters (counted with repeats) are among ``letters``. */
static int covered(const Text *t, const Letters *letters, double form_min)
{
    Py_ssize_t inside = 0;
    for (Py_ssize_t i = 0; i < t->len; i++) {
        for (Py_ssize_t k = 0; k < letters->len; k++) {
            if (letters->items[k] == t->chars[i]) {
                inside++;
                break;
            }
        }
    }
    return (double)inside >= form_min * (double)t->len;
}

/* Whether two symbol sets share a member (both frozensets). */
static int intersects(PyObject *a, PyObject *b)
{
    if (PySet_GET_SIZE(a) > PySet_GET_SIZE(b)) {
        PyObject *swap = a;
        a = b;
        b = swap;
    }
    if (PySet_GET_SIZE(a) == 0)
        return 0;
    PyObject *it = PyObject_GetIter(a);
    if (it == NULL)
        return -1;
    PyObject *key;
    int found = 0;
    while (found == 0 && (key = PyIter_Next(it)) != NULL) {
        found = PySet_Contains(b, key);  /* 1, 0, or -1 with an error set */
        Py_DECREF(key);
    }
    Py_DECREF(it);
    if (found == 0 && PyErr_Occurred())
        return -1;
    return found;
}

typedef struct {
    PyObject *text;  /* borrowed */
    PyObject *symbols;
    int number;      /* role == "number" */
    PyObject *role;
    Py_ssize_t budget;
    int fuzzy;
    Text chars;
    int have_chars;
} Row;

static int read_row(PyObject *row, Row *out, int query)
{
    Py_ssize_t want = query ? 5 : 4;
    if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != want) {
        PyErr_Format(PyExc_TypeError, "a %s row is a tuple of %zd", query ? "query" : "known",
                     want);
        return -1;
    }
    out->text = PyTuple_GET_ITEM(row, 0);
    out->symbols = PyTuple_GET_ITEM(row, 1);
    out->role = PyTuple_GET_ITEM(row, 2);
    if (!PyUnicode_Check(out->text) || !PyAnySet_Check(out->symbols)
        || !PyUnicode_Check(out->role)) {
        PyErr_SetString(PyExc_TypeError, "a row holds (text, symbols, role, ...)");
        return -1;
    }
    out->number = PyUnicode_CompareWithASCIIString(out->role, "number") == 0;
    if (query) {
        out->budget = PyLong_AsSsize_t(PyTuple_GET_ITEM(row, 3));
        if (out->budget == -1 && PyErr_Occurred())
            return -1;
        out->fuzzy = PyObject_IsTrue(PyTuple_GET_ITEM(row, 4));
    } else {
        out->budget = 0;
        out->fuzzy = PyObject_IsTrue(PyTuple_GET_ITEM(row, 3));
    }
    out->have_chars = 0;
    return out->fuzzy < 0 ? -1 : 0;
}

static int row_chars(Row *r)
{
    if (!r->have_chars) {
        if (text_of(r->text, &r->chars) < 0)
            return -1;
        r->have_chars = 1;
    }
    return 0;
}

static int set_sim(PyObject *sims, Py_ssize_t i, PyObject *value)
{
    Py_INCREF(value);
    return PyList_SetItem(sims, i, value);  /* steals the new reference */
}

static int append_indices(PyObject *list, const Py_ssize_t *indices, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *index = PyLong_FromSsize_t(indices[i]);
        if (index == NULL)
            return -1;
        int failed = PyList_Append(list, index);
        Py_DECREF(index);
        if (failed < 0)
            return -1;
    }
    return 0;
}

/* 1 when two str are equal, 0 when not, -1 with an error set. */
static int same_text(PyObject *a, PyObject *b)
{
    int same = PyUnicode_Compare(a, b);
    if (same == -1 && PyErr_Occurred())
        return -1;
    return same == 0;
}

/* Pair query part ``qi`` with the free known part at ``k_left[hit]`` at ``sim``, and take that
 * known part off the free ones (keeping their order, as ``del k_left[j]`` does). */
static int take(PyObject *q_sim, PyObject *k_sim, Py_ssize_t qi, Py_ssize_t *k_left,
                Py_ssize_t *n_left, Py_ssize_t hit, PyObject *sim)
{
    if (set_sim(q_sim, qi, sim) < 0 || set_sim(k_sim, k_left[hit], sim) < 0)
        return -1;
    memmove(k_left + hit, k_left + hit + 1, (size_t)(*n_left - hit - 1) * sizeof(Py_ssize_t));
    (*n_left)--;
    return 0;
}

/* The place in ``k_left`` of the first free known part with the query part's text, or (with
 * ``by_symbol``) sharing one of its symbols in the same role; -1 there when none. */
static int first_free(const Row *k, const Py_ssize_t *k_left, Py_ssize_t n_left, const Row *r,
                      int by_symbol, Py_ssize_t *hit)
{
    *hit = -1;
    for (Py_ssize_t j = 0; j < n_left; j++) {
        const Row *c = &k[k_left[j]];
        int same;
        if (by_symbol) {
            same = intersects(c->symbols, r->symbols);
            if (same > 0)
                same = same_text(c->role, r->role);
        } else {
            same = same_text(c->text, r->text);
        }
        if (same < 0)
            return -1;
        if (same) {
            *hit = j;
            return 0;
        }
    }
    return 0;
}

static PyObject *pair(PyObject *self, PyObject *args)
{
    PyObject *q_seq, *k_seq, *known_texts, *typo_sims;
    double form_min;
    if (!PyArg_ParseTuple(args, "OOO!O!d", &q_seq, &k_seq, &PyFrozenSet_Type, &known_texts,
                          &PyTuple_Type, &typo_sims, &form_min))
        return NULL;
    PyObject *q_fast = PySequence_Fast(q_seq, "query rows must be a sequence");
    if (q_fast == NULL)
        return NULL;
    PyObject *k_fast = PySequence_Fast(k_seq, "known rows must be a sequence");
    if (k_fast == NULL) {
        Py_DECREF(q_fast);
        return NULL;
    }
    Py_ssize_t nq = PySequence_Fast_GET_SIZE(q_fast), nk = PySequence_Fast_GET_SIZE(k_fast);
    PyObject *result = NULL, *q_sim = NULL, *k_sim = NULL, *fuzzy_q = NULL, *fuzzy_k = NULL;
    Row *q = PyMem_Calloc((size_t)(nq + nk + 1), sizeof(Row));
    Py_ssize_t *k_left = PyMem_Malloc((size_t)(nk + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *q_left = PyMem_Malloc((size_t)(nq + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *rest = PyMem_Malloc((size_t)(nq + 1) * sizeof(Py_ssize_t));
    Letters k_letters = {NULL, 0, 0}, q_letters = {NULL, 0, 0};
    if (q == NULL || k_left == NULL || q_left == NULL || rest == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Row *k = q + nq;
    PyObject *one = PyFloat_FromDouble(1.0);
    if (one == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < nq; i++)
        if (read_row(PySequence_Fast_GET_ITEM(q_fast, i), &q[i], 1) < 0)
            goto done_one;
    for (Py_ssize_t i = 0; i < nk; i++)
        if (read_row(PySequence_Fast_GET_ITEM(k_fast, i), &k[i], 0) < 0)
            goto done_one;
    q_sim = PyList_New(nq);
    k_sim = PyList_New(nk);
    fuzzy_q = PyList_New(0);
    fuzzy_k = PyList_New(0);
    if (q_sim == NULL || k_sim == NULL || fuzzy_q == NULL || fuzzy_k == NULL)
        goto done_one;
    for (Py_ssize_t i = 0; i < nq; i++)
        if (set_sim(q_sim, i, Py_None) < 0)
            goto done_one;
    for (Py_ssize_t i = 0; i < nk; i++)
        if (set_sim(k_sim, i, Py_None) < 0)
            goto done_one;
    Py_ssize_t n_left = nk, n_q_left = 0, n_rest;
    for (Py_ssize_t i = 0; i < nk; i++)
        k_left[i] = i;

    /* Equal text: each query part takes the first free known part with its text. */
    for (Py_ssize_t qi = 0; qi < nq; qi++) {
        int maybe = PySet_Contains(known_texts, q[qi].text);
        if (maybe < 0)
            goto done_one;
        Py_ssize_t hit = -1;
        if (maybe && first_free(k, k_left, n_left, &q[qi], 0, &hit) < 0)
            goto done_one;
        if (hit < 0)
            q_left[n_q_left++] = qi;
        else if (take(q_sim, k_sim, qi, k_left, &n_left, hit, one) < 0)
            goto done_one;
    }
    if (n_q_left == 0)
        goto answer;

    /* A shared symbol, same role (numbers never pair by symbol). */
    n_rest = 0;
    for (Py_ssize_t a = 0; a < n_q_left; a++) {
        Row *r = &q[q_left[a]];
        Py_ssize_t hit = -1;
        if (PySet_GET_SIZE(r->symbols) && !r->number
            && first_free(k, k_left, n_left, r, 1, &hit) < 0)
            goto done_one;
        if (hit < 0)
            rest[n_rest++] = q_left[a];
        else if (take(q_sim, k_sim, q_left[a], k_left, &n_left, hit, one) < 0)
            goto done_one;
    }

    /* One typo (two in long words): the first of the nearest free known parts. */
    n_q_left = n_rest;
    memcpy(q_left, rest, (size_t)n_rest * sizeof(Py_ssize_t));
    n_rest = 0;
    for (Py_ssize_t a = 0; a < n_q_left; a++) {
        Py_ssize_t qi = q_left[a];
        Row *r = &q[qi];
        Py_ssize_t budget = r->budget, best_d = -1, best_j = -1;
        if (budget > 0) {
            if (row_chars(r) < 0)
                goto done_one;
            for (Py_ssize_t j = 0; j < n_left; j++) {
                Row *c = &k[k_left[j]];
                if (c->number)
                    continue;
                Py_ssize_t gap = PyUnicode_GET_LENGTH(c->text) - r->chars.len;
                if (gap > budget || -gap > budget)
                    continue;
                if (row_chars(c) < 0)
                    goto done_one;
                Py_ssize_t d = osa_distance(&r->chars, &c->chars, budget);
                if (d <= budget && (best_j < 0 || d < best_d)) {
                    best_d = d;
                    best_j = j;
                }
            }
        }
        if (best_j < 0) {
            rest[n_rest++] = qi;
            continue;
        }
        if (best_d >= PyTuple_GET_SIZE(typo_sims)) {
            PyErr_SetString(PyExc_ValueError, "typo_sims is shorter than a typo budget");
            goto done_one;
        }
        PyObject *sim = PyTuple_GET_ITEM(typo_sims, best_d);
        if (take(q_sim, k_sim, qi, k_left, &n_left, best_j, sim) < 0)
            goto done_one;
    }

    /* What rigour's fuzzy comparison may still pair, if the letters allow any pairing. */
    {
        Py_ssize_t nfq = 0, nfk = 0;
        for (Py_ssize_t a = 0; a < n_rest; a++)
            if (q[rest[a]].fuzzy)
                rest[nfq++] = rest[a];
        for (Py_ssize_t j = 0; j < n_left; j++)
            if (k[k_left[j]].fuzzy)
                k_left[nfk++] = k_left[j];
        if (nfq == 0 || nfk == 0)
            goto answer;
        for (Py_ssize_t j = 0; j < nfk; j++)
            if (row_chars(&k[k_left[j]]) < 0 || letters_add(&k_letters, &k[k_left[j]].chars) < 0)
                goto done_one;
        int any = 0;
        for (Py_ssize_t a = 0; a < nfq && !any; a++) {
            if (row_chars(&q[rest[a]]) < 0)
                goto done_one;
            any = covered(&q[rest[a]].chars, &k_letters, form_min);
        }
        if (!any)
            goto answer;
        for (Py_ssize_t a = 0; a < nfq; a++)
            if (row_chars(&q[rest[a]]) < 0 || letters_add(&q_letters, &q[rest[a]].chars) < 0)
                goto done_one;
        any = 0;
        for (Py_ssize_t j = 0; j < nfk && !any; j++)
            any = covered(&k[k_left[j]].chars, &q_letters, form_min);
        if (!any)
            goto answer;
        if (append_indices(fuzzy_q, rest, nfq) < 0 || append_indices(fuzzy_k, k_left, nfk) < 0)
            goto done_one;
    }

answer:
    result = PyTuple_Pack(4, q_sim, k_sim, fuzzy_q, fuzzy_k);
done_one:
    Py_DECREF(one);
done:
    if (q != NULL) {
        for (Py_ssize_t i = 0; i < nq + nk; i++)
            if (q[i].have_chars)
                text_free(&q[i].chars);
    }
    PyMem_Free(q);
    PyMem_Free(k_left);
    PyMem_Free(q_left);
    PyMem_Free(rest);
    PyMem_Free(k_letters.items);
    PyMem_Free(q_letters.items);
    Py_XDECREF(q_sim);
    Py_XDECREF(k_sim);
    Py_XDECREF(fuzzy_q);
    Py_XDECREF(fuzzy_k);
    Py_DECREF(q_fast);
    Py_DECREF(k_fast);
    return result;
}

static PyMethodDef methods[] = {
    {"pair", pair, METH_VARARGS,
     "pair(query_rows, known_rows, known_texts, typo_sims, form_min) -> (query_sims, "
     "known_sims, fuzzy_query, fuzzy_known)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pairing",
    "The matcher's pairing passes, compiled (see fast_scoring).", -1, methods,
};

PyMODINIT_FUNC PyInit__pairing(void)
{
    return PyModule_Create(&module);
}
