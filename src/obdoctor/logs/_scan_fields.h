/* Record header fields in plain C: the level, time, module, thread and tenant of an OceanBase
 * log record read straight from its first line, so ``logs search --level WDIAG`` (or
 * ``--tenant``, ``--thread``, ``--module``, ``--since``) selects records inside the scan
 * instead of parsing every line in Python.
 *
 * The rules follow obdoctor.logs.parser (shared/reference/ob_log_format.md): a field is known
 * only where the parser would know it, so the C filter and ``RecordFilter.accepts`` on a parsed
 * record give the same answer (a property test compares them).
 *
 *   4.x  [ts] LEVEL [MOD] func (file:line) [tid][tname][C..]?[T..]?[Y..-..-..-..] ...
 *   3.x  [ts] LEVEL [MOD] func (file:line) [tid][co_id][Y..-..] ...   (no thread name, no tenant)
 *   trace.log  [ts] [tid][tname][T..]?[Y..] ...                      (no level, no module)
 *   alert.log  ts|LEVEL|MODULE|EVENT|errcode|tenant|tid|tname|trace|func|file:line|message
 *   banner     [ts] INFO  New syslog file info: ...                  (time and level only)
 */
#ifndef OBD_SCAN_FIELDS_H
#define OBD_SCAN_FIELDS_H

#include <stddef.h>
#include <string.h>

#define FILTER_LEVELS 8
#define FIELD_MAX 64
#define HEADER_SPAN 2048 /* the parser's func is at most 1024 characters: fields sit before this */

typedef struct RecordFilter {
    int active;
    int nlevels; /* 0: any level */
    unsigned char level[FILTER_LEVELS][9];
    int level_len[FILTER_LEVELS];
    int has_since, has_until; /* "YYYY-MM-DD HH:MM:SS.uuuuuu", 26 bytes */
    unsigned char since[26], until[26];
    long long tenant; /* -1: any */
    int thread_len;   /* -1: any */
    unsigned char thread[FIELD_MAX];
    int module_len; /* -1: any; else the module or a dotted sub-module of it, ASCII case ignored */
    unsigned char module[FIELD_MAX];
} RecordFilter;

typedef struct {
    const unsigned char *ts, *level, *module, *thread;
    int ts_len, level_len, module_len, thread_len; /* 0 or -1: not there */
    long long tenant;                              /* -1: not there */
} Fields;

static const char *const KNOWN_LEVELS[] = {"ERROR", "WARN", "INFO", "EDIAG", "WDIAG", "TRACE", "DEBUG", "USER_ERR"};

static inline int is_digit(unsigned char c) { return (unsigned)(c - '0') < 10; }

/* ``YYYY-MM-DD HH:MM:SS.f`` with 3 to 6 fraction digits (3.x wrote milliseconds) */
static int ts_shape(const unsigned char *t, obd_size n)
{
    static const char shape[] = "dddd-dd-dd dd:dd:dd.";
    if (n < 23 || n > 26)
        return 0;
    for (int j = 0; j < 20; j++)
        if (shape[j] == 'd' ? !is_digit(t[j]) : t[j] != (unsigned char)shape[j])
            return 0;
    for (obd_size j = 20; j < n; j++)
        if (!is_digit(t[j]))
            return 0;
    return 1;
}

static int known_level(const unsigned char *t, obd_size n)
{
    for (size_t k = 0; k < sizeof KNOWN_LEVELS / sizeof *KNOWN_LEVELS; k++)
        if ((obd_size)strlen(KNOWN_LEVELS[k]) == n && memcmp(t, KNOWN_LEVELS[k], (size_t)n) == 0)
            return 1;
    return 0;
}

/* digits at p[i..] up to ``close``: their end, or -1 when there are none or ``close`` is missing */
static obd_size digits_to(const unsigned char *p, obd_size i, obd_size stop, unsigned char close, long long *value)
{
    obd_size j = i;
    long long v = 0;
    while (j < stop && is_digit(p[j])) {
        if (v < (1LL << 58))
            v = v * 10 + (p[j] - '0');
        j++;
    }
    if (j == i || j >= stop || p[j] != close)
        return -1;
    if (value)
        *value = v;
    return j;
}

