"""Every rule over fuzzed cell values never raises (issue 11): ``1e999``, ``inf``, a year 9999, an
absolute path where an address belongs... are malformed cells, reported, never an internal error.

The rows are the examples' own (so every rule reaches deep into its chain) with random cells
replaced by hostile values; the logs stay the example's, so log-following code runs too.
"""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.exit_codes import ExitCode, for_report
from obdoctor.rules.base import RuleOptions
from obdoctor.sources.bundle import Bundle
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "sql").is_dir())

HOSTILE = [
    "1e999", "-1e999", "inf", "-inf", "nan", "NaN", "1e308", "99999999999999999999999999", "-9223372036854775809",
    "18446744073709551616", "0", "-0", "-1", "2147483648", "4611686018427387903",
    "9999-12-31 23:59:59.999999", "0001-01-01 00:00:00.000000", "1970-01-01 00:00:00", "2023-02-30 25:61:61",
    "99999999999999999", "1000000000000000000000",
    "/data/1/observer", "/etc/passwd", "../../etc/passwd", "127.0.0.1:notaport", "[::1", "1.2.3.4:5:6",
    "(SERVER)ls_id: x, addr: /abs/path, module: BACKUP_DATA, result: 1e999(x), trace_id: /tmp",
    "(ROOTSERVICE)addr: , result: -99999999999999999999, trace_id: Y0-0",
    "(SERVER)ls_id: 1001, addr: 127.0.0.9:2882, result: -4554(x), trace_id: YB427F000003-0005F0A1C0DE8008-0-0",
    "Y", "YB42-", "FAILED", "DOING", "BACKUP_DATA_MINOR", "INACTIVE", "NULL", "", " ", "\t", "\\N",
    "é中文", "'; DROP TABLE x; --", "a" * 5000, "-4554", "4016", "-9086", "-4012", "ret=-9040",
]

cell_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=40),
)


class FuzzedSource:
    """A bundle whose view cells are replaced, at random, by hostile values."""

    def __init__(self, bundle: Bundle, rnd: random.Random, pool: list[str], rate: float):
        self._bundle, self._rnd, self._pool, self._rate = bundle, rnd, pool, rate

    def info(self):
        return self._bundle.info()

    def search_logs(self, query):
        return self._bundle.search_logs(query)

    def read_table(self, name: str) -> TableResult:
        table = self._bundle.read_table(name)
        if not table.available:
            return table
        rows = []
        for row in table.rows:
            values = {k: (self._rnd.choice(self._pool) if self._rnd.random() < self._rate else v)
                      for k, v in row.as_dict().items()}
            rows.append(Row(values, row.provenance))
        return TableResult(table.name, rows, problems=list(table.problems))


@settings(max_examples=int(os.environ.get("OBDOCTOR_FUZZ_EXAMPLES", "400")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(example=st.sampled_from(EXAMPLE_NAMES), seed=st.integers(0, 2 ** 32),
       pool=st.lists(cell_values, min_size=1, max_size=12), rate=st.sampled_from([0.05, 0.3, 1.0]),
       all_jobs=st.booleans())
def test_rules_never_raise_on_fuzzed_cells(example, seed, pool, rate, all_jobs):
    with Bundle(EXAMPLES / example) as bundle:
        source = FuzzedSource(bundle, random.Random(seed), pool, rate)
        report = diagnose(Evidence(source), RuleOptions(all_jobs=all_jobs))
    assert not report.internal_errors, (example, [f"{u.what}: {u.why}" for u in report.internal_errors])
    assert for_report(report) != ExitCode.INTERNAL_ERROR


def test_the_named_hostile_values_are_reported_as_malformed_cells():
    """The issue's four: each becomes a malformed-cell problem of the view, not an exception."""
    with Bundle(EXAMPLES / "result-not-reported-4554") as bundle:
        class Source(FuzzedSource):
            def read_table(self, name):
                table = bundle.read_table(name)
                if name != "__all_virtual_backup_ls_task_history" or not table.available:
                    return table
                rows = [Row({**r.as_dict(), "RESULT": "1e999", "INPUT_BYTES": "inf",
                             "GMT_MODIFIED": "9999-12-31 23:59:59.000000", "SVR_IP": "/data/1/observer"},
                            r.provenance) for r in table.rows]
                return TableResult(table.name, rows)

        report = diagnose(Evidence(Source(bundle, random.Random(0), [""], 0.0)))
    assert not report.internal_errors
    problems = " ".join(u.why for u in report.unchecked if u.what == "part of __all_virtual_backup_ls_task_history")
    for fragment in ("RESULT = '1e999'", "INPUT_BYTES = 'inf'", "GMT_MODIFIED = '9999-12-31", "SVR_IP = '/data/1/observer'"):
        assert fragment in problems, (fragment, problems)
    assert all("/data/1/observer" not in s for f in report.findings for s in f.servers)
