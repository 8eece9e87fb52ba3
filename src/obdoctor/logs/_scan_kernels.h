/* The scanning kernels of obdoctor.logs._scan, in plain C (no Python): _scan.c wraps them
 * for Python, tests/logs/scan_harness.c compares them with each other on random data natively
 * and, where a cross compiler and qemu are around, on aarch64 (the NEON build of vec16).
 * See _scan.c for what they do and why. */
#ifndef OBD_SCAN_KERNELS_H
#define OBD_SCAN_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef ptrdiff_t obd_size;

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define OBD_X86 1
#endif

#define MAX_LITERALS 16
#define SAMPLE_BYTES (1 << 20)
#define TEDDY_SAMPLE (128 << 10)
#define TEDDY_FROM 2 /* literals: from this many on, Teddy beats the pair kernels (see _scan.c) */

#define TEDDY_BUCKETS 8
#define TEDDY_MAX_M 4

/* The fingerprint tables of the Teddy kernels (see teddy_build): for each of the ``m`` data
 * bytes at q..q+m-1, two 16-entry tables (low and high nibble) whose entry is the set of buckets
 * (one bit each) holding a literal with that nibble there. A position q is a candidate for
 * bucket b when every one of the m bytes has both nibbles in b's tables; literal k of b then
 * starts at q - anchor[k] and is confirmed with memcmp. */
typedef struct {
    int m;
    unsigned char lo[TEDDY_MAX_M][16], hi[TEDDY_MAX_M][16];
    obd_size anchor[MAX_LITERALS];
    int members[TEDDY_BUCKETS]; /* how many literals each bucket holds */
    unsigned char member[TEDDY_BUCKETS][MAX_LITERALS];
} Teddy;

/* What a scan looks for: up to MAX_LITERALS literals, each with the two byte positions
 * compared first (chosen by choose_pairs from a sample of the data), and the same literals as
 * Teddy tables. */
typedef struct {
    int count;
    int chosen; /* byte pairs picked (from the first data seen) */
    obd_size max_off;
    obd_size len[MAX_LITERALS];
    obd_size off1[MAX_LITERALS], off2[MAX_LITERALS];
    unsigned char b1[MAX_LITERALS], b2[MAX_LITERALS];
    unsigned char *lit[MAX_LITERALS];
    Teddy teddy;
} ScanSpec;

typedef struct {
    obd_size *starts;  /* line (or record) start of each hit */
    obd_size *stops;   /* record mode: where its bytes end */
    obd_size *before;  /* newlines between the region start and that start */
    obd_size size, cap;
    int failed;
    /* record mode: expand each hit to its whole record, the way obdoctor.logs.search does */
    obd_size max_record; /* 0: line mode */
    obd_size taken_until;
    const struct RecordFilter *filter; /* record mode: only records whose header passes it (or NULL) */
    int counting; /* only ``size`` is wanted: nothing stored, newlines not counted (--count) */
} Hits;

