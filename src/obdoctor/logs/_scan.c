/* obdoctor.logs._scan: find lines holding any of a few fixed strings, counting newlines in
 * the same pass.
 *
 * Why in C: the search reads GBs, and the Python engines pay twice -- a multi-literal scan
 * (hyperscan) and then a second pass to count newlines for line numbers. Here one SIMD pass
 * does both: for each literal two of its bytes (the rarest in the data, chosen from a sample)
 * are compared at their offsets for 64 (AVX-512BW), 32 (AVX2) or 16 (portable vectors: NEON,
 * SSE2) start positions at once, the kernel picked at run time from what the CPU has; a
 * candidate is confirmed with memcmp. Newlines of the same block are counted from the same
 * load. Answers are the same as the other engines': line starts in order, one per line.
 *
 * Two literals or more (AVX2 or AVX-512BW): Teddy instead (_scan_kernels.h, OBD_TEDDY), whose
 * work per block does not grow with the literal count. Measured with bench/kernels.py on the
 * bench corpus (0.55 GB, one core, best of 7-9 at load ~10 on this shared 2-core machine), GB/s:
 *
 *   literals               1          2          3          7          16
 *   pair kernel, AVX-512   10.7-16.4  5.4-6.1    2.5-5.6    2.1-2.6    0.7
 *   Teddy, AVX-512         14.1-16.0  12.8-14.7  13.2-13.3  13.2-14.9  7.4
 *
 * One literal stays with the pair kernel: on rare literals the two are within the noise of
 * this machine, on a frequent short one (``ret=``) the pair kernel is twice as fast (5.5 vs 2.9:
 * two rare bytes anywhere in the literal beat a window of adjacent ones). The two Teddy widths
 * run at the same speed within noise (memory-bound); AVX-512 is preferred where it exists.
 * On aarch64 a NEON Teddy (``teddyneon``, 16 positions a block) serves 2+ literals likewise;
 * it is checked under qemu, not timed on ARM hardware.
 *
 * The kernels are plain C in _scan_kernels.h (tested on their own by tests/logs/scan_harness.c);
 * this file is the Python glue. Build is optional (setup.py): without a compiler obdoctor uses
 * hyperscan or bytes.find.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_scan_kernels.h"

typedef struct {
    PyObject_HEAD
    ScanSpec spec;
    RecordFilter filter; /* filter.active: records() keeps only records whose header passes it */
} Scanner;

/* -- Python glue ------------------------------------------------------------------------------ */

static const char *simd_name(void)
{
    return KERNEL_NAMES[best_kernel()];
}


static int get_range(PyObject *buf, Py_ssize_t start, Py_ssize_t end, Py_buffer *view)
{
    if (PyObject_GetBuffer(buf, view, PyBUF_SIMPLE) < 0)
        return -1;
    if (start < 0 || end < start || end > view->len) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "range [%zd, %zd) outside a buffer of %zd bytes", start, end, view->len);
        return -1;
    }
    return 0;
}

static void Scanner_dealloc(Scanner *self)
{
    for (int k = 0; k < self->spec.count; k++)
        PyMem_Free(self->spec.lit[k]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* bytes of at most ``cap`` into ``out``; returns the length, or -1 with an exception set */
static int copy_field(PyObject *value, unsigned char *out, Py_ssize_t cap, const char *what)
{
    char *data;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(value, &data, &len) < 0)
        return -1;
    if (len > cap || len == 0) {
        PyErr_Format(PyExc_ValueError, "%s must be 1 to %zd bytes", what, cap);
        return -1;
    }
    memcpy(out, data, (size_t)len);
    return (int)len;
}

/* filter=(levels, since, until, tenant, thread, module): a tuple of bytes, bytes of 26 or None,
 * the same, an int or None, bytes or None, bytes or None (obdoctor.logs.fields.RecordFilter) */
static int set_filter(RecordFilter *f, PyObject *spec)
{
    PyObject *levels, *since, *until, *tenant, *thread, *module;
    memset(f, 0, sizeof *f);
    f->tenant = -1;
    f->thread_len = f->module_len = -1;
    if (spec == NULL || spec == Py_None)
        return 0;
    if (!PyArg_ParseTuple(spec, "OOOOOO;filter is (levels, since, until, tenant, thread, module)", &levels, &since,
                          &until, &tenant, &thread, &module))
        return -1;
    PyObject *seq = PySequence_Fast(levels, "levels must be a sequence of bytes");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > FILTER_LEVELS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "at most %d levels", FILTER_LEVELS);
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        int len = copy_field(PySequence_Fast_GET_ITEM(seq, k), f->level[k], 8, "a level");
        if (len < 0) {
            Py_DECREF(seq);
            return -1;
        }
        f->level_len[k] = len;
    }
    f->nlevels = (int)n;
    Py_DECREF(seq);
    PyObject *bounds[2] = {since, until};
    unsigned char *outs[2] = {f->since, f->until};
    int *flags[2] = {&f->has_since, &f->has_until};
    for (int b = 0; b < 2; b++) {
        if (bounds[b] == Py_None)
            continue;
        if (!PyBytes_Check(bounds[b]) || PyBytes_GET_SIZE(bounds[b]) != 26) {
            PyErr_SetString(PyExc_ValueError, "since/until must be 26 bytes: YYYY-MM-DD HH:MM:SS.uuuuuu");
            return -1;
        }
        memcpy(outs[b], PyBytes_AS_STRING(bounds[b]), 26);
        *flags[b] = 1;
    }
    if (tenant != Py_None) {
        f->tenant = PyLong_AsLongLong(tenant);
        if (f->tenant == -1 && PyErr_Occurred())
            return -1;
        if (f->tenant < 0) {
            PyErr_SetString(PyExc_ValueError, "a tenant id is not negative");
            return -1;
        }
    }
    if (thread != Py_None && (f->thread_len = copy_field(thread, f->thread, FIELD_MAX, "thread")) < 0)
        return -1;
    if (module != Py_None && (f->module_len = copy_field(module, f->module, FIELD_MAX, "module")) < 0)
        return -1;
    f->active = 1;
    return 0;
}

