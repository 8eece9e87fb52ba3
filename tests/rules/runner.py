"""The one rule-test harness (sqlfluff-style): small cases of inline evidence and what must or
must not fire, one case file per rule module (``cases/<module>.yaml``; ``cases/codes.yaml`` for
the code families of ``rules/codes/``).

A case file holds ``rules`` (the rule ids to run, default: all), optional ``defaults`` (keys every
case of the file starts from; a case's own keys win), YAML anchors under ``x-*`` keys (shared
rows and lines, merged with ``<<: *anchor``), and ``cases``:

```yaml
rules: [P1]
defaults: {version: 4.2.1.0}
cases:
  - name: dest not set fires
    rules: [P1, S1]                  # this case runs these rules instead of the file's (optional)
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
    generated: true                  # write the bundle as scenarios/ bundles are written (optional, below)
    noise: 20                        # with generated: filler lines the generator adds to each log file
    files:                           # other files of the bundle, path -> text (optional; mounts/<ip>)
      mounts/127.0.0.2: "..."
    user_signatures:                 # files of the user's signature directory (optional)
      site.toml: "[[signature]] ..."
    fires:                           # findings that must be there; the first finding matching rule, cause,
                                     # tenant_id and job_id is then held to the other keys
      - rule: P1                     # no rule = any rule; no cause = any cause
        cause: backup_dest_not_set
        verdict: confirmed
        code: -9040
        title: "..."                 # equal
        servers: [127.0.0.2]         # equal (trace_ids too)
        has_trace_ids: [YB42...]     # these among its trace ids
        summary: ["fragment"]        # fragments its summary contains
        summary_lacks: ["fragment"]  # fragments its summary must not contain
        next_steps: ["fragment"]     # fragments some next step contains
        first_next_step: "prefix"    # its first next step starts so
        looked_at: ["fragment"]      # fragments some evidence step's looked_at contains
        showed: ["fragment"]         # ... some step's showed
        steps: ["fragment"]          # ... some step's "looked_at: showed"
        unchecked: ["fragment"]      # fragments the what of some of its own unchecked items contains
    absent: [unknown_start_failure]  # causes that must not be there
    silent: true                     # no finding at all from these rules
    count: 1                         # exactly this many findings
    observes: ["COMPLETED"]          # text fragments some observation must contain
    evidence: ["backup data dest"]   # text fragments the findings' evidence (steps, lines, rows) must contain
    evidence_lacks: ["SECRETKEY"]    # text fragments it must not contain
    notes: ["disagrees"]             # text fragments the findings' notes must contain
    notes_lacks: ["Why the window"]  # text fragments they must not contain
    unchecked: ["schedule_task"]     # text fragments some unchecked item (report's or a finding's) must contain
    report_unchecked: ["bad.toml"]   # ... some of the report's own unchecked items must contain
    unchecked_lacks: ["internal error"]  # no unchecked item may contain
```

The evidence is written as a real bundle in a temporary directory and read back through
``sources.bundle``: the cases exercise the same path as ``obdoctor analyze``. By default the
bundle holds exactly what the case declares (SQL as JSONL, the declared columns only, the log
lines and nothing else). With ``generated: true`` it is written by ``scenarios.generator`` as the
example bundles are: every catalogued column of each view for the version (undeclared cells
empty or NULL, a misspelt column an error), obclient table format, the servers
``127.0.0.2-4`` in the manifest, and ``noise`` filler lines mixed into every log file; the log
file's name gives the family (``observer.log``).

The signature directory is always the case's own (``$XDG_CONFIG_HOME`` points into the temporary
directory during the run), so a signature of the machine running the tests never changes a case.

Python tests that check what YAML cannot say build a case dict of this schema and call
``run_case`` / ``write_bundle`` / ``check`` (``tests/rules/test_*.py``).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import yaml

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.findings import Finding, Report
from obdoctor.rules.base import RuleOptions, all_rules
from obdoctor.scenarios import generator, render_sql
from obdoctor.scenarios.generator import render_line
from obdoctor.scenarios.model import LogFileSpec, LogLine, Scenario, SqlTable
from obdoctor.sources.bundle import Bundle

CASES = Path(__file__).parent / "cases"
CODE_FAMILIES_FILE = "codes"
"""The case file of the code families (``rules/codes/``): reached through P3 (and P2)."""

FILE_KEYS = {"rules", "defaults", "cases"}
CASE_KEYS = {"name", "rules", "version", "collected_at", "dba_tenant_id", "options", "sql", "logs",
             "generated", "noise", "files", "user_signatures",
             "fires", "absent", "silent", "count", "observes", "evidence", "evidence_lacks", "notes",
             "notes_lacks", "unchecked", "report_unchecked", "unchecked_lacks"}
WANT_KEYS = {"rule", "cause", "verdict", "code", "title", "tenant_id", "job_id", "servers", "trace_ids",
             "has_trace_ids", "summary", "summary_lacks", "next_steps", "first_next_step", "looked_at", "showed", "steps",
             "unchecked"}
GENERATED_SERVERS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


def load_file(path: Path) -> list[tuple[str, list[str] | None, dict]]:
    """The cases of one file, ``(name, rule ids, case)``; a misspelt key is an error, not a silently
    weaker test."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = {k for k in data if not k.startswith("x-")} - FILE_KEYS
    assert not unknown, f"{path.name}: unknown top-level key(s) {sorted(unknown)}"
    defaults = data.get("defaults") or {}
    out = []
    for own in data["cases"]:
        case = {**defaults, **own}
        name = f"{path.stem}::{case['name']}"
        unknown = set(case) - CASE_KEYS
        assert not unknown, f"{name}: unknown key(s) {sorted(unknown)}"
        for want in case.get("fires", []):
            assert not set(want) - WANT_KEYS, f"{name}: unknown key(s) {sorted(set(want) - WANT_KEYS)} in fires"
        assert case.get("fires") or case.get("silent") or case.get("absent") or case.get("count") is not None, \
            f"{name}: says nothing about what must or must not fire"
        out.append((name, case.get("rules", data.get("rules")), case))
    return out


