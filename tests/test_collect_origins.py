"""``collect`` over any source (here an offline bundle): the stored lines' origins survive
multi-line records, compressed files and a second reading."""

from obdoctor.evidence import LogQuery
from obdoctor.sources.bundle import Bundle
from obdoctor.sources.collect import RecordingSource, write_bundle

from tests.logs.conftest import make_lines, write


def test_origins_count_continuation_lines_and_name_the_compressed_file(tmp_path):
    src = tmp_path / "src" / "logs" / "10.0.0.1"
    src.mkdir(parents=True)
    lines = make_lines(400)  # every 90th record has a continuation line; every 50th holds ret=-9043
    write(src / "observer.log.20240318080500000.gz", lines, "gz")
    query = LogQuery(servers=("10.0.0.1",), any_of=("ret=-9043", "from dual"), purpose="test")
    with Bundle(tmp_path / "src") as original:
        recording = RecordingSource(original)
        before = recording.search_logs(query).records
        write_bundle(recording, tmp_path / "out")
    assert any("\n" in r.raw for r in before)  # multi-line records were collected
    with Bundle(tmp_path / "out") as collected:
        after = collected.search_logs(query).records
    assert [(r.origin, r.line_no, r.offset, r.raw) for r in after] == [
        ("observer.log.20240318080500000.gz", r.line_no, r.offset, r.raw) for r in before]
