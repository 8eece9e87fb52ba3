"""``logs codes --live``'s tally runs as POSIX awk on the server: on the same files it must give
exactly the tallies ``logs codes`` makes here (counts per code, tenant, module, level, thread,
first and last time, sample), whichever awk the server has (mawk, gawk in POSIX mode)."""

import os
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.logs import remote
from obdoctor.logs.codes import tallies_from_rows, tally_codes
from obdoctor.logs.fields import RecordFilter
from obdoctor.logs.files import LogFile
from tests.logs.test_codes import CODES, NAMES, SPELLINGS

AWKS = [a for a in (("mawk",), ("gawk", "--posix"), ("busybox", "awk")) if shutil.which(a[0])]
if AWKS and AWKS[-1][0] == "busybox" and subprocess.run(["busybox", "awk", "BEGIN{}"], capture_output=True).returncode:
    AWKS.pop()


@st.composite
def records(draw) -> str:
    ts = datetime(2024, 3, 18, 8)
    lines = []
    if draw(st.booleans()):  # the file starts inside a record (rotation cut it)
        lines.append(f"  continued ret={draw(st.sampled_from(CODES))}")
    for _ in range(draw(st.integers(0, 40))):
        ts += timedelta(seconds=draw(st.integers(0, 2)))
        level = draw(st.sampled_from(("INFO ", "WDIAG", "WARN ", "ERROR", "EDIAG")))
        module = draw(st.sampled_from(("[RS] ", "[RS.LB] ", "[SQL.EXE] ", "")))
        tenant = draw(st.sampled_from(("[T1002]", "[T1]", "")))
        thread = draw(st.sampled_from(("T1002_BackupDat", "T1001_L0_G12", "TsMgr", "T1_Occam")))
        parts = [draw(st.sampled_from(SPELLINGS)).format(c=draw(st.sampled_from(CODES)))
                 for _ in range(draw(st.integers(0, 3)))]
        lines.append(f"[{ts:%Y-%m-%d %H:%M:%S.%f}] {level} {module}f (a.cpp:1) [7][{thread}]{tenant}"
                     f"[Y0-0000000000000000-0-0] [lt=1] step({', '.join(parts)})")
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"BACKTRACE: 0x1 ret={draw(st.sampled_from(CODES))}")
    return "".join(x + "\n" for x in lines)


def remote_tally(home, names, awk, flt=RecordFilter(), names_map=NAMES):
    """The remote command run here by ``sh``, with ``awk`` first on PATH."""
    shim = home / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "awk").write_text(f"#!/bin/sh\nexec {' '.join(awk)} \"$@\"\n")
    (shim / "awk").chmod(0o755)
    stamp = (lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f") if t else None)
    command = remote.codes_command(str(home), names, levels=flt.levels, since=stamp(flt.since),
                                   until=stamp(flt.until), tenant=flt.tenant, thread=flt.thread, module=flt.module,
                                   names=names_map)
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}"}
    out = subprocess.run(["sh", "-c", command], capture_output=True, env=env, check=True).stdout
    rows, statuses = remote.split_codes_output(out.splitlines(keepends=True))
    assert set(statuses.values()) == {0}
    out = [tallies_from_rows(rows[i], NAMES) for i in range(len(names))]
    for tallies, name in zip(out, names):
        for t in tallies.values():
            t.relabel("", name)  # as tally_codes names a file's lines
    return out


def view(tallies):
    return {k: (t.count, dict(t.tenants), dict(t.modules), dict(t.levels), dict(t.threads), t.first, t.last, t.sample)
            for k, t in tallies.items()}


FILTERS = [RecordFilter(), RecordFilter(levels=frozenset({"WDIAG", "WARN"})), RecordFilter(tenant=1002),
           RecordFilter(module="RS"), RecordFilter(thread="TsMgr"),
           RecordFilter(since=datetime(2024, 3, 18, 8, 0, 10), until=datetime(2024, 3, 18, 8, 0, 40))]


@pytest.mark.skipif(not AWKS, reason="no awk to test with")
@pytest.mark.parametrize("awk", AWKS, ids=[a[0] for a in AWKS])
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=records(), flt=st.sampled_from(FILTERS))
def test_the_servers_awk_tallies_what_logs_codes_tallies_here(tmp_path_factory, awk, text, flt):
    home = tmp_path_factory.mktemp("home")
    (home / "log").mkdir()
    path = home / "log" / "observer.log"
    path.write_text(text)
    here = tally_codes([LogFile(path, "observer", False, None, None)], flt, names=NAMES, workers=1).codes
    (there,) = remote_tally(home, ["observer.log"], awk, flt)
    assert view(there) == view(here)


@pytest.mark.skipif(not AWKS or not shutil.which("gzip"), reason="no awk or gzip")
def test_compressed_files_and_markers(tmp_path):
    import gzip

    (tmp_path / "log").mkdir()
    line = ("[2024-03-18 08:00:00.000001] WDIAG [RS] f (a.cpp:1) [7][T1_X][T1][Y0-0000000000000000-0-0] "
            "[lt=1][errcode=-9040] x(ret=-9040)\n")
    (tmp_path / "log" / "observer.log").write_text(line * 3)
    (tmp_path / "log" / "observer.log.20240318070000123.gz").write_bytes(gzip.compress(line.encode() * 2))
    plain, packed = remote_tally(tmp_path, ["observer.log", "observer.log.20240318070000123.gz"], AWKS[0])
    assert plain[-9040].count == 3 and packed[-9040].count == 2
    assert plain[-9040].sample == ("observer.log:1", line.rstrip("\n"))


@pytest.mark.parametrize("bad", [dict(levels=["INFO; rm -rf /"]), dict(since="now'"), dict(thread="a\\nb"),
                                 dict(module="RS]"), dict(tenant=-1)])
def test_a_value_that_could_change_the_command_is_refused(bad):
    with pytest.raises(remote.UnsafeValue):
        remote.codes_command("/home/admin/oceanbase", ["observer.log"], **bad)
    with pytest.raises(remote.UnsafeValue):
        remote.codes_command("/home/admin/oceanbase", ["observer.log; id"])
