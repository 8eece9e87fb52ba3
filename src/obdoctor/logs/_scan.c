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
 * Build is optional (setup.py): without a compiler obdoctor uses hyperscan or bytes.find.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define OBD_X86 1
#endif

#define MAX_LITERALS 16
#define SAMPLE_BYTES (1 << 20)

typedef struct {
    PyObject_HEAD
    int count;
    int chosen; /* byte pairs picked (from the first data seen) */
    Py_ssize_t max_off;
    Py_ssize_t len[MAX_LITERALS];
    Py_ssize_t off1[MAX_LITERALS], off2[MAX_LITERALS];
    unsigned char b1[MAX_LITERALS], b2[MAX_LITERALS];
    unsigned char *lit[MAX_LITERALS];
} Scanner;

typedef struct {
    Py_ssize_t *starts;  /* line (or record) start of each hit */
    Py_ssize_t *stops;   /* record mode: where its bytes end */
    Py_ssize_t *before;  /* newlines between the region start and that start */
    Py_ssize_t size, cap;
    int failed;
    /* record mode: expand each hit to its whole record, the way obdoctor.logs.search does */
    Py_ssize_t max_record; /* 0: line mode */
    Py_ssize_t taken_until;
} Hits;

static void hits_push(Hits *h, Py_ssize_t start, Py_ssize_t stop, Py_ssize_t before)
{
    if (h->failed)
        return;
    if (h->size == h->cap) {
        Py_ssize_t cap = h->cap ? h->cap * 2 : 256;
        Py_ssize_t **arrays[3] = {&h->starts, &h->stops, &h->before};
        for (int a = 0; a < 3; a++) {
            Py_ssize_t *grown = PyMem_RawRealloc(*arrays[a], (size_t)cap * sizeof(Py_ssize_t));
            if (!grown) { h->failed = 1; return; }
            *arrays[a] = grown;
        }
        h->cap = cap;
    }
    h->starts[h->size] = start;
    h->stops[h->size] = stop;
    h->before[h->size] = before;
    h->size++;
}

static inline int digits4(const unsigned char *p)
{
    return (unsigned)(p[0] - '0') < 10 && (unsigned)(p[1] - '0') < 10 && (unsigned)(p[2] - '0') < 10
           && (unsigned)(p[3] - '0') < 10;
}

/* ``[2024-...`` (main logs, trace.log) or ``2024-...|`` (alert.log) at ``pos`` starts a
 * record; reads nothing at or past ``end`` (logs.reader.is_header, same rule). */
static int is_header(const unsigned char *p, Py_ssize_t pos, Py_ssize_t end)
{
    Py_ssize_t limit = pos + 40 < end ? pos + 40 : end, n = limit - pos;
    if (n >= 6 && p[pos] == '[')
        return digits4(p + pos + 1) && p[pos + 5] == '-';
    if (n >= 5 && digits4(p + pos) && p[pos + 4] == '-') {
        for (Py_ssize_t j = pos + 5; j < limit && p[j] != '\n'; j++)
            if (p[j] == '|')
                return 1;
    }
    return 0;
}

static Py_ssize_t count_scalar(const unsigned char *p, Py_ssize_t i, Py_ssize_t end)
{
    Py_ssize_t total = 0;
    for (; i < end; i++)
        total += p[i] == '\n';
    return total;
}

/* Pick, for each literal, the two positions whose bytes are rarest in ``sample``. */
static void choose_pairs(Scanner *s, const unsigned char *sample, Py_ssize_t n)
{
    uint32_t freq[256] = {0};
    for (Py_ssize_t i = 0; i < n; i++)
        freq[sample[i]]++;
    s->max_off = 0;
    for (int k = 0; k < s->count; k++) {
        const unsigned char *l = s->lit[k];
        Py_ssize_t len = s->len[k], a = 0, b = 0;
        for (Py_ssize_t i = 1; i < len; i++)
            if (freq[l[i]] < freq[l[a]])
                a = i;
        /* second: rarest at another position, a different byte value when there is one */
        int found = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            if (i == a)
                continue;
            int better;
            if (!found)
                better = 1;
            else if ((l[i] != l[a]) != (l[b] != l[a]))
                better = l[i] != l[a];
            else
                better = freq[l[i]] < freq[l[b]];
            if (better) { b = i; found = 1; }
        }
        if (!found)
            b = a; /* a one-byte literal */
        if (b < a) { Py_ssize_t t = a; a = b; b = t; }
        s->off1[k] = a; s->off2[k] = b;
        s->b1[k] = l[a]; s->b2[k] = l[b];
        if (b > s->max_off)
            s->max_off = b;
    }
    s->chosen = 1;
}

