"""``/proc/mounts`` as the kernel writes it, and as a hostile or broken server could send it.

The kernel escapes space, tab, newline and backslash in a field as three octal digits
(fs/proc_namespace.c, ``mangle``: ``" \\t\\n\\\\"``), so a field never holds whitespace. The
parser must give back the original fields, never raise, and keep what is not a mount line out.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from obdoctor.evidence import Evidence
from obdoctor.evidence.kinds import MOUNTS_SOURCE, Kind
from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.records.cluster import Mount
from obdoctor.sources import mounts
from obdoctor.sources.bundle import Bundle


def mangle(field: str) -> str:
    """What the kernel writes for ``field``."""
    return "".join(f"\\{ord(c):03o}" if c in " \t\n\\" else c for c in field)


fields = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
"""Any character: the kernel escapes only its four, so NBSP, \x85, \u2028 or \r stay raw in a field."""


@settings(max_examples=300, deadline=None)
@given(device=fields, below=fields, fstype=st.from_regex(r"[a-z0-9.]{1,10}", fullmatch=True),
       options=st.lists(fields, min_size=1, max_size=8))
def test_escaped_fields_come_back_as_they_were(device, below, fstype, options) -> None:
    point = "/" + below
    option_text = ",".join(o.replace(",", ";") for o in options)
    line = f"{mangle(device)} {mangle(point)} {fstype} {mangle(option_text)} 0 0"
    found, problems = mounts.parse("proc /proc proc rw 0 0\n" + line + "\n")
    assert problems == []
    assert [(m.device, m.mount_point, m.fstype, m.options) for m in found][1] == (device, point, fstype, option_text)
    assert found[1].line_no == 2 and found[1].raw == line


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_read_without_raising_and_only_mount_lines_become_mounts(text) -> None:
    found, problems = mounts.parse(text)
    assert all(m.mount_point.startswith("/") and m.raw in text for m in found)
    assert len(found) + len(problems) <= len([l for l in text.split("\n") if l.strip()])


def test_a_long_line_is_said_not_read() -> None:
    long = "dev /mnt nfs4 " + ",".join(f"opt{i}=x" for i in range(20000)) + " 0 0"
    found, problems = mounts.parse(f"{long}\n/dev/vda1 / ext4 rw 0 0\n")
    assert [m.mount_point for m in found] == ["/"]
    assert problems and problems[0].startswith("line 1:") and "not a mount line" in problems[0]


def test_an_escape_beyond_a_byte_and_odd_options_are_kept_verbatim() -> None:
    found, _ = mounts.parse("srv:/e\\777x /mnt/a\\040b nfs4 rw,sync,fsc=,addr=10.0.0.9,weird=a=b,vers=4.2 0 0\n")
    assert found[0].device == "srv:/e\\777x" and found[0].mount_point == "/mnt/a b"
    record = Mount.from_row(mounts.table({"s": (found[0].raw, None)}, {}).rows[0])
    assert record.option("sync") == "" and record.option("fsc") == "" and record.option("weird") == "a=b"
    assert record.option("vers") == "4.2" and record.option("hard") is None


def test_rows_carry_the_server_line_and_where_they_came_from() -> None:
    result = mounts.table({"10.0.0.2": ("/dev/vda1 / ext4 rw 0 0\nsrv:/e /data/nfs nfs4 rw,hard 0 0\n", None),
                           "10.0.0.3": (None, "server 10.0.0.3: connection refused")},
                          {"10.0.0.2": "cat /proc/mounts on 10.0.0.2"})
    records = [Mount.from_row(r) for r in result.rows]
    assert records[1].provenance == Provenance("file", MOUNTS_SOURCE, server="10.0.0.2", line=2,
                                               location="cat /proc/mounts on 10.0.0.2")
    assert records[1].provenance.describe() == "10.0.0.2:/proc/mounts:2"
    assert records[2].error == "server 10.0.0.3: connection refused" and records[2].mount_point is None


def test_the_bundle_reads_mounts_and_the_servers_collect_could_not_read(tmp_path) -> None:
    (tmp_path / "sql").mkdir()
    (tmp_path / "mounts").mkdir()
    (tmp_path / "mounts" / "127.0.0.2").write_text("srv:/e /data/nfs nfs4 rw,hard 0 0\n")
    (tmp_path / "manifest.toml").write_text('[cluster]\nversion = "4.2.1.0"\n[collect.missing]\n'
                                            '"/proc/mounts 127.0.0.3" = "server 127.0.0.3: connection refused"\n')
    with Bundle(tmp_path) as bundle:
        found = Evidence(bundle).get(Kind.MOUNTS)
    assert found.available and [(m.svr_ip, m.mount_point, m.error) for m in found] == [
        ("127.0.0.2", "/data/nfs", None), ("127.0.0.3", None, "not collected: server 127.0.0.3: connection refused")]
    assert found.items[0].provenance.location == "mounts/127.0.0.2"


def test_a_hostile_mounts_folder_is_read_for_what_it_is_and_said(tmp_path) -> None:
    """A link out of the bundle, a file not named after a server, a binary blob: each is named in
    the notes or problems, none read as a server's mounts, and a blob is not listed line by line.
    The refusals happen while the rules read (after the source's facts were taken): they must
    still reach the report."""
    import os

    (tmp_path / "sql").mkdir()
    folder = tmp_path / "mounts"
    folder.mkdir()
    (folder / "127.0.0.2").write_text("srv:/e /data/nfs nfs4 rw,hard 0 0\n")
    (folder / "127.0.0.3").write_bytes(bytes(range(256)) * 40)
    (folder / "evil name").write_text("x /etc nfs4 rw 0 0\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.write_text("srv:/e /data/nfs nfs4 rw,hard 0 0\n")
    os.symlink(outside, folder / "127.0.0.9")
    (tmp_path / "manifest.toml").write_text('[cluster]\nversion = "4.2.1.0"\n')
    with Bundle(tmp_path) as bundle:
        info = bundle.info()  # taken before the mounts are read, as the engine does
        found = Evidence(bundle).get(Kind.MOUNTS)
        result = bundle.read_table(MOUNTS_SOURCE)
    assert {m.svr_ip for m in found} == {"127.0.0.2", "127.0.0.3"}
    assert any("mounts/127.0.0.9: a link pointing outside the bundle: refused" in n for n in info.notes)
    assert any("mounts/evil name: not named after a server" in n for n in info.notes)
    blob = [p for p in result.problems if p.startswith("127.0.0.3")]
    assert len(blob) == mounts.SHOWN_PROBLEMS + 1 and "more line(s) not mount lines" in blob[-1]