def load_cases() -> list[tuple[str, list[str] | None, dict]]:
    """Every case of every file."""
    return [c for path in sorted(CASES.glob("*.yaml")) for c in load_file(path)]


def case_named(file_stem: str, name: str) -> dict:
    """One case of ``cases/<file_stem>.yaml`` (defaults applied): the evidence a Python test starts from."""
    [case] = [c for n, _, c in load_file(CASES / f"{file_stem}.yaml") if n == f"{file_stem}::{name}"]
    return case


def _text(value) -> str:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)


def _log_fields(entry) -> dict:
    fields = dict(entry)
    ts = fields["ts"] if isinstance(fields["ts"], datetime) else datetime.fromisoformat(str(fields["ts"]))
    fields["ts"] = ts.isoformat(sep=" ")
    return fields


def _log_line(entry, version: str | None) -> str:
    if isinstance(entry, str):
        return entry
    fields = _log_fields(entry)
    return render_line(LogLine(**fields), datetime.fromisoformat(fields["ts"]), version=version)


def _rows(spec) -> tuple[str | None, list[dict]]:
    fmt, rows = (None, spec) if isinstance(spec, list) else (spec.get("format"), spec.get("rows", []))
    return fmt, [{k: (_text(v) if isinstance(v, datetime) else v) for k, v in r.items()} for r in rows]


def _collected_at(case: dict) -> datetime | None:
    value = case.get("collected_at")
    return value if isinstance(value, datetime) or value is None else datetime.fromisoformat(str(value))


def _write_generated(case: dict, root: Path) -> Path:
    """The bundle as ``scenarios.generator`` writes example bundles (``generated: true``)."""
    logs = []
    for server, files in (case.get("logs") or {}).items():
        for name, lines in files.items():
            assert name.endswith(".log"), f"generated bundles name log files <family>.log, not {name}"
            logs.append(LogFileSpec(server=server, family=name.removesuffix(".log"), noise=int(case.get("noise", 0)),
                                    lines=[LogLine(**_log_fields(e)) for e in lines or []]))
    sql = []
    for view, spec in (case.get("sql") or {}).items():
        fmt, rows = _rows(spec)
        sql.append(SqlTable(view=view, rows=rows, format=fmt or "table"))
    scenario = Scenario(
        name="case", summary="", version=str(case.get("version") or "4.2.1.0"),
        collected_at=_collected_at(case) or datetime(2024, 6, 1, 12), servers=GENERATED_SERVERS, port=2882, seed=1,
        sql=sql, logs=logs, expect={}, dba_tenant_id=case.get("dba_tenant_id"))
    return generator.write_bundle(scenario, root)


def write_bundle(case: dict, root: Path) -> Path:
    """Write the case's evidence as a bundle directory ``root`` and return it."""
    bundle = _write_generated(case, root) if case.get("generated") else _write_declared(case, root)
    for name, text in (case.get("files") or {}).items():
        path = bundle / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return bundle


def _write_declared(case: dict, root: Path) -> Path:
    """The bundle of exactly what the case declares (the default)."""
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
        fmt, rows = _rows(spec)
        fmt = fmt or "jsonl"
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


@contextmanager
def _signature_home(case: dict, config: Path):
    """``$XDG_CONFIG_HOME`` at the case's own directory, holding its ``user_signatures``."""
    directory = config / "obdoctor" / "signatures"
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (case.get("user_signatures") or {}).items():
        (directory / name).write_text(text, encoding="utf-8")
    before = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(config)
    try:
        yield
    finally:
        if before is None:
            del os.environ["XDG_CONFIG_HOME"]
        else:
            os.environ["XDG_CONFIG_HOME"] = before