/* Does a literal start at ``pos``? (``p[0:end]`` readable) */
static inline int match_at(const Scanner *s, const unsigned char *p, Py_ssize_t pos, Py_ssize_t end)
{
    for (int k = 0; k < s->count; k++) {
        Py_ssize_t len = s->len[k];
        if (pos + len <= end && p[pos + s->off1[k]] == s->b1[k] && p[pos + s->off2[k]] == s->b2[k]
            && memcmp(p + pos, s->lit[k], (size_t)len) == 0)
            return 1;
    }
    return 0;
}

/* The record holding the line ``line`` (search.py's ``_raw_hits``, same rule): back over
 * continuation lines to their header -- no further than ``max_record``, the region start or the
 * previous record -- and on over the continuation lines that follow. */
static Py_ssize_t report_record(Hits *h, const unsigned char *p, Py_ssize_t start, Py_ssize_t end,
                                Py_ssize_t line, Py_ssize_t newlines)
{
    Py_ssize_t rec = line, max_record = h->max_record, taken = h->taken_until;
    if (!is_header(p, line, end)) {
        Py_ssize_t floor = start, probe = line;
        if (line - max_record > floor)
            floor = line - max_record;
        if (taken > floor)
            floor = taken;
        int found = 0;
        while (probe > floor) {
            Py_ssize_t prev = -1;
            for (Py_ssize_t j = probe - 2; j >= floor; j--)
                if (p[j] == '\n') { prev = j; break; }
            probe = prev >= 0 ? prev + 1 : floor;
            if (is_header(p, probe, end)) { rec = probe; found = 1; break; }
        }
        if (!found && floor == start && start == taken)
            rec = start; /* lines before the first header form one record */
    }
    const unsigned char *nl = memchr(p + line, '\n', (size_t)(end - line));
    Py_ssize_t rec_end = nl ? (Py_ssize_t)(nl - p) : end;
    while (rec_end + 1 < end && !is_header(p, rec_end + 1, end) && rec_end - rec < max_record) {
        nl = memchr(p + rec_end + 1, '\n', (size_t)(end - rec_end - 1));
        rec_end = nl ? (Py_ssize_t)(nl - p) : end;
    }
    h->taken_until = rec_end + 1;
    Py_ssize_t stop = rec_end < rec + max_record ? rec_end : rec + max_record;
    hits_push(h, rec, stop, newlines - count_scalar(p, rec, line));
    return rec_end;
}

/* A confirmed hit at ``pos``; ``newlines`` = newlines in [start, pos). Returns the last byte
 * of what it reported (its line, or its record): later candidates up to there are the same. */
static inline Py_ssize_t report(Hits *h, const unsigned char *p, Py_ssize_t start, Py_ssize_t end,
                                Py_ssize_t pos, Py_ssize_t newlines)
{
    Py_ssize_t line = pos;
    while (line > start && p[line - 1] != '\n')
        line--;
    if (h->max_record)
        return report_record(h, p, start, end, line, newlines);
    hits_push(h, line, 0, newlines);
    const unsigned char *nl = memchr(p + pos, '\n', (size_t)(end - pos));
    return nl ? (Py_ssize_t)(nl - p) : end;
}

/* Scalar scan of [i, end): the tail of the SIMD loops, and the whole job elsewhere. */
static Py_ssize_t scan_scalar(const Scanner *s, const unsigned char *p, Py_ssize_t start, Py_ssize_t i,
                              Py_ssize_t end, Py_ssize_t newlines, Py_ssize_t line_end, Hits *h)
{
    for (; i < end; i++) {
        if (i > line_end && match_at(s, p, i, end))
            line_end = report(h, p, start, end, i, newlines);
        if (p[i] == '\n')
            newlines++;
    }
    return newlines;
}

