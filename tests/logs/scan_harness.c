/* The scanning kernels of _scan_kernels.h against each other, in plain C: every kernel this CPU
 * runs must give the scalar kernel's answers (line mode and record mode, hits and newline
 * counts) on random buffers built to hit their edges -- literals near the end, long literals
 * whose compared bytes sit far apart, headers and continuation lines, NUL and 0xff bytes;
 * 1-16 literals, some overlapping (a piece of another, or another grown by a byte), every Teddy
 * fingerprint length, and count mode (records counted, nothing stored).
 *
 * Built and run by test_scan_harness.py, natively and (when a cross compiler and qemu are
 * there) for aarch64, where vec16 is NEON code. Prints "ok <rounds> <kernels>" or the first
 * disagreement; exit status 0 or 1. The scalar kernel itself is checked against a brute-force
 * Python scan by test_scan.py. */
#include <stdio.h>

#include "_scan_kernels.h"

static uint64_t state = 0x9e3779b97f4a7c15u;

static unsigned next(unsigned bound)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state % bound);
}

static const char *const PIECES[] = {
    "[2024-03-18 08:00:00.000001] INFO [STORAGE] run (a.cpp:1) [7][T1_X][T1][Y0-0] tick(ret=-4016)\n",
    "[2024-03-18 08:00:00.000002] WDIAG x ret=-9043 [errcode=-9040]\n",
    "2024-03-18 08:00:00.000003|WARN|BACKUP|ret=-4016|alert\n",
    "from dual where ret=-4016\n", "  continuation\n", "[2024", "\n", "ret=", "-40", "16", "a", "b", "=",
    "\0", "\xff", "YB420A00000B-00060F0000000001-0-0 ",
    /* header shapes for the field filter: 3.x, trace.log, the banner, cut and odd ones */
    "[2024-03-18 08:00:00.001] WARN  [RS] f (a.cpp:1) [7][0][Y1-00000000000000AB] [lt=1] [dc=0] x\n",
    "[2024-03-18 08:00:00.000004] [7][T1_X][T1][Y1-00000000000000AB-0-0] trace\n",
    "[2024-03-18 08:00:00.000005] INFO  New syslog file info: [a]\n", "[2024-03-18 08:00:00.000006] WDIAG [RS",
    " [12][", "][T1][Y", "2024-03-18 08:00:00.000007|WDIAG||||||||||\n",
};
#define NPIECES (sizeof PIECES / sizeof *PIECES)

static size_t fill(unsigned char *buf, size_t cap)
{
    size_t n = 0, want = next((unsigned)cap);
    while (n < want) {
        const char *piece = PIECES[next(NPIECES)];
        size_t len = piece[0] ? strlen(piece) : 1; /* "\0" is one NUL byte */
        if (n + len > cap)
            break;
        memcpy(buf + n, piece, len);
        n += len;
    }
    return n;
}