static int Scanner_init(Scanner *self, PyObject *args, PyObject *kwds)
{
    PyObject *literals, *filter = NULL;
    static char *kwlist[] = {"literals", "filter", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O", kwlist, &literals, &filter))
        return -1;
    if (set_filter(&self->filter, filter) < 0)
        return -1;
    PyObject *seq = PySequence_Fast(literals, "literals must be a sequence of bytes");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if ((n < 1 && !self->filter.active) || n > MAX_LITERALS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "between 1 (0 with a filter) and %d literals, not %zd", MAX_LITERALS, n);
        return -1;
    }
    for (int k = 0; k < self->spec.count; k++)
        PyMem_Free(self->spec.lit[k]);
    self->spec.count = 0;
    self->spec.chosen = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        char *data;
        Py_ssize_t len;
        if (PyBytes_AsStringAndSize(item, &data, &len) < 0) {
            Py_DECREF(seq);
            return -1;
        }
        if (len == 0 || memchr(data, '\n', (size_t)len)) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "a literal is empty or holds a newline");
            return -1;
        }
        self->spec.lit[k] = PyMem_Malloc((size_t)len);
        if (!self->spec.lit[k]) {
            Py_DECREF(seq);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(self->spec.lit[k], data, (size_t)len);
        self->spec.len[k] = len;
        self->spec.count = (int)k + 1;
    }
    Py_DECREF(seq);
    return 0;
}

static PyObject *int_list(const obd_size *values, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    if (!list)
        return NULL;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *item = PyLong_FromSsize_t(values[j]);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, j, item);
    }
    return list;
}

/* One kernel run over buf[start:end) into ``h`` (the literal scan, or, without literals, the
 * walk over every record; ``max_record`` 0: lines), the GIL released. ``view`` holds the buffer
 * until the caller releases it. Returns the newlines in the range, or -1 with an exception. */
static obd_size find(Scanner *self, PyObject *buf, Py_ssize_t start, Py_ssize_t end, Py_ssize_t max_record,
                     enum kernel which, int counting, Py_buffer *view, Hits *h)
{
    if (get_range(buf, start, end, view) < 0)
        return -1;
    const unsigned char *p = view->buf;
    memset(h, 0, sizeof *h);
    h->max_record = max_record;
    h->counting = counting;
    h->filter = max_record && self->filter.active ? &self->filter : NULL;
    obd_size newlines;
    if (self->spec.count == 0) { /* fields only: every record, filtered */
        Py_BEGIN_ALLOW_THREADS
        newlines = obd_walk(p, start, end, h);
        Py_END_ALLOW_THREADS
    } else {
        obd_prepare(&self->spec, p, start, end); /* with the GIL held: the scanner is shared by threads */
        Py_BEGIN_ALLOW_THREADS
        newlines = obd_scan(&self->spec, p, start, end, which, h);
        Py_END_ALLOW_THREADS
    }
    return newlines;
}

/* The kernel called ``name``, or BEST with an exception set when this CPU has none such. */
static enum kernel kernel_named(const char *name)
{
    for (enum kernel k = AVX512; k <= SCALAR; k++)
        if (strcmp(name, KERNEL_NAMES[k]) == 0 && kernel_supported(k))
            return k;
    PyErr_Format(PyExc_ValueError, "no kernel %s on this CPU", name);
    return BEST;
}

