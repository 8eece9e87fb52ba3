"""The report for a person at a terminal (rich): verdict first, then the proof, then what to do."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from obdoctor.findings import Finding, Report, Verdict
from obdoctor.report.redact import redact_report

_STYLE = {Verdict.CONFIRMED: "bold red", Verdict.LIKELY: "bold yellow", Verdict.UNKNOWN: "bold magenta"}


def render(report: Report, console: Console) -> None:
    report = redact_report(report)  # idempotent: secrets are gone even if called directly
    src = report.source
    head = f"obdoctor · {src.get('kind')} {src.get('location')}"
    if src.get("version"):
        head += f" · {src.get('product') or 'OceanBase'} {src['version']}"
    if src.get("collected_at"):
        head += f" · collected {src['collected_at']}"
    if src.get("hosts_redacted"):
        head += " · addresses and host names are aliases (--redact-hosts)"
    console.print(Text(head, style="dim"))
    for note in src.get("notes") or []:
        console.print(Text(f"Input: {note}", style="yellow"))
    if not report.findings and src.get("version_scope"):  # a 3.x cluster: never a bare all-clear
        console.print(Text(str(src["version_scope"]), style="bold yellow"))
    elif not report.findings:
        if _had_evidence(report):
            console.print(Text("No failed or stuck backup found.", style="bold green"))
        else:
            console.print(Text("No usable evidence: nothing could be read, so nothing can be said "
                               "(see 'Could not check').", style="bold yellow"))
    for number, finding in enumerate(report.findings, 1):
        console.print(_finding_panel(number, finding))
    if report.observations:
        console.print(Text("Also checked", style="bold"))
        for o in report.observations:
            console.print(f"  • {escape(o.text)}")
    if report.unchecked:
        console.print(Text("Could not check", style="bold"))
        for u in report.unchecked:
            console.print(f"  • {escape(u.what)}: {escape(u.why)}")


def _had_evidence(report: Report) -> bool:
    """Same test as the exit code: a view with rows or a searched log file (exit_codes.for_report)."""
    return any(s.get("available") and s.get("rows") for s in report.sources_read if "view" in s) \
        or any(s.get("files") for s in report.sources_read if "log_search" in s)


def _finding_panel(number: int, f: Finding) -> Panel:
    parts = []
    title = Text.assemble((f"{f.verdict.value.upper()} ", _STYLE[f.verdict]), (f.title, "bold"))
    parts.append(Text(f.summary))
    meta = []
    if f.code is not None:
        meta.append(f"code {f.code}" + (f" {f.code_name}" if f.code_name else ""))
    if f.tenant_id is not None:
        meta.append(f"tenant {f.tenant_id}")
    if f.job_id is not None:
        meta.append(f"job {f.job_id}")
    if f.servers:
        meta.append("servers " + ", ".join(f.servers))
    if f.trace_ids:
        meta.append("traces " + ", ".join(f.trace_ids))
    meta.append(f"cause {f.cause} · rule {f.rule_id}")
    parts.append(Text(" · ".join(meta), style="dim"))
    parts.append(Text("\nEvidence", style="bold"))
    for i, step in enumerate(f.evidence, 1):
        parts.append(Text.assemble((f"{i}. {step.looked_at}", "cyan"), "\n   ", step.showed))
        if step.rows:
            parts.append(_rows_table(step.rows))
        for line, prov in zip(step.lines, step.provenance):
            parts.append(Text(f"   {prov.describe()}", style="dim"))
            parts.append(Text(f"   {_clip(line)}", style="yellow"))
    for note in f.notes:
        parts.append(Text(f"Note: {note}", style="italic"))
    if f.next_steps:
        parts.append(Text("\nNext steps", style="bold"))
        for s in f.next_steps:
            parts.append(Text(f"  → {s}"))
    if f.unchecked:
        parts.append(Text("\nCould not check", style="bold"))
        for u in f.unchecked:
            parts.append(Text(f"  • {u.what}: {u.why}"))
    return Panel(Group(*parts), title=Text.assemble(f"#{number} ", title), title_align="left",
                 border_style=_STYLE[f.verdict].split()[-1])


def _rows_table(rows: list[dict]) -> Table:
    columns = [c for c in rows[0] if any(r.get(c) not in (None, "") for r in rows)]
    table = Table(show_header=True, header_style="dim", box=None, padding=(0, 1), pad_edge=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows[:10]:
        table.add_row(*[_clip(str(r.get(c, "")) if r.get(c) is not None else "", 120) for c in columns])
    return table


def _clip(text: str, width: int = 400) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