static int same(const Hits *a, const Hits *b, obd_size na, obd_size nb, int records)
{
    if (na != nb || a->size != b->size || a->failed || b->failed)
        return 0;
    for (obd_size j = 0; j < a->size; j++)
        if (a->starts[j] != b->starts[j] || a->before[j] != b->before[j] || (records && a->stops[j] != b->stops[j]))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20000;
    static unsigned char buf[8192];
    static unsigned char lits[MAX_LITERALS][48];
    int kernels = 0;
    for (enum kernel k = AVX512; k < SCALAR; k++)
        kernels += kernel_supported(k);
    for (int round = 0; round < rounds; round++) {
        obd_size size = (obd_size)fill(buf, sizeof buf);
        ScanSpec spec = {0};
        spec.count = 1 + (int)next(MAX_LITERALS);
        for (int k = 0; k < spec.count; k++) {
            size_t len = 0;
            if (next(2)) { /* a piece of log text */
                const char *piece = PIECES[next(NPIECES)];
                len = strlen(piece);
                while (len && piece[len - 1] == '\n')
                    len--;
                memcpy(lits[k], piece, len < 40 ? len : 40);
                len = len < 40 ? len : 40;
            }
            if (!len) { /* random bytes, no newline */
                len = 1 + next(40);
                for (size_t i = 0; i < len; i++)
                    lits[k][i] = (unsigned char)("ab=-49016[ \xff\x00"[next(13)]);
            }
            if (k && next(3) == 0) { /* overlapping: a piece of an earlier literal, or one grown from it */
                int from = (int)next((unsigned)k);
                size_t at = next((unsigned)spec.len[from]), take = 1 + next((unsigned)(spec.len[from] - at));
                memmove(lits[k], lits[from] + at, take);
                len = take;
                if (next(2) && len < 40)
                    lits[k][len++] = (unsigned char)"=-6x"[next(4)];
            }
            spec.lit[k] = lits[k];
            spec.len[k] = (obd_size)len;
        }
        obd_size start = size ? next((unsigned)size + 1) : 0, end = start + next((unsigned)(size - start) + 1);
        RecordFilter flt = {0}; /* record mode, every other round: only WDIAG/WARN records of tenant 1 */
        flt.active = 1;
        flt.nlevels = 2;
        memcpy(flt.level[0], "WDIAG", 5);
        flt.level_len[0] = 5;
        memcpy(flt.level[1], "WARN", 4);
        flt.level_len[1] = 4;
        flt.tenant = next(2) ? 1 : -1;
        flt.thread_len = flt.module_len = -1;
        const RecordFilter *use = next(2) ? &flt : NULL;
        obd_teddy_m = (int)next(TEDDY_MAX_M + 1); /* every fingerprint length, or chosen (obd_prepare) */
        for (int records = 0; records <= 1; records++) {
            obd_size max_record = records ? 1 + next(400) : 0;
            Hits want = {0};
            want.max_record = max_record;
            want.filter = records ? use : NULL;
            obd_size want_nl = obd_scan(&spec, buf, start, end, SCALAR, &want);
            for (enum kernel k = AVX512; k < SCALAR; k++) {
                if (!kernel_supported(k))
                    continue;
                Hits got = {0};
                got.max_record = max_record;
                got.filter = want.filter;
                obd_size got_nl = obd_scan(&spec, buf, start, end, k, &got);
                int ok = same(&want, &got, want_nl, got_nl, records);
                if (!ok)
                    printf("round %d: kernel %s disagrees with scalar (%s mode, range %td-%td of %td bytes, "
                           "%d literals): %td vs %td hits, %td vs %td newlines\n", round, KERNEL_NAMES[k],
                           records ? "record" : "line", start, end, size, spec.count, got.size, want.size, got_nl,
                           want_nl);
                hits_free(&got);
                if (ok && records) { /* count mode: nothing stored, the same number */
                    Hits counted = {0};
                    counted.max_record = max_record;
                    counted.filter = want.filter;
                    counted.counting = 1;
                    obd_scan(&spec, buf, start, end, k, &counted);
                    ok = counted.size == want.size && !counted.starts;
                    if (!ok)
                        printf("round %d: kernel %s counts %td records, scalar found %td\n", round, KERNEL_NAMES[k],
                               counted.size, want.size);
                }
                if (!ok) {
                    hits_free(&want);
                    return 1;
                }
            }
            hits_free(&want);
        }
        Hits walked = {0}; /* every record passing the filter: its newline count is the range's */
        walked.max_record = 1 + next(400);
        walked.filter = use;
        obd_size walked_nl = obd_walk(buf, start, end, &walked);
        hits_free(&walked);
        if (walked_nl != count_scalar(buf, start, end) || walked.failed) {
            printf("round %d: the walk counted %td newlines\n", round, walked_nl);
            return 1;
        }
        if (obd_count_newlines(buf, start, end) != count_scalar(buf, start, end)) {
            printf("round %d: newline count disagrees\n", round);
            return 1;
        }
    }
    printf("ok %d", rounds);
    for (enum kernel k = AVX512; k < SCALAR; k++)
        if (kernel_supported(k))
            printf(" %s", KERNEL_NAMES[k]);
    printf("\n");
    return kernels ? 0 : 1;
}