/* scan(), records() and count(): one kernel run; ``max_record`` 0 reports lines, else records. */
static PyObject *run(Scanner *self, PyObject *buf, Py_ssize_t start, Py_ssize_t end, Py_ssize_t max_record,
                     const char *kernel, int counting)
{
    enum kernel which = BEST; /* or the one named (tests compare them all) */
    if (kernel && (which = kernel_named(kernel)) == BEST)
        return NULL;
    if (self->spec.count == 0 && !max_record) {
        PyErr_SetString(PyExc_ValueError, "a scanner without literals finds records (records()), not lines");
        return NULL;
    }
    Py_buffer view;
    Hits h;
    obd_size newlines = find(self, buf, start, end, max_record, which, counting, &view, &h);
    if (newlines < 0)
        return NULL;
    PyBuffer_Release(&view);
    PyObject *starts = NULL, *stops = NULL, *before = NULL, *result = NULL;
    if (counting) { /* count(): nothing was stored */
        hits_free(&h);
        return PyLong_FromSsize_t(h.size);
    }
    if (h.failed) {
        PyErr_NoMemory();
        goto done;
    }
    if (!(starts = int_list(h.starts, h.size)) || !(before = int_list(h.before, h.size)))
        goto done;
    if (!max_record)
        result = Py_BuildValue("(OOn)", starts, before, newlines);
    else if ((stops = int_list(h.stops, h.size)))
        result = Py_BuildValue("(OOOn)", starts, stops, before, newlines);
done:
    Py_XDECREF(starts);
    Py_XDECREF(stops);
    Py_XDECREF(before);
    hits_free(&h);
    return result;
}

static PyObject *Scanner_scan(Scanner *self, PyObject *args)
{
    PyObject *buf;
    Py_ssize_t start, end;
    const char *kernel = NULL;
    if (!PyArg_ParseTuple(args, "Onn|z", &buf, &start, &end, &kernel))
        return NULL;
    return run(self, buf, start, end, 0, kernel, 0);
}

/* records() and count(): the same arguments, the same record expansion */
static PyObject *record_call(Scanner *self, PyObject *args, int counting)
{
    PyObject *buf;
    Py_ssize_t start, end, max_record;
    const char *kernel = NULL;
    if (!PyArg_ParseTuple(args, "Onnn|z", &buf, &start, &end, &max_record, &kernel))
        return NULL;
    if (max_record < 1) {
        PyErr_SetString(PyExc_ValueError, "max_record must be positive");
        return NULL;
    }
    return run(self, buf, start, end, max_record, kernel, counting);
}

static PyObject *Scanner_records(Scanner *self, PyObject *args)
{
    return record_call(self, args, 0);
}

/* count(): how many records records() would return, without storing them or counting lines:
 * ``logs search --count`` needs only the number. */
static PyObject *Scanner_count(Scanner *self, PyObject *args)
{
    return record_call(self, args, 1);
}

/* text(): the records as printed lines in one bytes object -- ``head`` + (``base + newlines
 * before`` + ":" when numbered) + the record without its trailing CR/LF + "\n" each -- so a
 * million matching records cost one allocation, not a million Python objects. */
static PyObject *Scanner_text(Scanner *self, PyObject *args)
{
    PyObject *buf;
    Py_ssize_t start, end, max_record, base;
    const char *head;
    Py_ssize_t head_len;
    int numbered;
    if (!PyArg_ParseTuple(args, "Onnny#pn", &buf, &start, &end, &max_record, &head, &head_len, &numbered, &base))
        return NULL;
    if (max_record < 1) {
        PyErr_SetString(PyExc_ValueError, "max_record must be positive");
        return NULL;
    }
    Py_buffer view;
    Hits h;
    obd_size newlines = find(self, buf, start, end, max_record, BEST, 0, &view, &h);
    if (newlines < 0)
        return NULL;
    const unsigned char *p = view.buf;
    PyObject *text = NULL, *result = NULL;
    if (h.failed) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t total = 0;
    char digits[24];
    for (obd_size j = 0; j < h.size; j++) {
        obd_size stop = h.stops[j];
        while (stop > h.starts[j] && (p[stop - 1] == '\n' || p[stop - 1] == '\r'))
            stop--;
        h.stops[j] = stop;
        total += head_len + (stop - h.starts[j]) + 1;
        if (numbered)
            total += snprintf(digits, sizeof digits, "%zd", (Py_ssize_t)(base + h.before[j])) + 1;
    }
    text = PyBytes_FromStringAndSize(NULL, total);
    if (!text)
        goto done;
    char *out = PyBytes_AS_STRING(text);
    for (obd_size j = 0; j < h.size; j++) {
        memcpy(out, head, (size_t)head_len);
        out += head_len;
        if (numbered) {
            int n = snprintf(digits, sizeof digits, "%zd", (Py_ssize_t)(base + h.before[j]));
            memcpy(out, digits, (size_t)n);
            out += n;
            *out++ = ':';
        }
        obd_size len = h.stops[j] - h.starts[j];
        memcpy(out, p + h.starts[j], (size_t)len);
        out += len;
        *out++ = '\n';
    }
    result = Py_BuildValue("(Onnn)", text, (Py_ssize_t)h.size, (Py_ssize_t)(h.size ? base + h.before[0] : -1),
                           (Py_ssize_t)newlines);
done:
    PyBuffer_Release(&view);
    Py_XDECREF(text);
    hits_free(&h);
    return result;
}