def run_case(case: dict, rule_ids: list[str] | None, tmp: Path) -> Report:
    """Write the case's bundle under ``tmp``, diagnose it with ``rule_ids`` (all when None) and
    return the report."""
    bundle_dir = write_bundle(case, tmp / "bundle")
    rules = [r for r in all_rules() if rule_ids is None or r.id in rule_ids]
    options = RuleOptions(**(case.get("options") or {}))
    with _signature_home(case, tmp / "config"), Bundle(bundle_dir) as bundle:
        return diagnose(Evidence(bundle), options, rules)


def _has_fragments(what: str, texts: list[str], fragments, where: str) -> None:
    for fragment in fragments:
        assert any(fragment in t for t in texts), f"{where}: no {what} contains {fragment!r}: {texts!r}"


def _check_finding(f: Finding, want: dict) -> None:
    where = want.get("cause") or f.cause
    for key in ("verdict", "code", "title"):
        if key in want:
            got = f.verdict.value if key == "verdict" else getattr(f, key)
            assert got == want[key], f"{where}: {key} {got!r}, expected {want[key]!r}"
    for key in ("servers", "trace_ids"):
        if key in want:
            assert getattr(f, key) == want[key], f"{where}: {key} {getattr(f, key)}, expected {want[key]}"
    missing = [t for t in want.get("has_trace_ids", []) if t not in f.trace_ids]
    assert not missing, f"{where}: trace ids {f.trace_ids} lack {missing}"
    for fragment in want.get("summary", []):
        assert fragment in f.summary, f"summary lacks {fragment!r}: {f.summary}"
    for fragment in want.get("summary_lacks", []):
        assert fragment not in f.summary, f"summary has {fragment!r}: {f.summary}"
    _has_fragments("next step", f.next_steps, want.get("next_steps", []), where)
    if "first_next_step" in want:
        assert f.next_steps and f.next_steps[0].startswith(want["first_next_step"]), \
            f"{where}: first next step {f.next_steps[:1]!r} does not start with {want['first_next_step']!r}"
    _has_fragments("step's looked_at", [s.looked_at for s in f.evidence], want.get("looked_at", []), where)
    _has_fragments("step's showed", [s.showed for s in f.evidence], want.get("showed", []), where)
    _has_fragments("step", [f"{s.looked_at}: {s.showed}" for s in f.evidence], want.get("steps", []), where)
    _has_fragments("unchecked item of the finding (what)", [u.what for u in f.unchecked], want.get("unchecked", []), where)


def check(report: Report, case: dict) -> None:
    findings = report.findings
    got = [(f.rule_id, f.cause, f.verdict.value, f.code) for f in findings]
    for want in case.get("fires", []):
        matches = [f for f in findings if want.get("cause", f.cause) == f.cause and f.rule_id == want.get("rule", f.rule_id)
                   and ("tenant_id" not in want or f.tenant_id == want["tenant_id"])
                   and ("job_id" not in want or f.job_id == want["job_id"])]
        assert matches, f"expected {want}, got {got}"
        _check_finding(matches[0], want)
    if "count" in case:
        assert len(findings) == case["count"], f"expected {case['count']} finding(s), got {got}"
    if case.get("silent"):
        assert not findings, f"expected no finding, got {got}"
    for cause in case.get("absent", []):
        assert cause not in [f.cause for f in findings], f"cause {cause} must not fire: {got}"
    evidence = "\n".join(f"{s.looked_at} | {s.showed} | {s.lines} | {s.rows}" for f in findings for s in f.evidence)
    for fragment in case.get("evidence", []):
        assert fragment in evidence, f"evidence lacks {fragment!r}:\n{evidence}"
    for fragment in case.get("evidence_lacks", []):
        assert fragment not in evidence, f"evidence shows {fragment!r}:\n{evidence}"
    notes = "\n".join(n for f in findings for n in f.notes)
    for fragment in case.get("notes", []):
        assert fragment in notes, f"notes lack {fragment!r}: {notes!r}"
    for fragment in case.get("notes_lacks", []):
        assert fragment not in notes, f"notes have {fragment!r}: {notes!r}"
    observations = "\n".join(o.text for o in report.observations)
    for fragment in case.get("observes", []):
        assert fragment in observations, f"no observation with {fragment!r}: {observations!r}"
    own = [f"{u.what}: {u.why}" for u in report.unchecked]
    every = "\n".join([*own, *(f"{u.what}: {u.why}" for f in findings for u in f.unchecked)])
    for fragment in case.get("unchecked", []):
        assert fragment in every, f"nothing unchecked mentions {fragment!r}: {every!r}"
    _has_fragments("unchecked item of the report", own, case.get("report_unchecked", []), "report")
    for fragment in case.get("unchecked_lacks", []):
        assert fragment not in every, f"something unchecked mentions {fragment!r}: {every!r}"