/* NAME(s, p, start, end, h) calls NAME_n with the literal count as a constant (1-8), so each
 * copy unrolls its per-literal loop; more literals share one copy with a run-time count. */
#define OBD_DISPATCH(NAME, ATTR)                                                                        \
    ATTR static Py_ssize_t NAME(const Scanner *s, const unsigned char *p, Py_ssize_t start,          \
                                Py_ssize_t end, Hits *h)                                               \
    {                                                                                                   \
        switch (s->count) {                                                                             \
        case 1: return NAME##_n(s, p, start, end, h, 1);                                                \
        case 2: return NAME##_n(s, p, start, end, h, 2);                                                \
        case 3: return NAME##_n(s, p, start, end, h, 3);                                                \
        case 4: return NAME##_n(s, p, start, end, h, 4);                                                \
        case 5: return NAME##_n(s, p, start, end, h, 5);                                                \
        case 6: return NAME##_n(s, p, start, end, h, 6);                                                \
        case 7: return NAME##_n(s, p, start, end, h, 7);                                                \
        case 8: return NAME##_n(s, p, start, end, h, 8);                                                \
        default: return NAME##_n(s, p, start, end, h, s->count);                                        \
        }                                                                                               \
    }

#if defined(__GNUC__)
#define OBD_VEC16 1
/* A kernel in GCC/Clang vector extensions, portable: NEON on ARM (Kunpeng, Graviton, Apple),
 * SSE2 on x86 (where CPUs with AVX2 use the intrinsics kernels below). No movemask: a block's candidates are found by testing the
 * vector as 64-bit words, then its bytes; newlines are counted per byte lane (a match is 0xff,
 * subtracting it adds one), the lanes summed every 255 blocks and when a candidate needs the
 * count. Faster than per-block movemask + popcount: 3.0 vs 2.0 GB/s at 16 bytes here. */