static void hits_push(Hits *h, obd_size start, obd_size stop, obd_size before)
{
    if (h->failed)
        return;
    if (h->counting) {
        h->size++;
        return;
    }
    if (h->size == h->cap) {
        obd_size cap = h->cap ? h->cap * 2 : 256;
        obd_size **arrays[3] = {&h->starts, &h->stops, &h->before};
        for (int a = 0; a < 3; a++) {
            obd_size *grown = realloc(*arrays[a], (size_t)cap * sizeof(obd_size));
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
static int is_header(const unsigned char *p, obd_size pos, obd_size end)
{
    obd_size limit = pos + 40 < end ? pos + 40 : end, n = limit - pos;
    if (n >= 6 && p[pos] == '[')
        return digits4(p + pos + 1) && p[pos + 5] == '-';
    if (n >= 5 && digits4(p + pos) && p[pos + 4] == '-') {
        for (obd_size j = pos + 5; j < limit && p[j] != '\n'; j++)
            if (p[j] == '|')
                return 1;
    }
    return 0;
}

#include "_scan_fields.h"

static obd_size count_scalar(const unsigned char *p, obd_size i, obd_size end)
{
    obd_size total = 0;
    for (; i < end; i++)
        total += p[i] == '\n';
    return total;
}

/* Pick, for each literal, the two positions whose bytes are rarest in ``sample``. */
static void choose_pairs(ScanSpec *s, const unsigned char *sample, obd_size n)
{
    uint32_t freq[256] = {0};
    for (obd_size i = 0; i < n; i++)
        freq[sample[i]]++;
    s->max_off = 0;
    for (int k = 0; k < s->count; k++) {
        const unsigned char *l = s->lit[k];
        obd_size len = s->len[k], a = 0, b = 0;
        for (obd_size i = 1; i < len; i++)
            if (freq[l[i]] < freq[l[a]])
                a = i;
        /* second: rarest at another position, a different byte value when there is one */
        int found = 0;
        for (obd_size i = 0; i < len; i++) {
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
        if (b < a) { obd_size t = a; a = b; b = t; }
        s->off1[k] = a; s->off2[k] = b;
        s->b1[k] = l[a]; s->b2[k] = l[b];
        if (b > s->max_off)
            s->max_off = b;
    }
    s->chosen = 1;
}

/* How many data bytes a Teddy fingerprint compares: 1-4, or 0: chosen per literal set from the
 * sample (teddy_build). A variable so tests and benchmarks can force each length. */
static int obd_teddy_m = 0;

static inline uint32_t gram_hash(const unsigned char *l, int m)
{
    uint32_t g = 0;
    for (int j = 0; j < m; j++)
        g = g << 8 | l[j];
    return (g * 2654435761u) >> 16;
}

/* The Teddy tables for ``s``'s literals from a sample of the data. Each literal is anchored at
 * the m-byte window of it whose m-gram is rarest in the sample (a literal shorter than m: at 0,
 * the missing bytes match anything), so literals sharing a prefix (``ret=-4016``, ``ret=-4018``)
 * are told apart by where they differ, not where they agree. Up to 8 literals get a bucket each
 * (a candidate is then an exact fingerprint hit); more share buckets, neighbours in the sort
 * order of their fingerprints together, so the nibble sets of a bucket stay small. */
static void teddy_tables(ScanSpec *s, const unsigned char *sample, obd_size n, int m)
{
    Teddy *t = &s->teddy;
    memset(t, 0, sizeof *t);
    t->m = m;
    uint32_t *seen = calloc((size_t)1 << 16, sizeof *seen);
    if (seen)
        for (obd_size i = 0; i + m <= n; i++)
            seen[gram_hash(sample + i, m)]++;
    for (int k = 0; k < s->count; k++) {
        obd_size best = 0;
        if (seen)
            for (obd_size a = 1; a + m <= s->len[k]; a++)
                if (seen[gram_hash(s->lit[k] + a, m)] < seen[gram_hash(s->lit[k] + best, m)])
                    best = a;
        t->anchor[k] = best;
    }
    free(seen);
    int order[MAX_LITERALS];
    for (int k = 0; k < s->count; k++)
        order[k] = k;
    for (int a = 1; a < s->count; a++) { /* insertion sort by fingerprint bytes, short ones first */
        int k = order[a], b = a;
        while (b > 0) {
            int o = order[b - 1], cmp = 0;
            for (int j = 0; j < m && !cmp; j++) {
                int x = t->anchor[k] + j < s->len[k] ? s->lit[k][t->anchor[k] + j] : -1;
                int y = t->anchor[o] + j < s->len[o] ? s->lit[o][t->anchor[o] + j] : -1;
                cmp = (x > y) - (x < y);
            }
            if (cmp >= 0)
                break;
            order[b] = o;
            b--;
        }
        order[b] = k;
    }
    for (int r = 0; r < s->count; r++) {
        int k = order[r];
        int b = s->count <= TEDDY_BUCKETS ? r : r * TEDDY_BUCKETS / s->count;
        unsigned char bit = (unsigned char)(1u << b);
        t->member[b][t->members[b]++] = (unsigned char)k;
        for (int j = 0; j < m; j++) {
            if (t->anchor[k] + j < s->len[k]) {
                unsigned char c = s->lit[k][t->anchor[k] + j];
                t->lo[j][c & 15] |= bit;
                t->hi[j][c >> 4] |= bit;
            } else {
                for (int x = 0; x < 16; x++) {
                    t->lo[j][x] |= bit;
                    t->hi[j][x] |= bit;
                }
            }
        }
    }
}

/* Candidates the tables of ``t`` give on ``sample`` (a scalar model of the kernels' filter). */
static obd_size teddy_candidates(const Teddy *t, const unsigned char *sample, obd_size n)
{
    obd_size found = 0;
    for (obd_size q = 0; q + t->m <= n; q++) {
        unsigned r = 0xff;
        for (int j = 0; j < t->m && r; j++)
            r &= t->lo[j][sample[q + j] & 15] & t->hi[j][sample[q + j] >> 4];
        found += r != 0;
    }
    return found;
}

/* The tables for ``m`` fingerprint bytes, or (m = 0) for the length that costs least on the
 * sample: each byte more costs a load and five vector operations per block (about 0.04 ns a
 * byte of data on this machine's AVX-512), each candidate a branch and a memcmp (about 10 ns).
 * Two bytes suit a few distinctive literals; 16 error codes sharing ``ret=-40`` and drawing on
 * the digits of every number in the log need four (bench/kernels.py: 10,000 candidates per MB
 * with 2, 70 with 4). */
#define TEDDY_EVAL (64 << 10)
static void teddy_build(ScanSpec *s, const unsigned char *sample, obd_size n, int m)
{
    if (m) {
        teddy_tables(s, sample, n, m);
        return;
    }
    obd_size eval = n < TEDDY_EVAL ? n : TEDDY_EVAL, best_cost = -1;
    Teddy best;
    for (int mm = 2; mm <= TEDDY_MAX_M; mm++) { /* one byte: never better on log text */
        teddy_tables(s, sample, n, mm);
        obd_size cost = (obd_size)mm * 4 * eval + teddy_candidates(&s->teddy, sample, eval) * 1000;
        if (best_cost < 0 || cost < best_cost) {
            best_cost = cost;
            best = s->teddy;
        }
    }
    s->teddy = best;
}

/* Does literal k, anchored at q, start at q - anchor[k] inside [start, end)? */
static inline int teddy_literal_at(const ScanSpec *s, int k, const unsigned char *p, obd_size q, obd_size start,
                                   obd_size end)
{
    obd_size pos = q - s->teddy.anchor[k];
    return pos >= start && pos + s->len[k] <= end && memcmp(p + pos, s->lit[k], (size_t)s->len[k]) == 0;
}

/* A candidate q with bucket bits ``buckets``: does one of their literals match around q? */
#ifdef OBD_TEDDY_STATS
static long obd_teddy_candidates, obd_teddy_checks; /* bench/teddy_stats.c: false positives per table */
#endif
static inline int teddy_confirm(const ScanSpec *s, unsigned buckets, const unsigned char *p, obd_size q,
                                obd_size start, obd_size end)
{
#ifdef OBD_TEDDY_STATS
    obd_teddy_candidates++;
    obd_teddy_checks += __builtin_popcount(buckets);
#endif
    while (buckets) {
        int b = __builtin_ctz(buckets);
        buckets &= buckets - 1;
        for (int j = 0; j < s->teddy.members[b]; j++)
            if (teddy_literal_at(s, s->teddy.member[b][j], p, q, start, end))
                return 1;
    }
    return 0;
}

/* Does a literal start at ``pos``? (``p[0:end]`` readable) */
static inline int match_at(const ScanSpec *s, const unsigned char *p, obd_size pos, obd_size end)
{
    for (int k = 0; k < s->count; k++) {
        obd_size len = s->len[k];
        if (pos + len <= end && p[pos + s->off1[k]] == s->b1[k] && p[pos + s->off2[k]] == s->b2[k]
            && memcmp(p + pos, s->lit[k], (size_t)len) == 0)
            return 1;
    }
    return 0;
}

/* The record holding the line ``line`` (search.py's ``_raw_hits``, same rule): back over
 * continuation lines to their header -- no further than ``max_record``, the region start or the
 * previous record -- and on over the continuation lines that follow. */
static obd_size report_record(Hits *h, const unsigned char *p, obd_size start, obd_size end,
                                obd_size line, obd_size newlines)
{
    obd_size rec = line, max_record = h->max_record, taken = h->taken_until;
    if (!is_header(p, line, end)) {
        obd_size floor = start, probe = line;
        if (line - max_record > floor)
            floor = line - max_record;
        if (taken > floor)
            floor = taken;
        int found = 0;
        while (probe > floor) {
            obd_size prev = -1;
            for (obd_size j = probe - 2; j >= floor; j--)
                if (p[j] == '\n') { prev = j; break; }
            probe = prev >= 0 ? prev + 1 : floor;
            if (is_header(p, probe, end)) { rec = probe; found = 1; break; }
        }
        if (!found && floor == start && start == taken)
            rec = start; /* lines before the first header form one record */
    }
    const unsigned char *nl = memchr(p + line, '\n', (size_t)(end - line));
    obd_size rec_end = nl ? (obd_size)(nl - p) : end;
    while (rec_end + 1 < end && !is_header(p, rec_end + 1, end) && rec_end - rec < max_record) {
        nl = memchr(p + rec_end + 1, '\n', (size_t)(end - rec_end - 1));
        rec_end = nl ? (obd_size)(nl - p) : end;
    }
    h->taken_until = rec_end + 1;
    obd_size stop = rec_end < rec + max_record ? rec_end : rec + max_record;
    if (!h->filter || filter_accepts(h->filter, p, rec, end))
        hits_push(h, rec, stop, h->counting ? 0 : newlines - count_scalar(p, rec, line));
    return rec_end;
}

/* A confirmed hit at ``pos``; ``newlines`` = newlines in [start, pos). Returns the last byte
 * of what it reported (its line, or its record): later candidates up to there are the same. */
static inline obd_size report(Hits *h, const unsigned char *p, obd_size start, obd_size end,
                                obd_size pos, obd_size newlines)
{
    obd_size line = pos;
    while (line > start && p[line - 1] != '\n')
        line--;
    if (h->max_record)
        return report_record(h, p, start, end, line, newlines);
    hits_push(h, line, 0, newlines);
    const unsigned char *nl = memchr(p + pos, '\n', (size_t)(end - pos));
    return nl ? (obd_size)(nl - p) : end;
}

/* Scalar scan of [i, end): the tail of the SIMD loops, and the whole job elsewhere. */
static obd_size scan_scalar(const ScanSpec *s, const unsigned char *p, obd_size start, obd_size i,
                              obd_size end, obd_size newlines, obd_size line_end, Hits *h)
{
    for (; i < end; i++) {
        if (i > line_end && match_at(s, p, i, end))
            line_end = report(h, p, start, end, i, newlines);
        if (p[i] == '\n')
            newlines++;
    }
    return newlines;
}

/* The Teddy kernels' scalar tail: positions q of [q, end) as anchors (a literal that starts
 * before the SIMD loop stopped may be anchored after it). */
static inline obd_size teddy_tail(const ScanSpec *s, const unsigned char *p, obd_size start, obd_size q, obd_size end,
                           obd_size newlines, obd_size line_end, Hits *h)
{
    for (; q < end; q++) {
        if (q > line_end)
            for (int k = 0; k < s->count; k++)
                if (teddy_literal_at(s, k, p, q, start, end)) {
                    line_end = report(h, p, start, end, q, newlines);
                    break;
                }
        if (p[q] == '\n')
            newlines++;
    }
    return newlines;
}

/* NAME(s, p, start, end, h) calls NAME_n with the literal count as a constant (1-8), so each
 * copy unrolls its per-literal loop; more literals share one copy with a run-time count. */
#define OBD_DISPATCH(NAME, ATTR)                                                                        \
    ATTR static obd_size NAME(const ScanSpec *s, const unsigned char *p, obd_size start,          \
                                obd_size end, Hits *h)                                               \
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
    ATTR __attribute__((always_inline)) static inline obd_size NAME##_sum(NAME##_v lanes)             \
    {                                                                                                   \
        obd_size total = 0;                                                                           \
        for (int j = 0; j < W; j++)                                                                     \
            total += lanes[j];                                                                          \
        return total;                                                                                   \
    }                                                                                                   \
    ATTR __attribute__((always_inline)) static inline obd_size NAME##_n(                              \
        const ScanSpec *s, const unsigned char *p, obd_size start, obd_size end, Hits *h, const int n) \
    {                                                                                                   \
        NAME##_v v1[MAX_LITERALS], v2[MAX_LITERALS];                                                    \
        obd_size o1[MAX_LITERALS], o2[MAX_LITERALS];                                                  \
        const NAME##_v zero = {0}, nlv = zero + (unsigned char)'\n';                                    \
        for (int k = 0; k < n; k++) {                                                                   \
            v1[k] = zero + s->b1[k];                                                                    \
            v2[k] = zero + s->b2[k];                                                                    \
            o1[k] = s->off1[k];                                                                         \
            o2[k] = s->off2[k];                                                                         \
        }                                                                                               \
        obd_size flushed = 0, line_end = start - 1, i = start;                                       \
        NAME##_v lanes = zero;                                                                          \
        int blocks = 0;                                                                                 \
        const obd_size last = end - W - s->max_off;                                                   \
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
                obd_size before = flushed + NAME##_sum(lanes); /* newlines in [start, i) */          \
                for (int j = 0; j < W; j++) {                                                           \
                    obd_size pos = i + j;                                                             \
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

#if defined(__aarch64__) && defined(__GNUC__)
#include <arm_neon.h>
#define OBD_NEON 1
/* Teddy on NEON (Kunpeng, Graviton, Apple): the same filter as OBD_TEDDY, 16 positions a
 * block, ``tbl`` for the nibble lookups; newlines counted per byte lane as vec16 does (a
 * match is 0xff, subtracting it adds one; lanes summed every 255 blocks and at a hit). Checked
 * against scalar under qemu by test_scan_harness.py; its speed on ARM hardware is not measured
 * here (chosen for 2+ literals on the strength of the x86 numbers: constant work per block). */
__attribute__((always_inline)) static inline obd_size teddy_neon_m(const ScanSpec *s, const unsigned char *p,
                                                                   obd_size start, obd_size end, Hits *h,
                                                                   const int M, const int LINES)
{
    uint8x16_t lo[TEDDY_MAX_M], hi[TEDDY_MAX_M];
    for (int j = 0; j < M; j++) {
        lo[j] = vld1q_u8(s->teddy.lo[j]);
        hi[j] = vld1q_u8(s->teddy.hi[j]);
    }
    const uint8x16_t low4 = vdupq_n_u8(15), nlv = vdupq_n_u8('\n');
    uint8x16_t lanes = vdupq_n_u8(0);
    unsigned char buckets[16];
    obd_size flushed = 0, line_end = start - 1, i = start;
    int blocks = 0;
    const obd_size last = end - 16 - (M - 1);
    for (; i <= last; i += 16) {
        uint8x16_t x = vld1q_u8(p + i);
        uint8x16_t r = vandq_u8(vqtbl1q_u8(lo[0], vandq_u8(x, low4)), vqtbl1q_u8(hi[0], vshrq_n_u8(x, 4)));
        for (int j = 1; j < M; j++) {
            uint8x16_t y = vld1q_u8(p + i + j);
            r = vandq_u8(r, vandq_u8(vqtbl1q_u8(lo[j], vandq_u8(y, low4)), vqtbl1q_u8(hi[j], vshrq_n_u8(y, 4))));
        }
        if (vmaxvq_u8(r)) {
            vst1q_u8(buckets, r);
            obd_size before = LINES ? flushed + vaddlvq_u8(lanes) : 0; /* newlines in [start, i) */
            for (int j = 0; j < 16; j++) {
                obd_size q = i + j;
                if (buckets[j] && q > line_end && teddy_confirm(s, buckets[j], p, q, start, end))
                    line_end = report(h, p, start, end, q, LINES ? before + count_scalar(p, i, q) : 0);
            }
        }
        if (LINES) {
            lanes = vsubq_u8(lanes, vceqq_u8(x, nlv));
            if (++blocks == 255) {
                flushed += vaddlvq_u8(lanes);
                lanes = vdupq_n_u8(0);
                blocks = 0;
            }
        }
    }
    return teddy_tail(s, p, start, i, end, LINES ? flushed + vaddlvq_u8(lanes) : 0, line_end, h);
}

static obd_size teddy_neon(const ScanSpec *s, const unsigned char *p, obd_size start, obd_size end, Hits *h)
{
    int lines = !h->counting;
    switch (s->teddy.m) {
    case 1: return lines ? teddy_neon_m(s, p, start, end, h, 1, 1) : teddy_neon_m(s, p, start, end, h, 1, 0);
    case 2: return lines ? teddy_neon_m(s, p, start, end, h, 2, 1) : teddy_neon_m(s, p, start, end, h, 2, 0);
    case 4: return lines ? teddy_neon_m(s, p, start, end, h, 4, 1) : teddy_neon_m(s, p, start, end, h, 4, 0);
    default: return lines ? teddy_neon_m(s, p, start, end, h, 3, 1) : teddy_neon_m(s, p, start, end, h, 3, 0);
    }
}
#endif

#ifdef OBD_X86
/* One kernel per vector width. ``n`` is a compile-time constant in each NAME_n copy (the
 * dispatcher below switches on the literal count) so the per-literal loop unrolls and the
 * broadcast bytes and offsets stay in registers (AVX-512: 3.2 -> 4.0 GB/s for five literals). */
#define OBD_KERNEL(NAME, TARGET, VEC, WIDTH, SET1, LOADU, CMPEQ, AND, OR, ZERO, MOVEMASK, MASKT)      \
    __attribute__((target(TARGET), always_inline)) static inline obd_size NAME##_n(                 \
        const ScanSpec *s, const unsigned char *p, obd_size start, obd_size end, Hits *h, const int n) \
    {                                                                                                   \
        VEC v1[MAX_LITERALS], v2[MAX_LITERALS];                                                         \
        obd_size o1[MAX_LITERALS], o2[MAX_LITERALS];                                                  \
        const VEC nlv = SET1('\n');                                                                     \
        for (int k = 0; k < n; k++) {                                                                   \
            v1[k] = SET1((char)s->b1[k]);                                                               \
            v2[k] = SET1((char)s->b2[k]);                                                               \
            o1[k] = s->off1[k];                                                                         \
            o2[k] = s->off2[k];                                                                         \
        }                                                                                               \
        obd_size newlines = 0, line_end = start - 1, i = start;                                      \
        const obd_size last = end - WIDTH - s->max_off;                                               \
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
                obd_size pos = i + bit;                                                               \
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
__attribute__((target("avx2,popcnt"))) static obd_size count_avx2(const unsigned char *p, obd_size i,
                                                                    obd_size end)
{
    const __m256i nlv = _mm256_set1_epi8('\n');
    obd_size total = 0;
    for (; i + 32 <= end; i += 32)
        total += __builtin_popcount((uint32_t)_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i)), nlv)));
    for (; i < end; i++)
        total += p[i] == '\n';
    return total;
}

/* AVX-512BW: 64 start positions per step, compares straight into mask registers. */
__attribute__((target("avx512f,avx512bw,popcnt"))) static obd_size scan_avx512(const ScanSpec *s,
                                                                               const unsigned char *p,
                                                                               obd_size start, obd_size end,
                                                                               Hits *h)
{
    __m512i v1[MAX_LITERALS], v2[MAX_LITERALS];
    const __m512i nlv = _mm512_set1_epi8('\n');
    const int n = s->count;
    for (int k = 0; k < n; k++) {
        v1[k] = _mm512_set1_epi8((char)s->b1[k]);
        v2[k] = _mm512_set1_epi8((char)s->b2[k]);
    }
    obd_size newlines = 0, line_end = start - 1, i = start;
    for (; i + 64 + s->max_off <= end; i += 64) {
        uint64_t nlmask = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i)), nlv);
        uint64_t cand = 0;
        for (int k = 0; k < n; k++)
            cand |= _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i + s->off1[k])), v1[k])
                    & _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i + s->off2[k])), v2[k]);
        while (cand) {
            int bit = __builtin_ctzll(cand);
            cand &= cand - 1;
            obd_size pos = i + bit;
            if (pos > line_end && match_at(s, p, pos, end))
                line_end = report(h, p, start, end, pos,
                                  newlines + __builtin_popcountll(nlmask & (((uint64_t)1 << bit) - 1)));
        }
        newlines += __builtin_popcountll(nlmask);
    }
    return scan_scalar(s, p, start, i, end, newlines, line_end, h);
}

