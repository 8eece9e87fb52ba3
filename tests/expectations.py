"""Compare a JSON report with a scenario's ``[expect]`` table (shared by offline and live tests)."""

from __future__ import annotations


def check_expectations(report: dict, expect: dict) -> None:
    findings = report["findings"]
    wanted = expect.get("findings", [])
    for want in wanted:
        matches = [f for f in findings if f["cause"] == want["cause"] and f["rule_id"] == want.get("rule", f["rule_id"])
                   and (want.get("tenant_id") is None or f["tenant_id"] == want["tenant_id"])]
        assert matches, f"expected cause {want['cause']} (rule {want.get('rule')}), got {[(f['rule_id'], f['cause']) for f in findings]}"
        got = matches[0]
        for key in ("verdict", "code", "job_id"):
            if key in want:
                assert got[key] == want[key], f"{want['cause']}: {key} is {got[key]!r}, expected {want[key]!r}"
        for key in ("servers", "trace_ids"):
            if key in want:
                missing = [v for v in want[key] if v not in got[key]]
                assert not missing, f"{want['cause']}: {key} {got[key]} lacks {missing}"
    if "findings" in expect and expect.get("only", True):
        assert len(findings) == len(wanted), f"expected {len(wanted)} finding(s), got {[(f['rule_id'], f['cause']) for f in findings]}"
    for cause in expect.get("absent", []):
        assert cause not in [f["cause"] for f in findings], f"cause {cause} must not fire"
    for fragment in expect.get("notes_contain", []):
        assert any(fragment in note for note in report["source"]["notes"]), f"notes lack {fragment!r}: {report['source']['notes']}"
    for fragment in expect.get("evidence_contains", []):
        text = str([f["evidence"] for f in findings])
        assert fragment in text, f"evidence lacks {fragment!r}"
