"""Rule fixtures (sqlfluff-style): small cases of inline evidence and what must or must not fire.

A case file ``cases/*.yaml`` holds ``rules`` (the rule ids to run, default: all) and ``cases``:

```yaml
rules: [P1]
cases:
  - name: dest not set fires
    version: 4.2.1.0                 # manifest version (optional)
    collected_at: 2023-09-26 15:00:00
    dba_tenant_id: 1002              # optional
    options: {tenant_id: 1002, all_jobs: true}   # RuleOptions (optional)
    sql:                             # view -> rows (written as JSONL) or {format: csv|tsv|table|vertical, rows: [...]}
      DBA_OB_ROOTSERVICE_EVENT_HISTORY:
        - {TIMESTAMP: "2023-09-26 14:00:00", MODULE: backup_data, ...}
    logs:                            # server -> file -> lines (raw text, or fields of scenarios.model.LogLine)
      127.0.0.2:
        rootservice.log:
          - {ts: "2023-09-26 14:00:00", level: WDIAG, module: RS, body: "..."}
    fires:                           # findings that must be there (rule, cause, verdict, code, tenant_id, job_id,
                                     # servers, trace_ids, summary fragments); no cause = any cause
      - {cause: backup_dest_not_set, verdict: confirmed, code: -9040}
    absent: [unknown_start_failure]  # causes that must not be there
    silent: true                     # no finding at all from these rules
    observes: ["COMPLETED"]          # text fragments some observation must contain
    evidence: ["backup data dest"]   # text fragments the findings' evidence must contain
    notes: ["disagrees"]             # text fragments the findings' notes must contain
    unchecked: ["schedule_task"]     # text fragments some unchecked item must contain
```

The evidence is written as a real bundle in a temporary directory and read back through
``sources.bundle``: the cases exercise the same path as ``obdoctor analyze``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import yaml

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.findings import Report
from obdoctor.rules.base import RuleOptions, all_rules
from obdoctor.scenarios import render_sql
from obdoctor.scenarios.generator import render_line
from obdoctor.scenarios.model import LogLine
from obdoctor.sources.bundle import Bundle

CASES = Path(__file__).parent / "cases"


CASE_KEYS = {"name", "version", "collected_at", "dba_tenant_id", "options", "sql", "logs",
             "fires", "absent", "silent", "count", "observes", "evidence", "notes", "unchecked"}
WANT_KEYS = {"rule", "cause", "verdict", "code", "tenant_id", "job_id", "servers", "trace_ids", "summary"}


def load_cases() -> list[tuple[str, list[str] | None, dict]]:
    """Every case of every file; a misspelt key is an error, not a silently weaker test."""
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = data.get("rules")
        for case in data["cases"]:
            name = f"{path.stem}::{case['name']}"
            unknown = set(case) - CASE_KEYS
            assert not unknown, f"{name}: unknown key(s) {sorted(unknown)}"
            for want in case.get("fires", []):
                assert not set(want) - WANT_KEYS, f"{name}: unknown key(s) {sorted(set(want) - WANT_KEYS)} in fires"
            assert case.get("fires") or case.get("silent") or case.get("absent") or case.get("count") is not None, \
                f"{name}: says nothing about what must or must not fire"
            out.append((name, rules, case))
    return out


def _text(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)


def _log_line(entry, version: str | None) -> str:
    if isinstance(entry, str):
        return entry
    fields = dict(entry)
    ts = fields["ts"] if isinstance(fields["ts"], datetime) else datetime.fromisoformat(str(fields["ts"]))
    fields["ts"] = ts.isoformat(sep=" ")
    line = LogLine(**fields)
    return render_line(line, ts, version=version)


def write_bundle(case: dict, root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    manifest = ["[cluster]"]
    if case.get("version"):
        manifest.append(f'version = "{case["version"]}"')
    if case.get("collected_at"):
        manifest.append(f"collected_at = {_text(case['collected_at']).replace(' ', 'T')}")
    if case.get("dba_tenant_id") is not None:
        manifest.append(f"dba_tenant_id = {int(case['dba_tenant_id'])}")
    (root / "manifest.toml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    sql = root / "sql"
    sql.mkdir(exist_ok=True)
    for view, spec in (case.get("sql") or {}).items():
        fmt, rows = ("jsonl", spec) if isinstance(spec, list) else (spec.get("format", "jsonl"), spec.get("rows", []))
        rows = [{k: (_text(v) if isinstance(v, datetime) else v) for k, v in r.items()} for r in rows]
        columns: list[str] = []
        for r in rows:
            columns += [k for k in r if k not in columns]
        if fmt == "jsonl":
            ext, text = "jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        else:
            ext, text = render_sql.render(fmt, columns, rows)
        (sql / f"{view}.{ext}").write_text(text, encoding="utf-8")
    for server, files in (case.get("logs") or {}).items():
        directory = root / "logs" / server
        directory.mkdir(parents=True, exist_ok=True)
        for name, lines in files.items():
            text = "".join(_log_line(e, case.get("version")) + "\n" for e in lines or [])
            (directory / name).write_text(text, encoding="utf-8")
    return root


def run_case(case: dict, rule_ids: list[str] | None, tmp: Path) -> Report:
    bundle_dir = write_bundle(case, tmp / "bundle")
    rules = [r for r in all_rules() if rule_ids is None or r.id in rule_ids]
    options = RuleOptions(**(case.get("options") or {}))
    with Bundle(bundle_dir) as bundle:
        return diagnose(Evidence(bundle), options, rules)


def check(report: Report, case: dict) -> None:
    findings = report.findings
    got = [(f.rule_id, f.cause, f.verdict.value, f.code) for f in findings]
    for want in case.get("fires", []):
        matches = [f for f in findings if want.get("cause", f.cause) == f.cause and f.rule_id == want.get("rule", f.rule_id)
                   and ("tenant_id" not in want or f.tenant_id == want["tenant_id"])
                   and ("job_id" not in want or f.job_id == want["job_id"])]
        assert matches, f"expected {want}, got {got}"
        f = matches[0]
        if "verdict" in want:
            assert f.verdict.value == want["verdict"], f"{want.get('cause')}: verdict {f.verdict.value}, expected {want['verdict']}"
        if "code" in want:
            assert f.code == want["code"], f"{want.get('cause')}: code {f.code}, expected {want['code']}"
        for key in ("servers", "trace_ids"):
            if key in want:
                assert getattr(f, key) == want[key], f"{want.get('cause')}: {key} {getattr(f, key)}, expected {want[key]}"
        for fragment in want.get("summary", []):
            assert fragment in f.summary, f"summary lacks {fragment!r}: {f.summary}"
    if "count" in case:
        assert len(findings) == case["count"], f"expected {case['count']} finding(s), got {got}"
    if case.get("silent"):
        assert not findings, f"expected no finding, got {got}"
    for cause in case.get("absent", []):
        assert cause not in [f.cause for f in findings], f"cause {cause} must not fire: {got}"
    evidence = "\n".join(f"{s.looked_at} | {s.showed} | {s.lines} | {s.rows}" for f in findings for s in f.evidence)
    for fragment in case.get("evidence", []):
        assert fragment in evidence, f"evidence lacks {fragment!r}:\n{evidence}"
    notes = "\n".join(n for f in findings for n in f.notes)
    for fragment in case.get("notes", []):
        assert fragment in notes, f"notes lack {fragment!r}: {notes!r}"
    observations = "\n".join(o.text for o in report.observations)
    for fragment in case.get("observes", []):
        assert fragment in observations, f"no observation with {fragment!r}: {observations!r}"
    unchecked = "\n".join(f"{u.what}: {u.why}" for u in [*report.unchecked, *(u for f in findings for u in f.unchecked)])
    for fragment in case.get("unchecked", []):
        assert fragment in unchecked, f"nothing unchecked mentions {fragment!r}: {unchecked!r}"