/* Teddy (the multi-literal prefilter of Hyperscan and of ripgrep's aho-corasick crate; this is
 * our own C): per data byte two table lookups (pshufb on its low and high nibble) give the
 * buckets whose literals have that nibble pair at that fingerprint position; the m positions'
 * answers are ANDed, a non-zero byte is a candidate, its bits say which literals to memcmp.
 * The work per block is the same for 1 literal or 16 (the pair kernels above do two compares
 * per literal). A candidate is an anchor position q inside the literal, so hits come in order
 * of q; q and the literal's start lie on the same line, which is all report() needs.
 * ``M`` (fingerprint bytes) and ``LINES`` (count newlines: not when only counting) are
 * compile-time constants in each copy. */
#define OBD_TEDDY(NAME, TARGET, VEC, W, MASKT, LOADU, STORE, SET1, AND, SRLI16, SHUF, BCAST, NONZERO, NLMASK,  \
                  POPCNT, CTZ)                                                                                 \
    __attribute__((target(TARGET), always_inline)) static inline obd_size NAME##_m(                          \
        const ScanSpec *s, const unsigned char *p, obd_size start, obd_size end, Hits *h, const int M,         \
        const int LINES)                                                                                       \
    {                                                                                                          \
        VEC lo[TEDDY_MAX_M], hi[TEDDY_MAX_M];                                                                  \
        for (int j = 0; j < M; j++) {                                                                          \
            lo[j] = BCAST(s->teddy.lo[j]);                                                                     \
            hi[j] = BCAST(s->teddy.hi[j]);                                                                     \
        }                                                                                                      \
        const VEC low4 = SET1(0x0f), nlv = SET1('\n');                                                         \
        unsigned char lanes[W] __attribute__((aligned(W)));                                                    \
        obd_size newlines = 0, line_end = start - 1, i = start;                                                \
        const obd_size last = end - W - (M - 1);                                                               \
        for (; i <= last; i += W) {                                                                            \
            VEC x = LOADU((const void *)(p + i));                                                              \
            MASKT nl = LINES ? (MASKT)NLMASK(x, nlv) : 0;                                                      \
            VEC r = AND(SHUF(lo[0], AND(x, low4)), SHUF(hi[0], AND(SRLI16(x, 4), low4)));                      \
            for (int j = 1; j < M; j++) {                                                                      \
                VEC y = LOADU((const void *)(p + i + j));                                                      \
                r = AND(r, AND(SHUF(lo[j], AND(y, low4)), SHUF(hi[j], AND(SRLI16(y, 4), low4))));              \
            }                                                                                                  \
            MASKT cand = (MASKT)NONZERO(r);                                                                    \
            if (cand) {                                                                                        \
                STORE((void *)lanes, r);                                                                       \
                do {                                                                                           \
                    int bit = CTZ(cand);                                                                       \
                    cand &= cand - 1;                                                                          \
                    obd_size q = i + bit;                                                                      \
                    if (q > line_end && teddy_confirm(s, lanes[bit], p, q, start, end)) {                      \
                        line_end = report(h, p, start, end, q,                                                 \
                                          LINES ? newlines + POPCNT(nl & (((MASKT)1 << bit) - 1)) : 0);        \
                        obd_size skip = line_end - i + 1; /* candidates on the line just reported */         \
                        cand = skip >= W ? 0 : cand & ~(((MASKT)1 << skip) - 1);                               \
                    }                                                                                          \
                } while (cand);                                                                                \
            }                                                                                                  \
            if (LINES)                                                                                         \
                newlines += POPCNT(nl);                                                                        \
        }                                                                                                      \
        return teddy_tail(s, p, start, i, end, newlines, line_end, h);                                         \
    }                                                                                                          \
    __attribute__((target(TARGET))) static obd_size NAME(const ScanSpec *s, const unsigned char *p,            \
                                                         obd_size start, obd_size end, Hits *h)                \
    {                                                                                                          \
        int lines = !h->counting;                                                                              \
        switch (s->teddy.m) {                                                                                  \
        case 1: return lines ? NAME##_m(s, p, start, end, h, 1, 1) : NAME##_m(s, p, start, end, h, 1, 0);      \
        case 2: return lines ? NAME##_m(s, p, start, end, h, 2, 1) : NAME##_m(s, p, start, end, h, 2, 0);      \
        case 4: return lines ? NAME##_m(s, p, start, end, h, 4, 1) : NAME##_m(s, p, start, end, h, 4, 0);      \
        default: return lines ? NAME##_m(s, p, start, end, h, 3, 1) : NAME##_m(s, p, start, end, h, 3, 0);     \
        }                                                                                                      \
    }

