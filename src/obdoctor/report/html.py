"""The report to open in a browser (``--format html -o report.html``).

One self-contained file: inline CSS and JS, no fonts, images or scripts fetched (a
Content-Security-Policy forbids any network use), readable without JS. Top to bottom: the
verdict and each finding (evidence collapsible), then the timeline across servers — one lane per
server, events colour-coded by trace id and level, filterable by trace and level —, then what
could not be checked and what was read. Every value from the evidence is HTML-escaped: log
lines hold ``<``, ``&`` and quotes.
"""

from __future__ import annotations

from html import escape

from obdoctor import __version__
from obdoctor.findings import EvidenceStep, Finding, Report, ViewRead
from obdoctor.logs import decode_addr
from obdoctor.report.formats import RenderOptions, register
from obdoctor.report.redact import redact_report
from obdoctor.report.common import cell, clip, finding_facts, headline, headline_style, row_columns, source_facts
from obdoctor.report.html_assets import CSS, JS, TRACE_COLOURS
from obdoctor.report.timeline import Timeline, TimelineEvent, build_timeline

MAX_ROWS = 50
SHOWN_LINES = 3
"""Log lines of a step shown open; the rest are one click away (the chain stays scannable)."""
MAX_LANES = 6
"""More servers than this and the timeline is one column with the server on each event."""


