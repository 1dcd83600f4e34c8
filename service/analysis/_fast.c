/* The analyzer's compiled core: the fast path of pipeline.py without one Python object per separator.

   It does only the mechanical part; every decision stays in Python:
   - which characters start, continue or may sit inside an Arabic word comes from a table that
     pipeline.py builds from the tokenizer's own character classes (one byte per BMP code point);
   - a word that starts with any other word character (Latin, digits, URLs, e-mail, numbers, other
     scripts) is delimited by the tokenizer's compiled regex itself (TOKEN_RE.match at that position);
   - each raw word's (exact, stem) pair comes from the pipeline's word cache, and on a miss from the
     Python filter chain (the cache's own __getitem__ runs it and stores the result).
   So the output is the output of pipeline.analyze_py / index_terms_py, character for character
   (tests/analysis compare them on real news, on edge cases and on random text).

   The Arabic word rule scanned here is the tokenizer's  [L][LE]*(?:[IGN]+[LE]+)*  : a letter, then
   letters and extenders, where a run of invisible controls is part of the word only if a letter or
   extender follows it. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { SKIP = 0, EXTENDER = 1, LETTER = 2, IGNORABLE = 3, OTHER = 4 };

static unsigned char classes[0x10000]; /* filled by configure(); SKIP until then */
static PyObject *match_at = NULL;      /* TOKEN_RE.match */
static PyObject *cache = NULL;         /* dict: raw word -> (exact, stem) */
static PyObject *lookup = NULL;        /* cache.__getitem__: runs the chain on a miss */
static PyTypeObject *token_type = NULL;

static inline int class_of(int kind, const void *data, Py_ssize_t i) {
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    return c < 0x10000 ? classes[c] : OTHER; /* beyond the BMP: no Arabic, let the regex decide */
}

static inline int in_word(int cls) { return cls == LETTER || cls == EXTENDER; }

/* The next word at or after *pos: 1 and its span, 0 at the end of the text, -1 on error. */
static int next_word(PyObject *text, int kind, const void *data, Py_ssize_t n, Py_ssize_t *pos,
                     Py_ssize_t *start, Py_ssize_t *end) {
    Py_ssize_t i = *pos;
    while (i < n) {
        int cls = class_of(kind, data, i);
        if (cls == LETTER) {
            Py_ssize_t e = i + 1;
            for (;;) {
                while (e < n && in_word(class_of(kind, data, e))) e++;
                Py_ssize_t q = e;
                while (q < n && class_of(kind, data, q) == IGNORABLE) q++;
                if (q == e || q == n || !in_word(class_of(kind, data, q))) break;
                e = q;
            }
            *start = i;
            *pos = *end = e;
            return 1;
        }
        if (cls == OTHER) {
            PyObject *at = PyLong_FromSsize_t(i);
            if (at == NULL) return -1;
            PyObject *args[2] = {text, at};
            PyObject *m = PyObject_Vectorcall(match_at, args, 2, NULL);
            Py_DECREF(at);
            if (m == NULL) return -1;
            if (m != Py_None) {
                PyObject *e_obj = PyObject_CallMethod(m, "end", NULL);
                Py_DECREF(m);
                if (e_obj == NULL) return -1;
                Py_ssize_t e = PyLong_AsSsize_t(e_obj);
                Py_DECREF(e_obj);
                if (e == -1 && PyErr_Occurred()) return -1;
                if (e > i) {
                    *start = i;
                    *pos = *end = e;
                    return 1;
                }
            } else {
                Py_DECREF(m);
            }
        }
        i++;
    }
    *pos = n;
    return 0;
}

/* (exact, stem) of text[start:end], a new reference. */
static PyObject *forms_of(PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    PyObject *raw = PyUnicode_Substring(text, start, end);
    if (raw == NULL) return NULL;
    PyObject *pair = PyDict_GetItemWithError(cache, raw);
    if (pair != NULL) {
        Py_INCREF(pair);
    } else if (!PyErr_Occurred()) {
        pair = PyObject_CallOneArg(lookup, raw);
    }
    Py_DECREF(raw);
    if (pair != NULL && !(PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2)) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_TypeError, "the word cache must map a word to an (exact, stem) pair");
        return NULL;
    }
    return pair;
}

static int check_configured(void) {
    if (cache == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_fast.configure() has not been called");
        return -1;
    }
    return 0;
}