#define OBD_AVX2_NONZERO(r) (~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8((r), _mm256_setzero_si256())))
#define OBD_AVX2_NL(x, nlv) ((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8((x), (nlv))))
#define OBD_AVX2_BCAST(t) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t)))
OBD_TEDDY(teddy_avx2, "avx2,popcnt", __m256i, 32, uint32_t, _mm256_loadu_si256, _mm256_store_si256,
          _mm256_set1_epi8, _mm256_and_si256, _mm256_srli_epi16, _mm256_shuffle_epi8, OBD_AVX2_BCAST,
          OBD_AVX2_NONZERO, OBD_AVX2_NL, __builtin_popcount, __builtin_ctz)

#define OBD_512_NONZERO(r) _mm512_test_epi8_mask((r), (r))
#define OBD_512_BCAST(t) _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(t)))
OBD_TEDDY(teddy_avx512, "avx512f,avx512bw,popcnt", __m512i, 64, uint64_t, _mm512_loadu_si512, _mm512_store_si512,
          _mm512_set1_epi8, _mm512_and_si512, _mm512_srli_epi16, _mm512_shuffle_epi8, OBD_512_BCAST,
          OBD_512_NONZERO, _mm512_cmpeq_epi8_mask, __builtin_popcountll, __builtin_ctzll)

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