#define OBD_VEC_KERNEL(NAME, ATTR, W)                                                                  \
    typedef unsigned char NAME##_v __attribute__((vector_size(W)));                                     \
    typedef uint64_t NAME##_u64 __attribute__((vector_size(W)));                                       \
    ATTR __attribute__((always_inline)) static inline NAME##_v NAME##_load(const unsigned char *p)      \
    {                                                                                                   \
        NAME##_v v;                                                                                     \
        memcpy(&v, p, W);                                                                               \
        return v;                                                                                       \
    }                                                                                                   \
    ATTR __attribute__((always_inline)) static inline Py_ssize_t NAME##_sum(NAME##_v lanes)             \
    {                                                                                                   \
        Py_ssize_t total = 0;                                                                           \
        for (int j = 0; j < W; j++)                                                                     \
            total += lanes[j];                                                                          \
        return total;                                                                                   \
    }                                                                                                   \
    ATTR __attribute__((always_inline)) static inline Py_ssize_t NAME##_n(                              \
        const Scanner *s, const unsigned char *p, Py_ssize_t start, Py_ssize_t end, Hits *h, const int n) \
    {                                                                                                   \
        NAME##_v v1[MAX_LITERALS], v2[MAX_LITERALS];                                                    \
        Py_ssize_t o1[MAX_LITERALS], o2[MAX_LITERALS];                                                  \
        const NAME##_v zero = {0}, nlv = zero + (unsigned char)'\n';                                    \
        for (int k = 0; k < n; k++) {                                                                   \
            v1[k] = zero + s->b1[k];                                                                    \
            v2[k] = zero + s->b2[k];                                                                    \
            o1[k] = s->off1[k];                                                                         \
            o2[k] = s->off2[k];                                                                         \
        }                                                                                               \
        Py_ssize_t flushed = 0, line_end = start - 1, i = start;                                       \
        NAME##_v lanes = zero;                                                                          \
        int blocks = 0;                                                                                 \
        const Py_ssize_t last = end - W - s->max_off;                                                   \
        for (; i <= last; i += W) {                                                                     \
            NAME##_v nl = (NAME##_v)(NAME##_load(p + i) == nlv);                                        \
            NAME##_v acc = zero;                                                                        \
            for (int k = 0; k < n; k++)                                                                 \
                acc |= (NAME##_v)(NAME##_load(p + i + o1[k]) == v1[k])                                  \
                       & (NAME##_v)(NAME##_load(p + i + o2[k]) == v2[k]);                               \
            NAME##_u64 words = (NAME##_u64)acc;                                                         \
            uint64_t any = 0;                                                                           \
            for (int w = 0; w < W / 8; w++)                                                             \
                any |= words[w];                                                                        \
            if (any) {                                                                                  \
                Py_ssize_t before = flushed + NAME##_sum(lanes); /* newlines in [start, i) */          \
                for (int j = 0; j < W; j++) {                                                           \
                    Py_ssize_t pos = i + j;                                                             \
                    if (acc[j] && pos > line_end && match_at(s, p, pos, end))                           \
                        line_end = report(h, p, start, end, pos, before + count_scalar(p, i, pos));     \
                }                                                                                       \
            }                                                                                           \
            lanes -= nl;                                                                                \
            if (++blocks == 255) {                                                                      \
                flushed += NAME##_sum(lanes);                                                           \
                lanes = zero;                                                                           \
                blocks = 0;                                                                             \
            }                                                                                           \
        }                                                                                               \
        return scan_scalar(s, p, start, i, end, flushed + NAME##_sum(lanes), line_end, h);             \
    }                                                                                                   \
    OBD_DISPATCH(NAME, ATTR)

/* The width is a parameter because 32 and 64 bytes were measured too: 3.1 and 2.3-3.0 GB/s,
 * below the AVX2 and AVX-512 intrinsics kernels (3.5 and 4.1), so only 16 is built. */
OBD_VEC_KERNEL(scan_vec16, , 16)
#endif

#ifdef OBD_X86
/* One kernel per vector width. ``n`` is a compile-time constant in each NAME_n copy (the
 * dispatcher below switches on the literal count) so the per-literal loop unrolls and the
 * broadcast bytes and offsets stay in registers (AVX-512: 3.2 -> 4.0 GB/s for five literals). */
#define OBD_KERNEL(NAME, TARGET, VEC, WIDTH, SET1, LOADU, CMPEQ, AND, OR, ZERO, MOVEMASK, MASKT)      \
    __attribute__((target(TARGET), always_inline)) static inline Py_ssize_t NAME##_n(                 \
        const Scanner *s, const unsigned char *p, Py_ssize_t start, Py_ssize_t end, Hits *h, const int n) \
    {                                                                                                   \
        VEC v1[MAX_LITERALS], v2[MAX_LITERALS];                                                         \
        Py_ssize_t o1[MAX_LITERALS], o2[MAX_LITERALS];                                                  \
        const VEC nlv = SET1('\n');                                                                     \
        for (int k = 0; k < n; k++) {                                                                   \
            v1[k] = SET1((char)s->b1[k]);                                                               \
            v2[k] = SET1((char)s->b2[k]);                                                               \
            o1[k] = s->off1[k];                                                                         \
            o2[k] = s->off2[k];                                                                         \
        }                                                                                               \
        Py_ssize_t newlines = 0, line_end = start - 1, i = start;                                      \
        const Py_ssize_t last = end - WIDTH - s->max_off;                                               \
        for (; i <= last; i += WIDTH) {                                                                 \
            MASKT nlmask = (MASKT)MOVEMASK(CMPEQ(LOADU((const VEC *)(p + i)), nlv));                    \
            VEC acc = ZERO();                                                                           \
            for (int k = 0; k < n; k++) {                                                               \
                VEC a = CMPEQ(LOADU((const VEC *)(p + i + o1[k])), v1[k]);                              \
                VEC b = CMPEQ(LOADU((const VEC *)(p + i + o2[k])), v2[k]);                              \
                acc = OR(acc, AND(a, b));                                                               \
            }                                                                                           \
            MASKT cand = (MASKT)MOVEMASK(acc);                                                          \
            while (cand) {                                                                              \
                int bit = __builtin_ctz(cand);                                                          \
                cand &= cand - 1;                                                                       \
                Py_ssize_t pos = i + bit;                                                               \
                if (pos > line_end && match_at(s, p, pos, end))                                         \
                    line_end = report(h, p, start, end, pos,                                            \
                                      newlines + __builtin_popcount(nlmask & (((MASKT)1 << bit) - 1))); \
            }                                                                                           \
            newlines += __builtin_popcount(nlmask);                                                     \
        }                                                                                               \
        return scan_scalar(s, p, start, i, end, newlines, line_end, h);                                \
    }                                                                                                   \
    OBD_DISPATCH(NAME, __attribute__((target(TARGET))))

/* AVX2's movemask is 32 bits: the mask type must be unsigned. (An SSE2 instance of this macro
 * ran at 2.0 GB/s, below the vector-extension kernel's 3.0: on x86 without AVX2, vec16 serves.) */
OBD_KERNEL(scan_avx2, "avx2,popcnt", __m256i, 32, _mm256_set1_epi8, _mm256_loadu_si256, _mm256_cmpeq_epi8,
           _mm256_and_si256, _mm256_or_si256, _mm256_setzero_si256, _mm256_movemask_epi8, uint32_t)
__attribute__((target("avx2,popcnt"))) static Py_ssize_t count_avx2(const unsigned char *p, Py_ssize_t i,
                                                                    Py_ssize_t end)
{
    const __m256i nlv = _mm256_set1_epi8('\n');
    Py_ssize_t total = 0;
    for (; i + 32 <= end; i += 32)
        total += __builtin_popcount((uint32_t)_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i)), nlv)));
    for (; i < end; i++)
        total += p[i] == '\n';
    return total;
}