static PyObject *index_terms(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) return Py_BuildValue("(ss)", "", "");
    if (check_configured() < 0) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), pos = 0, start, end;
    PyObject *exacts = PyList_New(0), *stems = PyList_New(0), *result = NULL;
    if (exacts == NULL || stems == NULL) goto done;
    int found;
    while ((found = next_word(text, kind, data, n, &pos, &start, &end)) == 1) {
        PyObject *pair = forms_of(text, start, end);
        if (pair == NULL) goto done;
        int failed = PyList_Append(exacts, PyTuple_GET_ITEM(pair, 0)) < 0 ||
                     PyList_Append(stems, PyTuple_GET_ITEM(pair, 1)) < 0;
        Py_DECREF(pair);
        if (failed) goto done;
    }
    if (found < 0) goto done;
    PyObject *space = PyUnicode_FromOrdinal(' ');
    if (space == NULL) goto done;
    PyObject *exact = PyUnicode_Join(space, exacts);
    PyObject *stem = exact == NULL ? NULL : PyUnicode_Join(space, stems);
    Py_DECREF(space);
    if (stem != NULL) result = PyTuple_Pack(2, exact, stem);
    Py_XDECREF(exact);
    Py_XDECREF(stem);
done:
    Py_XDECREF(exacts);
    Py_XDECREF(stems);
    return result;
}

/* A Token (a tuple subclass) from its five fields; steals nothing. */
static PyObject *make_token(PyObject *pair, Py_ssize_t start, Py_ssize_t end, Py_ssize_t position) {
    PyObject *s = PyLong_FromSsize_t(start), *e = PyLong_FromSsize_t(end), *p = PyLong_FromSsize_t(position);
    PyObject *tok = (s && e && p) ? token_type->tp_alloc(token_type, 5) : NULL;
    if (tok == NULL) {
        Py_XDECREF(s);
        Py_XDECREF(e);
        Py_XDECREF(p);
        return NULL;
    }
    PyObject *exact = PyTuple_GET_ITEM(pair, 0), *stem = PyTuple_GET_ITEM(pair, 1);
    Py_INCREF(exact);
    Py_INCREF(stem);
    PyTuple_SET_ITEM(tok, 0, exact);
    PyTuple_SET_ITEM(tok, 1, stem);
    PyTuple_SET_ITEM(tok, 2, s);
    PyTuple_SET_ITEM(tok, 3, e);
    PyTuple_SET_ITEM(tok, 4, p);
    return tok;
}

static PyObject *analyze(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) return PyList_New(0);
    if (check_configured() < 0) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), pos = 0, start, end, position = 0;
    PyObject *tokens = PyList_New(0);
    if (tokens == NULL) return NULL;
    int found;
    while ((found = next_word(text, kind, data, n, &pos, &start, &end)) == 1) {
        PyObject *pair = forms_of(text, start, end);
        PyObject *tok = pair == NULL ? NULL : make_token(pair, start, end, position++);
        Py_XDECREF(pair);
        if (tok == NULL || PyList_Append(tokens, tok) < 0) {
            Py_XDECREF(tok);
            Py_DECREF(tokens);
            return NULL;
        }
        Py_DECREF(tok);
    }
    if (found < 0) {
        Py_DECREF(tokens);
        return NULL;
    }
    return tokens;
}

static PyObject *configure(PyObject *module, PyObject *args) {
    Py_buffer table;
    PyObject *match_, *cache_, *lookup_, *token_type_;
    if (!PyArg_ParseTuple(args, "y*OO!OO!:configure", &table, &match_, &PyDict_Type, &cache_, &lookup_,
                          &PyType_Type, &token_type_))
        return NULL;
    if (table.len != (Py_ssize_t)sizeof classes ||
        !PyType_IsSubtype((PyTypeObject *)token_type_, &PyTuple_Type)) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "configure(table of 65536 classes, match, cache, lookup, tuple type)");
        return NULL;
    }
    memcpy(classes, table.buf, sizeof classes);
    PyBuffer_Release(&table);
    Py_INCREF(match_);
    Py_INCREF(cache_);
    Py_INCREF(lookup_);
    Py_INCREF(token_type_);
    Py_XSETREF(match_at, match_);
    Py_XSETREF(cache, cache_);
    Py_XSETREF(lookup, lookup_);
    Py_XSETREF(token_type, (PyTypeObject *)token_type_);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(classes, match, cache, lookup, token_type): the tokenizer's tables and the word cache"},
    {"analyze", analyze, METH_O, "analyze(text) -> list of token_type(exact, stem, start, end, position)"},
    {"index_terms", index_terms, METH_O, "index_terms(text) -> (exact forms, stems), each space-joined"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_fast",
    .m_doc = "The analyzer's compiled core.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fast(void) { return PyModule_Create(&module); }