/* ``[tid][tname][C..]?[T..]?[trace`` from ``i`` (at the ``[`` of tid): fills thread and tenant
 * when the trace id has 4 parts (4.x, trace.log; ``v4_only`` 0 also takes trace.log's older
 * 2-part ids); 3.x's ``[tid][co_id][Y..-..]`` names no thread. Returns 1 when the shape holds. */
static int thread_tenant(const unsigned char *p, obd_size i, obd_size stop, Fields *f, int v4_only)
{
    obd_size j = digits_to(p, i + 1, stop, ']', NULL);
    if (j < 0 || j + 1 >= stop || p[j + 1] != '[')
        return 0;
    obd_size name = j + 2, k = name;
    while (k < stop && p[k] != ']')
        k++;
    if (k >= stop)
        return 0;
    obd_size q = k + 1;
    long long tenant = -1;
    if (q + 1 < stop && p[q] == '[' && p[q + 1] == 'C') {
        obd_size e = digits_to(p, q + 2, stop, ']', NULL);
        if (e >= 0)
            q = e + 1;
    }
    if (q + 1 < stop && p[q] == '[' && p[q + 1] == 'T') {
        obd_size e = digits_to(p, q + 2, stop, ']', &tenant);
        if (e >= 0)
            q = e + 1;
    }
    if (q + 1 >= stop || p[q] != '[' || (p[q + 1] != 'Y' && p[q + 1] != 'Z'))
        return 0;
    int dashes = 0;
    for (obd_size t = q + 1; t < stop && p[t] != ']'; t++)
        dashes += p[t] == '-';
    if (dashes == 3 || (!v4_only && dashes == 1)) {
        f->thread = p + name;
        f->thread_len = (int)(k - name);
        f->tenant = tenant;
        return 1;
    }
    return dashes == 1; /* 3.x: a valid header without thread name or tenant */
}

/* The fields of the record whose first line starts at ``pos`` (a header per is_header). */
static void header_fields(const unsigned char *p, obd_size pos, obd_size end, Fields *f)
{
    f->ts_len = f->level_len = f->module_len = f->thread_len = 0;
    f->tenant = -1;
    obd_size stop = pos + HEADER_SPAN < end ? pos + HEADER_SPAN : end;
    const unsigned char *nl = memchr(p + pos, '\n', (size_t)(stop - pos));
    if (nl)
        stop = nl - p;
    if (p[pos] != '[') { /* alert.log: pipe-separated, 11 pipes before the message */
        obd_size bar[11];
        int n = 0;
        for (obd_size j = pos; j < stop && n < 11; j++)
            if (p[j] == '|')
                bar[n++] = j;
        if (n < 11 || bar[0] - pos != 26 || !ts_shape(p + pos, 26))
            return;
        for (obd_size j = bar[0] + 1; j < bar[1]; j++)
            if (!((p[j] >= 'A' && p[j] <= 'Z') || p[j] == '_'))
                return;
        if (bar[1] == bar[0] + 1)
            return;
        long long tenant = -1;
        for (int c = 3; c <= 5; c++) { /* errcode -?\d*, tenant \d*, tid \d* */
            obd_size j = bar[c] + 1;
            if (c == 3 && j < bar[4] && p[j] == '-')
                j++;
            for (; j < bar[c + 1]; j++)
                if (!is_digit(p[j]))
                    return;
        }
        if (bar[5] > bar[4] + 1)
            digits_to(p, bar[4] + 1, bar[5] + 1, '|', &tenant);
        f->ts = p + pos;
        f->ts_len = 26;
        f->level = p + bar[0] + 1;
        f->level_len = (int)(bar[1] - bar[0] - 1);
        f->module = p + bar[1] + 1;
        f->module_len = (int)(bar[2] - bar[1] - 1);
        f->thread = p + bar[6] + 1;
        f->thread_len = (int)(bar[7] - bar[6] - 1);
        f->tenant = tenant;
        return;
    }
    obd_size close = pos + 1;
    while (close < stop && close < pos + 40 && p[close] != ']')
        close++;
    if (close >= stop || p[close] != ']')
        return;
    if (ts_shape(p + pos + 1, close - pos - 1)) {
        f->ts = p + pos + 1;
        f->ts_len = (int)(close - pos - 1);
    }
    obd_size q = close + 1;
    if (q + 1 >= stop || p[q] != ' ')
        return;
    q++;
    if (p[q] == '[') { /* trace.log */
        if (f->ts_len != 26 || !thread_tenant(p, q, stop, f, 0))
            f->thread_len = 0, f->tenant = -1;
        return;
    }
    obd_size lv = q;
    while (q < stop && ((p[q] >= 'A' && p[q] <= 'Z') || p[q] == '_'))
        q++;
    if (q >= stop || (p[q] != ' ' && p[q] != '\t') || !known_level(p + lv, q - lv))
        return;
    f->level = p + lv;
    f->level_len = (int)(q - lv);
    while (q < stop && (p[q] == ' ' || p[q] == '\t'))
        q++;
    const unsigned char *module = NULL;
    int module_len = 0;
    if (q < stop && p[q] == '[') {
        obd_size m = q + 1;
        while (m < stop && ((p[m] >= 'A' && p[m] <= 'Z') || (p[m] >= 'a' && p[m] <= 'z') || is_digit(p[m])
                            || p[m] == '_' || p[m] == '.'))
            m++;
        if (m > q + 1 && m + 1 < stop && p[m] == ']' && p[m + 1] == ' ' && p[q + 1] != '.' && p[m - 1] != '.') {
            module = p + q + 1;
            module_len = (int)(m - q - 1);
        }
    }
    /* the first `` [tid][`` after the level: 4.x and 3.x ``(file:line) [``, 3.x INFO ``file:line [`` */
    for (obd_size j = q; j + 3 < stop; j++) {
        if (p[j] != ' ' || p[j + 1] != '[' || !is_digit(p[j + 2]))
            continue;
        obd_size e = digits_to(p, j + 2, stop, ']', NULL);
        if (e < 0 || e + 1 >= stop || p[e + 1] != '[')
            continue;
        if (thread_tenant(p, j + 1, stop, f, 1)) {
            f->module = module;
            f->module_len = module ? module_len : 0;
        }
        return;
    }
}