@register("html", order=3, suffixes=(".html", ".htm"))
def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    report = redact_report(report)  # idempotent: secrets are gone even if called directly
    timeline = build_timeline(report)
    title = headline(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>obdoctor: {_e(title)}</title>",
        f"<style>{CSS}</style></head>",
        "<body>",
        _header(report),
        "<main>",
        _verdict(report, title),
        *(_finding(n, f) for n, f in enumerate(report.findings, 1)),
        _timeline(timeline),
        _unchecked(report),
        _observations(report),
        _sources(report),
        "</main>",
        f'<footer>obdoctor {_e(__version__)} · secrets are always removed from this report</footer>',
        f"<script>{JS}</script>",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _e(value) -> str:
    return escape(cell(value), quote=True)


def _header(report: Report) -> str:
    facts = "".join(f"<span><b>{_e(label)}</b> {_e(value)}</span>" for label, value in source_facts(report))
    return f'<header><span class="brand">obdoctor</span>{facts}</header>'


def _verdict(report: Report, title: str) -> str:
    if report.internal_errors:
        kind = "undiagnosed"
    elif not report.findings:
        kind = "ok" if headline_style(report) == "bold green" else "undiagnosed"
    else:
        kind = "diagnosed" if report.diagnosed else "undiagnosed"
    items = []
    for n, f in enumerate(report.findings, 1):
        code = f" · {f.code} {f.code_name or ''}" if f.code is not None else ""
        who = " · ".join(x for x in (f"tenant {f.tenant_id}" if f.tenant_id is not None else "",
                                      f"job {f.job_id}" if f.job_id is not None else "") if x)
        items.append(
            f'<li><a href="#finding-{n}"><span class="badge v-{_e(f.verdict.value)}">{_e(f.verdict.value)}</span> '
            f"<b>{_e(f.title)}</b></a> <span class=\"dim\">{_e(who)}{_e(code)}</span></li>")
    listing = f"<ol class=\"summary\">{''.join(items)}</ol>" if items else ""
    return (f'<section id="verdict" class="verdict {kind}"><h1>{_e(title)}</h1>{listing}'
            f'<p class="dim"><a href="#timeline">Timeline</a> · <a href="#unchecked">Could not check</a> · '
            f'<a href="#sources">Sources read</a></p></section>')


def _finding(n: int, f: Finding) -> str:
    facts = "".join(f"<dt>{_e(label)}</dt><dd>{_fact(label, value)}</dd>" for label, value in finding_facts(f))
    out = [f'<section class="finding v-{_e(f.verdict.value)}" id="finding-{n}">',
           f'<h2><span class="badge v-{_e(f.verdict.value)}">{_e(f.verdict.value)}</span> #{n} {_e(f.title)}</h2>',
           f'<p class="lead">{_e(f.summary)}</p>', f"<dl>{facts}</dl>"]
    if f.next_steps:
        out.append("<h3>Next steps</h3><ol class=\"next\">" + "".join(f"<li>{_rich(s)}</li>" for s in f.next_steps)
                   + "</ol>")
    if f.evidence:
        out.append(f'<details class="evidence" open><summary><h3>Evidence: {len(f.evidence)} steps, '
                   f"as the runbook walks them</h3></summary><ol class=\"steps\">")
        out += [_step(step) for step in f.evidence]
        out.append("</ol></details>")
    if f.notes:
        out.append("<h3>Notes</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in f.notes) + "</ul>")
    if f.unchecked:
        out.append("<h3>Could not check</h3><ul>" + "".join(
            f"<li><b>{_e(u.what)}</b>: {_e(u.why)}</li>" for u in f.unchecked) + "</ul>")
    out.append("</section>")
    return "\n".join(out)


def _fact(label: str, value: str) -> str:
    if label == "trace ids":
        return " ".join(f'<code class="trace" data-trace="{_e(t)}">{_e(t)}</code>' for t in value.split(", "))
    if label in ("code", "cause"):
        return f"<code>{_e(value)}</code>"
    return _e(value)


def _rich(text: str) -> str:
    """Free text from the cause data: escaped, with `backtick` spans shown as code."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # unbalanced: no code spans
        return _e(text)
    return "".join(f"<code>{_e(p)}</code>" if i % 2 else _e(p) for i, p in enumerate(pieces))


def _step(step: EvidenceStep) -> str:
    head = f'<code class="looked">{_e(step.looked_at)}</code><span class="showed">{_e(step.showed)}</span>'
    if not (step.rows or step.lines):
        prov = "; ".join(p.describe() for p in step.all_provenance())
        tail = f' <span class="prov">({_e(prov)})</span>' if prov else ""
        return f'<li class="step"><div class="stephead plain">{head}{tail}</div></li>'
    body = []
    if step.rows:
        body.append(_table([r.cells for r in step.rows]))
        sources = [p for p in step.all_provenance() if p.kind != "log"]
        if sources:
            body.append('<p class="prov">' + "; ".join(
                _e(p.describe()) + (f" <span class=\"dim\">({_e(p.location)})</span>" if p.location else "")
                for p in sources[:MAX_ROWS]) + "</p>")
    lines = []
    for ref in step.lines:
        line, prov = ref.text, ref.provenance
        lines.append(_logline(line, prov.server if prov else None, prov.name if prov else None,
                              prov.line if prov else None, prov.location if prov else None))
    body += lines[:SHOWN_LINES]
    if len(lines) > SHOWN_LINES:
        body.append(f'<details class="more"><summary>{len(lines) - SHOWN_LINES} more line(s)</summary>'
                    f"{''.join(lines[SHOWN_LINES:])}</details>")
    return (f'<li class="step"><details open><summary class="stephead">{head}</summary>'
            f"{''.join(body)}</details></li>")


def _logline(line: str, server, file, line_no, location=None) -> str:
    where = (f'<span class="srv">{_e(server or "?")}</span> <span class="file">{_e(file or "?")}</span>'
             f'<span class="lno">:{_e(line_no if line_no is not None else "?")}</span>')
    if location:
        where += f' <span class="dim">{_e(location)}</span>'
    return f'<div class="logline"><div class="where">{where}</div><pre>{_e(line)}</pre></div>'


def _table(rows: list[dict]) -> str:
    columns = row_columns(rows)
    if not columns:
        return ""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(clip(cell(r.get(c)), 400))}</td>" for c in columns) + "</tr>"
                   for r in rows[:MAX_ROWS])
    more = f'<p class="dim">… {len(rows) - MAX_ROWS} more rows</p>' if len(rows) > MAX_ROWS else ""
    return f'<div class="scroll"><table class="rows"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}'


# -- timeline ----------------------------------------------------------------------------------

def _timeline(tl: Timeline) -> str:
    out = ['<section id="timeline"><h2>Timeline</h2>']
    if not tl.events:
        out.append('<p class="dim">No time-stamped evidence to place on a timeline.</p></section>')
        return "\n".join(out)
    colour = {t: TRACE_COLOURS[i % len(TRACE_COLOURS)] for i, t in enumerate(tl.traces)}
    lanes = tl.lanes if len(tl.lanes) <= MAX_LANES else []
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    columns = f"11.5em repeat({max(len(lanes), 1)}, minmax(0, 1fr))"
    out.append(_legend(tl, colour))
    out.append(f'<div class="tl" style="--cols: {columns}">')
    if lanes:
        heads = "".join(f'<div class="lane-head">{_e(lane) if lane else "cluster views"}</div>' for lane in lanes)
        out.append(f'<div class="tl-row tl-head"><div class="lane-head">time</div>{heads}</div>')
    for event in tl.events:
        out.append(_event(event, colour, lane_index, bool(lanes)))
    out.append("</div>")
    if tl.untimed:
        out.append(f'<p class="dim">{tl.untimed} cited line(s)/row(s) carry no time and are only in the evidence above.</p>')
    out.append("</section>")
    return "\n".join(out)


def _legend(tl: Timeline, colour: dict[str, str]) -> str:
    chips = []
    for t in tl.traces:
        n = sum(1 + len(e.repeats) for e in tl.events if e.trace_id == t)
        addr = decode_addr(t)
        origin = f" · from {addr}" if addr else ""
        chips.append(f'<button type="button" class="chip" data-trace="{_e(t)}" style="--c: {colour[t]}" '
                     f'title="show only this trace (click again for all)"><i></i>{_e(t)}'
                     f'<span class="dim"> {n} {"entry" if n == 1 else "entries"}{_e(origin)}</span></button>')
    levels = sorted({e.level for e in tl.events}, key=lambda x: ["error", "warn", "info", "debug"].index(x)
                    if x in ("error", "warn", "info", "debug") else 9)
    level_boxes = "".join(
        f'<label class="lvl lvl-{_e(lv)}"><input type="checkbox" data-level="{_e(lv)}" checked> {_e(lv)}</label>'
        for lv in levels)
    chip_html = "".join(chips) or '<span class="dim">none</span>'
    return ('<div class="legend">'
            f'<div><b>Traces</b> {chip_html}</div>'
            f'<div><b>Levels</b> {level_boxes} <label><input type="checkbox" id="group-trace"> group by trace</label>'
            f' <span id="tl-count" class="dim">{len(tl.events)} events</span></div></div>')


def _event(e: TimelineEvent, colour: dict[str, str], lane_index: dict, lanes: bool) -> str:
    col = lane_index.get(e.server, 0) + 2 if lanes else 2
    trace_colour = colour.get(e.trace_id or "", "var(--no-trace)")
    cites = " ".join(f'<a href="#finding-{n}">#{n}</a>' for n in e.findings)
    badge = f'<span class="lv lv-{_e(e.level)}">{_e(e.raw_level or e.level)}</span>'
    head = [badge, f'<span class="kind">{_e(e.kind)}</span>']
    if not lanes and e.server:
        head.append(f'<span class="srv">{_e(e.server)}</span>')
    if e.trace_id:
        head.append(f'<code class="trace" style="--c: {trace_colour}">{_e(e.trace_id)}</code>')
    head.append(f'<span class="cites">{cites}</span>')
    if e.repeats:
        head.insert(1, f'<span class="times" title="the same line {len(e.repeats) + 1} times in a row">'
                       f'×{len(e.repeats) + 1}</span>')
    body = [f'<div class="ev-title">{_e(e.title)}</div>']
    if e.kind == "log":
        body.append(_logline(e.text, e.server, e.file, e.line))
        if e.repeats:
            until = e.last_time.isoformat(sep=" ")
            more = "".join(_logline(r.text, r.server, r.file, r.line) for r in e.repeats)
            body.append(f'<details class="repeats"><summary>{len(e.repeats)} more like it, until {_e(until)}'
                        f"</summary>{more}</details>")
    elif e.kind == "row":
        body.append(f'<div class="where"><span class="file">{_e(e.where)}</span></div>'
                    f'<details><summary>row</summary><pre>{_e(e.text)}</pre></details>')
    else:
        body.append(f'<div class="dim">{_e(e.text)}</div>')
    when = e.time.isoformat(sep=" ")
    date, _, clock = when.partition(" ")
    clock = _e(clock)
    if e.repeats:
        clock += f"<br>→ {_e(e.last_time.isoformat(sep=' ').partition(' ')[2])}"
    return (f'<div class="tl-row ev ev-{_e(e.kind)}" data-trace="{_e(e.trace_id or "")}" data-level="{_e(e.level)}" '
            f'data-server="{_e(e.server or "")}" data-time="{_e(when)}">'
            f'<div class="time" title="{_e(when)}"><span class="dim">{_e(date)}</span><br>{clock}</div>'
            f'<div class="card lvl-{_e(e.level)}" style="grid-column: {col}; --c: {trace_colour}">'
            f'<div class="ev-head">{" ".join(head)}</div>{"".join(body)}</div></div>')


# -- the rest ---------------------------------------------------------------------------------

def _unchecked(report: Report) -> str:
    if not report.unchecked:
        return '<section id="unchecked"><h2>Could not check</h2><p class="dim">Everything the rules needed was there.</p></section>'
    items = "".join(f"<li><b>{_e(u.what)}</b>: {_e(u.why)}"
                    + (f" — would decide it: <code>{_e(u.query)}</code>" if u.query else "") + "</li>"
                    for u in report.unchecked)
    return f'<section id="unchecked"><h2>Could not check</h2><ul>{items}</ul></section>'


def _observations(report: Report) -> str:
    if not report.observations:
        return ""
    items = "".join(f"<li>{_e(o.text)}</li>" for o in report.observations)
    return f'<section id="observations"><h2>Also checked</h2><ul>{items}</ul></section>'


def _sources(report: Report) -> str:
    rows = []
    for s in report.sources_read:
        if isinstance(s, ViewRead):
            result = f"{s.rows} row(s)" if s.available else f"not available: {s.reason or '?'}"
            rows.append((s.view, result, "ok" if s.available else "missing"))
        else:
            servers = ", ".join(s.servers) or "all servers"
            result = f"{s.matches} matching line(s) in {s.files} file(s) on {servers}"
            if s.unchecked:
                result += "; not searched: " + "; ".join(str(u) for u in s.unchecked)
            rows.append((f"log search: {s.purpose}", result, "missing" if s.unchecked else "ok"))
    body = "".join(f'<tr class="{c}"><td>{_e(a)}</td><td>{_e(b)}</td></tr>' for a, b, c in rows)
    return (f'<section id="sources"><details><summary><h2>Sources read ({len(rows)})</h2></summary>'
            f'<table class="rows"><tbody>{body}</tbody></table></details></section>')