/* AVX-512BW: 64 start positions per step, compares straight into mask registers. */
__attribute__((target("avx512f,avx512bw,popcnt"))) static Py_ssize_t scan_avx512(const Scanner *s,
                                                                               const unsigned char *p,
                                                                               Py_ssize_t start, Py_ssize_t end,
                                                                               Hits *h)
{
    __m512i v1[MAX_LITERALS], v2[MAX_LITERALS];
    const __m512i nlv = _mm512_set1_epi8('\n');
    const int n = s->count;
    for (int k = 0; k < n; k++) {
        v1[k] = _mm512_set1_epi8((char)s->b1[k]);
        v2[k] = _mm512_set1_epi8((char)s->b2[k]);
    }
    Py_ssize_t newlines = 0, line_end = start - 1, i = start;
    for (; i + 64 + s->max_off <= end; i += 64) {
        uint64_t nlmask = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i)), nlv);
        uint64_t cand = 0;
        for (int k = 0; k < n; k++)
            cand |= _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i + s->off1[k])), v1[k])
                    & _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i + s->off2[k])), v2[k]);
        while (cand) {
            int bit = __builtin_ctzll(cand);
            cand &= cand - 1;
            Py_ssize_t pos = i + bit;
            if (pos > line_end && match_at(s, p, pos, end))
                line_end = report(h, p, start, end, pos,
                                  newlines + __builtin_popcountll(nlmask & (((uint64_t)1 << bit) - 1)));
        }
        newlines += __builtin_popcountll(nlmask);
    }
    return scan_scalar(s, p, start, i, end, newlines, line_end, h);
}

static int cpu_has(int avx512)
{
    static int avx2 = -1, bw = -1;
    if (avx2 < 0) {
        __builtin_cpu_init();
        avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
        bw = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    }
    return avx512 ? bw : avx2;
}
#define have_avx2() cpu_has(0)
#endif

enum kernel { BEST, AVX512, AVX2, VEC16, SCALAR };
static const char *const KERNEL_NAMES[] = {"best", "avx512", "avx2", "vec16", "scalar"};

static int kernel_supported(enum kernel k)
{
    if (k == BEST || k == SCALAR)
        return 1;
#ifdef OBD_VEC16
    if (k == VEC16)
        return 1;
#endif
#ifdef OBD_X86
    return (k == AVX2 && cpu_has(0)) || (k == AVX512 && cpu_has(1));
#else
    return 0;
#endif
}

static enum kernel best_kernel(void)
{
    for (enum kernel k = AVX512; k <= SCALAR; k++)
        if (kernel_supported(k))
            return k;
    return SCALAR;
}

