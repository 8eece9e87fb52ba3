"""The report to paste into a ticket (``--format markdown``).

Order is the order a support engineer reads: the verdict, then per finding the evidence chain
as the DBA walked it (view rows as small tables, log lines as code blocks headed by
server/file/line), the next steps, and what could not be checked. GitHub-flavoured Markdown
that also reads as plain text: free text is escaped only where Markdown would mangle it.
"""

from __future__ import annotations

import re

from obdoctor.findings import EvidenceStep, Finding, Report, ViewRead
from obdoctor.report.formats import RenderOptions, register
from obdoctor.report.redact import redact_report
from obdoctor.report.next_commands import next_commands
from obdoctor.report.common import cell, clip, finding_facts, headline, row_columns, source_facts

MAX_ROWS = 20
MAX_CELL = 200

# `*` between spaces (SELECT * FROM) cannot start emphasis: left as is, the rest is escaped.
_SPECIAL = re.compile(r"[\\<>\[\]]|(?<=[A-Za-z0-9])_+(?![A-Za-z0-9])|\*(?!(?<=(?<!\S)\*)(?!\S))")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LEADING_UNDERSCORE = re.compile(r"(?:(?<![\w`/])|(?<=/))__?[A-Za-z]\w*(?:\.\w+)*")


@register("markdown", order=2, suffixes=(".md", ".markdown"))
def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    report = redact_report(report)  # idempotent: secrets are gone even if called directly
    out: list[str] = ["# obdoctor report", ""]
    out.append(" · ".join(f"{label} {_code(value) if label in ('source',) else _text(value)}"
                          for label, value in source_facts(report)))
    out += ["", "## Verdict", "", f"**{_text(headline(report))}**", ""]
    if report.findings:
        out += ["| # | verdict | what | tenant | job | code |", "|---|---|---|---|---|---|"]
        for n, f in enumerate(report.findings, 1):
            code = f"{f.code} {f.code_name or ''}".strip() if f.code is not None else ""
            out.append(f"| {n} | **{f.verdict.value.upper()}** | {_cell(f.title)} | {_cell(f.tenant_id)} "
                       f"| {_cell(f.job_id)} | {_cell(code)} |")
        out.append("")
    for n, f in enumerate(report.findings, 1):
        out += _finding(n, f)
    if report.observations:
        out += ["## Also checked", ""]
        out += [f"- {_text(o.text)}" for o in report.observations]
        out.append("")
    if report.unchecked:
        out += ["## Could not check", ""]
        out += [f"- **{_text(u.what)}**: {_text(u.why)}" + (f"; would decide it: `{u.query}`" if u.query else "")
                for u in report.unchecked]
        out.append("")
    commands = next_commands(report)
    if commands:
        out += ["## Run next", ""]
        out += [f"- {'on ' + c.server + ': ' if c.server else ''}`{c.command}`" for c in commands]
        out.append("")
    out += _sources(report)
    return "\n".join(out).rstrip("\n") + "\n"


def _finding(n: int, f: Finding) -> list[str]:
    out = [f"## {n}. {f.verdict.value.upper()}: {_text(f.title)}", "", _text(f.summary), ""]
    out += [f"- **{label}**: {_code(value) if label in ('code', 'trace ids', 'cause') else _text(value)}"
            for label, value in finding_facts(f)]
    out.append("")
    if f.evidence:
        out += ["### Evidence", ""]
        for i, step in enumerate(f.evidence, 1):
            out += _step(i, step)
    if f.notes:
        out += ["### Notes", ""]
        out += [f"- {_text(note)}" for note in f.notes]
        out.append("")
    if f.next_steps:
        out += ["### Next steps", ""]
        out += [f"{i}. {_text(s)}" for i, s in enumerate(f.next_steps, 1)]
        out.append("")
    if f.unchecked:
        out += ["### Could not check", ""]
        out += [f"- **{_text(u.what)}**: {_text(u.why)}" for u in f.unchecked]
        out.append("")
    return out


def _step(i: int, step: EvidenceStep) -> list[str]:
    out = [f"{i}. Looked at {_code(step.looked_at)}: {_text(step.showed)}", ""]
    if step.rows:
        rows = [r.cells for r in step.rows]
        columns = row_columns(rows)
        if columns:
            out.append("   | " + " | ".join(_cell(c) for c in columns) + " |")
            out.append("   |" + "---|" * len(columns))
            for row in rows[:MAX_ROWS]:
                out.append("   | " + " | ".join(_cell(clip(cell(row.get(c)), MAX_CELL)) for c in columns) + " |")
            if len(step.rows) > MAX_ROWS:
                out.append(f"   _… {len(step.rows) - MAX_ROWS} more rows_")
            out.append("")
        sources = [p.describe() + (f" ({p.location})" if p.location else "")
                   for p in step.all_provenance() if p.kind != "log"]
        if sources:
            out += ["   Source: " + "; ".join(_code(s) for s in sources[:MAX_ROWS]), ""]
    for ref in step.lines:
        line, prov = ref.text, ref.provenance
        if prov is not None:
            where = [f"server {_code(prov.server)}" if prov.server else "", f"file {_code(prov.name)}",
                     f"line {prov.line}" if prov.line else ""]
            out.append("   " + " · ".join(w for w in where if w)
                       + (f" ({_code(prov.location)})" if prov.location else ""))
            out.append("")
        fence = "`" * max(3, _longest_backtick_run(line) + 1)
        out += [f"   {fence}text", "   " + line.replace("\n", "\n   "), f"   {fence}", ""]
    return out


def _text(value) -> str:
    """Free text: Markdown specials escaped, newlines kept as line breaks.

    Code spans the text already has (next steps quote commands in backticks) are kept as they
    are; names with leading underscores (``__all_virtual_*``) become code, which reads better
    than a row of backslashes; everything else that Markdown would turn into emphasis, HTML or
    links is escaped.
    """
    text = cell(value)
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_escape(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out).replace("\n", "  \n")


def _escape(text: str) -> str:
    parts, pos = [], 0
    for m in _LEADING_UNDERSCORE.finditer(text):
        parts.append(_SPECIAL.sub(lambda s: "\\" + s.group(0), text[pos:m.start()].replace("`", "\\`")))
        parts.append(_code(m.group(0)))
        pos = m.end()
    parts.append(_SPECIAL.sub(lambda s: "\\" + s.group(0), text[pos:].replace("`", "\\`")))
    return "".join(parts)


def _cell(value) -> str:
    """A table cell: escaped, one line, pipes escaped."""
    return _text(value).replace("  \n", " ").replace("|", "\\|")


def _code(value) -> str:
    """Inline code that survives backticks in the value (``x``, ```` `` a`b `` ````)."""
    text = cell(value).replace("\n", " ")
    run = _longest_backtick_run(text)
    ticks = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _longest_backtick_run(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)


def _sources(report: Report) -> list[str]:
    if not report.sources_read:
        return []
    out = ["## Sources read", "", "| source | result |", "|---|---|"]
    for s in report.sources_read:
        if isinstance(s, ViewRead):
            result = _plural(s.rows, "row") if s.available else f"not available: {s.reason or '?'}"
            out.append(f"| {_cell(s.view)} | {_cell(result)} |")
        else:
            servers = ", ".join(s.servers) or "all servers"
            result = f"{_plural(s.matches, 'matching line')} in {_plural(s.files, 'file')} on {servers}"
            if s.unchecked:
                result += "; not searched: " + "; ".join(str(u) for u in s.unchecked)
            out.append(f"| log search: {_cell(s.purpose)} | {_cell(result)} |")
    out.append("")
    return out


def _plural(n, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