static PyObject *count_newlines(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *buf;
    Py_ssize_t start, end, total;
    if (!PyArg_ParseTuple(args, "Onn", &buf, &start, &end))
        return NULL;
    Py_buffer view;
    if (get_range(buf, start, end, &view) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    total = obd_count_newlines(view.buf, start, end);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(total);
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_VARARGS,
     "scan(buf, start, end[, kernel]) -> (line_starts, newlines_before, newlines): the start of every line "
     "of buf[start:end] holding a literal, the newlines between start and each, and the newlines in the "
     "range. kernel ('avx512', 'avx2', 'vec16', 'scalar') forces an implementation, for tests."},
    {"records", (PyCFunction)Scanner_records, METH_VARARGS,
     "records(buf, start, end, max_record[, kernel]) -> (starts, stops, newlines_before, newlines): each "
     "record (a header line and its continuation lines) of buf[start:end] holding a literal, as "
     "buf[start:stop] (cut at max_record bytes), with the newlines between the range start and it; with a "
     "filter, only records whose header fields pass it (every such record when there are no literals)."},
    {"count", (PyCFunction)Scanner_count, METH_VARARGS,
     "count(buf, start, end, max_record[, kernel]) -> how many records records() would return (nothing stored, "
     "no lines counted)."},
    {"text", (PyCFunction)Scanner_text, METH_VARARGS,
     "text(buf, start, end, max_record, head, numbered, base) -> (bytes, records, first line number, newlines): "
     "the records records() finds, printed: head, then base + newlines before + ':' when numbered, then the "
     "record without trailing CR/LF, then a newline."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "obdoctor.logs._scan.Scanner",
    .tp_doc = "Scanner(literals, filter=None): lines holding any of up to 16 fixed byte strings, with line counts; "
              "filter=(levels, since, until, tenant, thread, module) selects records by their header fields.",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

/* For tests and benchmarks: the fingerprint length of the Teddy tables built from now on. */
static PyObject *set_teddy_m(PyObject *Py_UNUSED(module), PyObject *arg)
{
    long m = PyLong_AsLong(arg);
    if (m == -1 && PyErr_Occurred())
        return NULL;
    if (m < 0 || m > TEDDY_MAX_M) {
        PyErr_Format(PyExc_ValueError, "a Teddy fingerprint is 1 to %d bytes (0: chosen from the data)", TEDDY_MAX_M);
        return NULL;
    }
    long old = obd_teddy_m;
    obd_teddy_m = (int)m;
    return PyLong_FromLong(old);
}

static PyMethodDef module_methods[] = {
    {"_set_teddy_m", set_teddy_m, METH_O, "_set_teddy_m(m) -> the previous m: Teddy fingerprint bytes, 0 chosen from the data (tests, bench)"},
    {"count_newlines", count_newlines, METH_VARARGS, "count_newlines(buf, start, end) -> newlines in buf[start:end]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_scan", "Fused multi-literal line search and newline counting.", -1, module_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__scan(void)
{
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    /* public API only (PyModule_AddObjectRef: 3.10+), so new CPython versions keep building it */
    PyObject *kernels = PyList_New(0);
    int failed = !kernels || PyModule_AddObjectRef(m, "Scanner", (PyObject *)&ScannerType) < 0
                 || PyModule_AddIntConstant(m, "MAX_LITERALS", MAX_LITERALS) < 0
                 || PyModule_AddStringConstant(m, "SIMD", simd_name()) < 0;
    for (enum kernel k = AVX512; !failed && k <= SCALAR; k++)
        if (kernel_supported(k)) {
            PyObject *name = PyUnicode_FromString(KERNEL_NAMES[k]);
            failed = !name || PyList_Append(kernels, name) < 0;
            Py_XDECREF(name);
        }
    PyObject *names = failed ? NULL : PyList_AsTuple(kernels);
    Py_XDECREF(kernels);
    if (!names || PyModule_AddObjectRef(m, "KERNELS", names) < 0) {
        Py_XDECREF(names);
        Py_DECREF(m);
        return NULL;
    }
    Py_DECREF(names);
    return m;
}
