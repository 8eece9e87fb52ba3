"""Next steps scoped to a destination kind ("NFS:", "Object storage:") apply only to that kind."""

from obdoctor.catalog.cause_ids import DEST_PERMISSION_DENIED, ERROR_CODE
from obdoctor.findings import Verdict
from obdoctor.rules.base import Chain


def _steps(kind):
    chain = Chain("T")
    chain.destination_kind = kind
    return chain.finding(DEST_PERMISSION_DENIED, Verdict.LIKELY, "s").next_steps


def test_nfs_destination_gets_no_object_storage_advice():
    steps = _steps("nfs")
    assert any(s.startswith("NFS:") for s in steps)
    assert not any(s.startswith("Object storage:") for s in steps)


def test_object_storage_destination_gets_no_nfs_advice():
    steps = _steps("oss")
    assert any(s.startswith("Object storage:") for s in steps)
    assert not any(s.startswith("NFS:") for s in steps)


def test_unknown_destination_gets_both():
    steps = _steps(None)
    assert any(s.startswith("NFS:") for s in steps) and any(s.startswith("Object storage:") for s in steps)


def test_a_hostile_trace_id_is_reported_not_named():
    chain = Chain("T")
    chain.trace("Y1-$(touch /tmp/x)")
    chain.trace("YB427F000002-0005E98EBF8D9DC7-0-0")
    finding = chain.finding(ERROR_CODE, Verdict.LIKELY, "s")
    assert finding.trace_ids == ["YB427F000002-0005E98EBF8D9DC7-0-0"]
    assert any("not an OceanBase trace id" in u.why for u in finding.unchecked)


def test_next_steps_never_point_at_lines_that_are_not_shown():
    """Issue 11: "the lines above" only when lines are shown; the pointer goes, the step says so."""
    from obdoctor.rules.base import Chain

    chain = Chain("P3")
    step = chain._shown("Read the log lines listed above on the executing server around the failure time.")
    assert "above" not in step and "none shown here: the evidence has no such lines" in step
    assert chain._shown("Fix the cause above, then retry.") == "Fix the cause above, then retry."
    chain.servers.append("127.0.0.3")
    assert chain._shown("On the server named above: check the mount.") == "On the server named above: check the mount."
    assert "no such traces" in chain._shown("Search observer.log* for the ls task's trace id (listed above).")