static inline int lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* The ts padded to 26 bytes (``.123`` reads as ``.123000``) against a bound: <0, 0, >0 */
static int ts_compare(const unsigned char *ts, int len, const unsigned char *bound)
{
    for (int j = 0; j < 26; j++) {
        unsigned char c = j < len ? ts[j] : '0';
        if (c != bound[j])
            return c < bound[j] ? -1 : 1;
    }
    return 0;
}

/* Whether the record at ``rec`` passes ``flt``. A record that does not start with a header (the
 * lines before a file's first header) has no fields: only a time window lets it through. */
static int filter_accepts(const RecordFilter *flt, const unsigned char *p, obd_size rec, obd_size end)
{
    Fields f = {0};
    f.tenant = -1;
    if (is_header(p, rec, end))
        header_fields(p, rec, end, &f);
    if (f.ts_len > 0) {
        if (flt->has_since && ts_compare(f.ts, f.ts_len, flt->since) < 0)
            return 0;
        if (flt->has_until && ts_compare(f.ts, f.ts_len, flt->until) > 0)
            return 0;
    }
    if (flt->nlevels) {
        int ok = 0;
        for (int k = 0; k < flt->nlevels && !ok; k++)
            ok = f.level_len == flt->level_len[k] && memcmp(f.level, flt->level[k], (size_t)f.level_len) == 0;
        if (!ok)
            return 0;
    }
    if (flt->tenant >= 0 && f.tenant != flt->tenant)
        return 0;
    if (flt->thread_len >= 0
        && (f.thread_len != flt->thread_len || memcmp(f.thread, flt->thread, (size_t)flt->thread_len) != 0))
        return 0;
    if (flt->module_len >= 0) {
        int n = flt->module_len;
        if (f.module_len < n || (f.module_len > n && f.module[n] != '.'))
            return 0;
        for (int j = 0; j < n; j++)
            if (lower(f.module[j]) != lower(flt->module[j]))
                return 0;
    }
    return 1;
}

#endif /* OBD_SCAN_FIELDS_H */