enum kernel { BEST, AVX512, AVX2, TEDDY512, TEDDY2, VEC16, TEDDYNEON, SCALAR };
static const char *const KERNEL_NAMES[] = {"best", "avx512", "avx2", "teddy512", "teddy2", "vec16", "teddyneon",
                                           "scalar"};

static int kernel_supported(enum kernel k)
{
    if (k == BEST || k == SCALAR)
        return 1;
#ifdef OBD_VEC16
    if (k == VEC16)
        return 1;
#endif
#ifdef OBD_NEON
    if (k == TEDDYNEON)
        return 1;
#endif
#ifdef OBD_X86
    return ((k == AVX2 || k == TEDDY2) && cpu_has(0)) || ((k == AVX512 || k == TEDDY512) && cpu_has(1));
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


/* The byte pairs of ``s``, chosen from the first data it is given (once). */
static void obd_prepare(ScanSpec *s, const unsigned char *p, obd_size start, obd_size end)
{
    if (!s->chosen) {
        obd_size n = end - start < SAMPLE_BYTES ? end - start : SAMPLE_BYTES;
        choose_pairs(s, p + start, n);
        teddy_build(s, p + start, n < TEDDY_SAMPLE ? n : TEDDY_SAMPLE, obd_teddy_m);
    }
}

/* The kernel BEST means for ``s`` on this CPU (see the measurements in _scan.c). */
static enum kernel best_for(const ScanSpec *s)
{
    enum kernel k = best_kernel();
    if (s->count >= TEDDY_FROM) {
        if (k == AVX512 && kernel_supported(TEDDY512))
            return TEDDY512;
        if ((k == AVX512 || k == AVX2) && kernel_supported(TEDDY2))
            return TEDDY2;
        if (k == VEC16 && kernel_supported(TEDDYNEON))
            return TEDDYNEON;
    }
    return k;
}

/* One scan of p[start:end) with the kernel ``which``: fills ``h`` (line mode when
 * h->max_record is 0, else records) and returns the newlines in the range. */
static obd_size obd_scan(ScanSpec *s, const unsigned char *p, obd_size start, obd_size end, enum kernel which,
                         Hits *h)
{
    h->taken_until = start;
    obd_prepare(s, p, start, end);
    switch (which == BEST ? best_for(s) : which) {
#ifdef OBD_X86
    case AVX512: return scan_avx512(s, p, start, end, h);
    case AVX2: return scan_avx2(s, p, start, end, h);
    case TEDDY512: return teddy_avx512(s, p, start, end, h);
    case TEDDY2: return teddy_avx2(s, p, start, end, h);
#endif
#ifdef OBD_VEC16
    case VEC16: return scan_vec16(s, p, start, end, h);
#endif
#ifdef OBD_NEON
    case TEDDYNEON: return teddy_neon(s, p, start, end, h);
#endif
    default: return scan_scalar(s, p, start, start, end, 0, start - 1, h);
    }
}

/* Every record of p[start:end) whose header passes h->filter (a header line and the lines up to
 * the next header; the lines before the first header form one record; bytes cut at
 * h->max_record), like search.py's ``_dense``: a search by fields alone, no literal to scan
 * for. Returns the newlines in the range. */
static obd_size obd_walk(const unsigned char *p, obd_size start, obd_size end, Hits *h)
{
    obd_size newlines = 0, rec = start, rec_lines = 0, pos = start;
    int keep = !h->filter || filter_accepts(h->filter, p, start, end);
    while (pos < end) {
        const unsigned char *nl = memchr(p + pos, '\n', (size_t)(end - pos));
        obd_size line_end = nl ? (obd_size)(nl - p) : end;
        obd_size next = line_end + 1;
        if (nl)
            newlines++;
        if (next >= end || is_header(p, next, end)) { /* the record ends here */
            if (keep) {
                obd_size stop = line_end < rec + h->max_record ? line_end : rec + h->max_record;
                hits_push(h, rec, stop, rec_lines);
            }
            if (next < end) {
                rec = next;
                rec_lines = newlines;
                keep = !h->filter || filter_accepts(h->filter, p, next, end);
            }
        }
        pos = next;
    }
    return newlines;
}

static obd_size obd_count_newlines(const unsigned char *p, obd_size start, obd_size end)
{
#ifdef OBD_X86
    if (have_avx2())
        return count_avx2(p, start, end);
#endif
    return count_scalar(p, start, end);
}

static void hits_free(Hits *h)
{
    free(h->starts);
    free(h->stops);
    free(h->before);
}

#endif /* OBD_SCAN_KERNELS_H */
