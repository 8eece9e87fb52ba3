"""Wording shared by the Markdown and HTML reports, so both say the same thing the same way."""

from __future__ import annotations

from typing import Any

from obdoctor.catalog.cause_ids import CLEAN_FAILED, ERROR_CODE, RESTORE_COMMAND_FAILED, RESTORE_FAILED
from obdoctor.findings import Finding, LogRead, Report, Verdict, ViewRead


def headline(report: Report) -> str:
    """The one sentence a DBA reads first; every format says it (and it agrees with the exit code)."""
    if report.internal_errors:
        names = ", ".join(u.what for u in report.internal_errors)
        return (f"obdoctor hit an internal error in {names}: a bug, please report it; "
                f"the findings below may be incomplete.")
    if not report.findings and report.source.version_scope:
        return str(report.source.version_scope)  # a 3.x cluster: never a bare all-clear
    if not report.findings:
        if report.out_of_scope:
            return "Nothing to diagnose: " + "; ".join(report.out_of_scope) + "."
        if not had_evidence(report):
            return "No usable evidence: nothing could be read, so nothing can be said (see 'Could not check')."
        if not report.decided:
            missing = ", ".join(u.what for u in report.undecided)
            return (f"No failed or stuck backup seen, but the evidence cannot rule one out: {missing} "
                    f"could not be read (see 'Could not check').")
        return "No failed or stuck backup found."
    counts = {v: sum(1 for f in report.findings if f.verdict is v) for v in Verdict}
    n = len(report.findings)
    parts = [f"{counts[v]} {v.value}" for v in Verdict if counts[v]]
    noun = "problem" if n == 1 else "problems"
    if any(f.verdict is not Verdict.UNKNOWN and not code_only(f) for f in report.findings):
        return f"{n} backup {noun} found, cause named ({', '.join(parts)})."
    if report.diagnosed:
        return (f"{n} backup {noun} found: the error code is known, no cause beyond the code's meaning "
                f"({', '.join(parts)}).")
    return f"{n} backup {noun} found, cause not named by the evidence ({', '.join(parts)})."


CODE_ONLY_CAUSES = (ERROR_CODE, CLEAN_FAILED, RESTORE_FAILED, RESTORE_COMMAND_FAILED)
"""Causes that say "it failed with this code" and nothing more (the code's documented meaning)."""


def code_only(f: Finding) -> bool:
    """A finding that knows the code but no cause beyond the code's documented meaning."""
    return f.cause in CODE_ONLY_CAUSES


def had_evidence(report: Report) -> bool:
    """A view with rows or a searched log file: something was there to look at."""
    return any(s.available and s.rows for s in report.sources_read if isinstance(s, ViewRead)) \
        or any(s.files for s in report.sources_read if isinstance(s, LogRead))


def source_facts(report: Report) -> list[tuple[str, str]]:
    """Where the evidence came from, as label/value pairs."""
    src = report.source
    facts = [("source", f"{src.kind or '?'} {src.location or ''}".strip())]
    if src.cluster:
        facts.append(("cluster", str(src.cluster)))
    if src.version:
        facts.append((str(src.product or "OceanBase"), str(src.version)))
    if src.collected_at:
        facts.append(("collected", str(src.collected_at)))
    if src.servers:
        facts.append(("servers", ", ".join(str(s) for s in src.servers)))
    if src.hosts_redacted:
        facts.append(("hosts", "addresses and host names are aliases (--redact-hosts)"))
    # what the source said about itself (the clocks' offset, disagreeing files, a 3.x cluster):
    # part of how the evidence must be read, so in every format, as the terminal's "Input:" lines
    facts += [("note", str(n)) for n in src.notes]
    return facts


def finding_facts(f: Finding) -> list[tuple[str, str]]:
    """The identifying facts of a finding (code, tenant, job, servers, traces, time, cause)."""
    facts = []
    if f.code is not None:
        facts.append(("code", f"{f.code}" + (f" {f.code_name}" if f.code_name else "")))
    if f.tenant_id is not None:
        facts.append(("tenant", str(f.tenant_id)))
    if f.job_id is not None:
        facts.append(("job", str(f.job_id)))
    if f.time is not None:
        facts.append(("when", f.time.isoformat(sep=" ")))
    if f.servers:
        facts.append(("servers", ", ".join(f.servers)))
    if f.trace_ids:
        facts.append(("trace ids", ", ".join(f.trace_ids)))
    facts.append(("cause", f"{f.cause} (rule {f.rule_id})"))
    return facts


def row_columns(rows: list[dict[str, Any]]) -> list[str]:
    """Columns worth a table column: those with a value in at least one row, in row order."""
    columns: list[str] = []
    for row in rows:
        for c in row:
            if c not in columns:
                columns.append(c)
    return [c for c in columns if any(r.get(c) not in (None, "") for r in rows)]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ")
    return str(value)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def headline_style(report: Report) -> str:
    """Green only for an earned all-clear."""
    if report.internal_errors:
        return "bold red"
    if not report.findings and report.decided and not report.out_of_scope and not report.source.version_scope:
        return "bold green"
    return "bold red" if report.diagnosed else "bold yellow"