static const char *simd_name(void)
{
    return KERNEL_NAMES[best_kernel()];
}

/* -- Python glue ------------------------------------------------------------------------------ */

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
    for (int k = 0; k < self->count; k++)
        PyMem_Free(self->lit[k]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Scanner_init(Scanner *self, PyObject *args, PyObject *kwds)
{
    PyObject *literals;
    static char *kwlist[] = {"literals", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O", kwlist, &literals))
        return -1;
    PyObject *seq = PySequence_Fast(literals, "literals must be a sequence of bytes");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n < 1 || n > MAX_LITERALS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "between 1 and %d literals, not %zd", MAX_LITERALS, n);
        return -1;
    }
    for (int k = 0; k < self->count; k++)
        PyMem_Free(self->lit[k]);
    self->count = 0;
    self->chosen = 0;
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
        self->lit[k] = PyMem_Malloc((size_t)len);
        if (!self->lit[k]) {
            Py_DECREF(seq);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(self->lit[k], data, (size_t)len);
        self->len[k] = len;
        self->count = (int)k + 1;
    }
    Py_DECREF(seq);
    return 0;
}

static PyObject *int_list(const Py_ssize_t *values, Py_ssize_t n)
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

/* scan() and records(): one kernel run; ``max_record`` 0 reports lines, else records. */
static PyObject *run(Scanner *self, PyObject *buf, Py_ssize_t start, Py_ssize_t end, Py_ssize_t max_record,
                     const char *kernel)
{
    enum kernel which = best_kernel(); /* or the one named (tests compare them all) */
    if (kernel) {
        int found = 0;
        for (enum kernel k = AVX512; k <= SCALAR && !found; k++)
            if (strcmp(kernel, KERNEL_NAMES[k]) == 0 && kernel_supported(k)) {
                which = k;
                found = 1;
            }
        if (!found) {
            PyErr_Format(PyExc_ValueError, "no kernel %s on this CPU", kernel);
            return NULL;
        }
    }
    Py_buffer view;
    if (get_range(buf, start, end, &view) < 0)
        return NULL;
    const unsigned char *p = view.buf;
    Hits h = {0};
    h.max_record = max_record;
    h.taken_until = start;
    Py_ssize_t newlines;
    if (!self->chosen) /* with the GIL held: the scanner is shared by threads */
        choose_pairs(self, p + start, end - start < SAMPLE_BYTES ? end - start : SAMPLE_BYTES);
    Py_BEGIN_ALLOW_THREADS
    switch (which) {
#ifdef OBD_X86
    case AVX512: newlines = scan_avx512(self, p, start, end, &h); break;
    case AVX2: newlines = scan_avx2(self, p, start, end, &h); break;
#endif
#ifdef OBD_VEC16
    case VEC16: newlines = scan_vec16(self, p, start, end, &h); break;
#endif
    default: newlines = scan_scalar(self, p, start, start, end, 0, start - 1, &h);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyObject *starts = NULL, *stops = NULL, *before = NULL, *result = NULL;
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
    PyMem_RawFree(h.starts);
    PyMem_RawFree(h.stops);
    PyMem_RawFree(h.before);
    return result;
}

static PyObject *Scanner_scan(Scanner *self, PyObject *args)
{
    PyObject *buf;
    Py_ssize_t start, end;
    const char *kernel = NULL;
    if (!PyArg_ParseTuple(args, "Onn|z", &buf, &start, &end, &kernel))
        return NULL;
    return run(self, buf, start, end, 0, kernel);
}

static PyObject *Scanner_records(Scanner *self, PyObject *args)
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
    return run(self, buf, start, end, max_record, kernel);
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
#ifdef OBD_X86
    total = have_avx2() ? count_avx2(view.buf, start, end) : count_scalar(view.buf, start, end);
#else
    total = count_scalar(view.buf, start, end);
#endif
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
     "buf[start:stop] (cut at max_record bytes), with the newlines between the range start and it."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "obdoctor.logs._scan.Scanner",
    .tp_doc = "Scanner(literals): lines holding any of up to 16 fixed byte strings, with line counts.",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

static PyMethodDef module_methods[] = {
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
