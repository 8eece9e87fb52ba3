"""Each server's zone read at collection, over the SSH ``collect`` already opens (``date +%z``),
written into the manifest and used offline before any inference from trace ids.

The sshd fixture runs each simulated server's shell with its own ``TZ`` (``SimSsh.serve_zones``,
through the ``ForceCommand`` wrapper): 127.0.0.3 on UTC, 127.0.0.2 on +09:00. Scenario
``clock-skew-utc-logs``: views on +08:00, the proving lines on 127.0.0.3 stamped in UTC.
"""

from __future__ import annotations

import io
import tomllib

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main
from obdoctor.sources.bundle import Bundle
from obdoctor.sources.collect import RecordingSource, write_archive
from tests.live import livekit
from tests.live.livekit import live_over_bundle_tables, members, run
from tests.live.simssh import simssh  # noqa: F401  (fixture)

NAME = "clock-skew-utc-logs"
TRACE = "YB427F000002-0005E98EC6000702-0-0"  # the failed task's trace, its lines on 127.0.0.3


@pytest.fixture
def zoned(simssh, tmp_path):
    bundle = livekit.build_bundles(tmp_path / "scenarios")[NAME]
    simssh.load_bundle(bundle)
    simssh.serve_zones({"127.0.0.3": "UTC0", "127.0.0.2": "XST-9"})
    yield simssh, bundle
    simssh.serve_zones({})


def test_collect_records_each_servers_zone_and_analyze_uses_it(zoned, tmp_path):
    cluster, bundle = zoned
    archive = tmp_path / "collected.tar.gz"
    source, ssh = live_over_bundle_tables(cluster, bundle)
    with source:
        recording = RecordingSource(source)
        live, _ = run(recording)
        write_archive(recording, archive)
        sent = [text for _server, text in ssh.sent]
    manifest = tomllib.loads(members(archive)["manifest.toml"].decode())
    assert manifest["cluster"]["server_time_zones"] == {"127.0.0.2": "+09:00", "127.0.0.3": "+00:00"}
    assert sum("date" in text for text in sent) == 2  # one read-only command per server searched
    with Bundle(archive) as offline:
        from obdoctor.engine import diagnose
        from obdoctor.evidence import Evidence

        report = diagnose(Evidence(offline))
        notes = " ".join(offline.info().notes)
    assert "the zone read on 127.0.0.3 at collection" in notes, notes
    assert [(f.cause, f.verdict.value) for f in report.findings] == [("dest_permission_denied", "confirmed")]
    assert [(f["cause"], f["verdict"]) for f in live["findings"]] == [("dest_permission_denied", "confirmed")]
    assert "disagree" not in notes

    # logs search on the collected bundle: the report's times, searched on 127.0.0.3's recorded UTC
    out, err = io.StringIO(), io.StringIO()
    code = main(["logs", "search", "-e", TRACE, "--since", "2023-09-26 14:30", "--until", "2023-09-26 14:40",
                 str(archive)], Environment(stdout=out, stderr=err, env={}))
    assert code == 0 and out.getvalue().count(TRACE) >= 1, err.getvalue()
    assert "(127.0.0.3: +00:00, read on the server at collection): 2023-09-26 06:30:00" in err.getvalue()
