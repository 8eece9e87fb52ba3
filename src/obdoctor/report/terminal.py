"""The report for a person at a terminal, during an incident.

The first screen (24 lines) answers "what is wrong and what do I do": the headline, then per
finding its verdict, title, code, cause and next steps. The proof follows: each finding's
evidence chain as the runbook walks it, view rows as a table when they fit the width (one
``column: value`` line each otherwise), log lines under their server, file and line number.

Written for copying from: identifiers (trace ids, addresses, view, status and error names) are
never split or cut (``obdoctor.report.wrap``); long log lines are folded, not clipped — only the
middle of a very long one is cut by default, and the report says so (``--full`` shows all). The
same line repeated in a row (a retry loop) is shown once with its count and its last occurrence,
grouped as the HTML timeline groups it. Plain text: colour is added only when asked (the CLI asks
on a terminal), and only ASCII when the locale cannot show more.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdoctor.findings import EvidenceStep, Finding, LineRef, Report, Verdict
from obdoctor.report.next_commands import next_commands
from obdoctor.report.common import cell, finding_facts, headline, headline_style, row_columns
from obdoctor.report.formats import RenderOptions, register
from obdoctor.report.redact import redact_report
from obdoctor.report.timeline import log_event, repeats
from obdoctor.report.wrap import IDENTIFIER, cut_middle, wrap

LONG_LINE = 1200
"""A log line longer than this (characters) has its middle cut unless --full."""
KEEP_HEAD, KEEP_TAIL = 700, 300
MAX_ROWS = 10
"""Rows of one evidence step shown unless --full."""
INDENT = 3

_SGR = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "magenta": "35", "cyan": "36"}
_VERDICT_STYLE = {Verdict.CONFIRMED: "bold red", Verdict.LIKELY: "bold yellow", Verdict.UNKNOWN: "bold magenta"}
_ASCII = str.maketrans({"·": "|", "→": ">", "…": "~", "×": "x", "•": "*", "—": "-", "–": "-", "‘": "'", "’": "'",
                        "“": '"', "”": '"', "─": "-", "≥": ">", "≤": "<"})
"""One ASCII character per glyph, so the layout measured in UTF-8 holds in ASCII too."""


@dataclass(frozen=True)
class Screen:
    """Where the report is shown (the CLI finds out: width, tty, locale)."""

    width: int = 80
    color: bool = False
    unicode: bool = True
    full: bool = False
    """Every row and every character of every line (no middle cut)."""


@register("text", order=0)
def render(report: Report, options: RenderOptions = RenderOptions()) -> str:
    """The text format under the one formatter signature: the screen comes in ``options``."""
    return render_text(report, options.screen or Screen())


def render_text(report: Report, screen: Screen = Screen()) -> str:
    report = redact_report(report)  # idempotent: secrets are gone even if called directly
    out = _Writer(screen)
    _top(report, out)
    for number, finding in enumerate(report.findings, 1):
        _evidence(number, finding, out)
    if report.observations:
        out.blank()
        out.line("Also checked", "bold")
        for o in report.observations:
            out.para(o.text, indent=INDENT + 1, first=INDENT - 1, bullet="• ")
    if report.unchecked:
        out.blank()
        out.line("Could not check", "bold")
        for u in report.unchecked:
            out.para(f"{u.what}: {u.why}" + (f" — run: {u.query}" if u.query else ""),
                     indent=INDENT + 1, first=INDENT - 1, bullet="• ")
    commands = next_commands(report)
    if commands:
        out.blank()
        out.line("Run next (to produce what was missing)", "bold")
        for c in commands:
            if c.server:
                out.para(f"on {c.server}, in the observer's log directory:", indent=INDENT + 1, first=INDENT - 1,
                         bullet="• ")
            for n, row in enumerate(_shell_lines(c.command, out.screen.width - INDENT - 3)):
                out.line((" " * (INDENT - 1) + "• " if n == 0 and not c.server else " " * (INDENT + 1)) + row)
    return out.text()


# -- the first screen --------------------------------------------------------------------------

def _top(report: Report, out: "_Writer") -> None:
    src = report.source
    head = f"obdoctor · {src.kind} {src.location}"
    if src.version:
        head += f" · {src.product or 'OceanBase'} {src.version}"
    if src.collected_at:
        head += f" · collected {src.collected_at}"
    if src.hosts_redacted:
        head += " · addresses and host names are aliases (--redact-hosts)"
    out.para(head, style="dim")
    for note in src.notes:
        out.para(f"Input: {note}", style="yellow")
    out.para(headline(report), style=headline_style(report))
    if not report.findings:
        return
    if len(report.findings) > 1:  # every verdict on the first screen, before any detail
        for n, f in enumerate(report.findings, 1):
            code = f" · {f.code} {f.code_name or ''}".rstrip() if f.code is not None else ""
            out.para(f"{f.title}{code}", indent=INDENT + 12, first=INDENT - 1,
                     lead=(f"#{n} {f.verdict.value.upper():<10}", _VERDICT_STYLE[f.verdict]))
    for n, f in enumerate(report.findings, 1):
        out.blank()
        out.para(f.title, style="bold", indent=INDENT, first=0,
                 lead=(f"#{n} {f.verdict.value.upper()} ", _VERDICT_STYLE[f.verdict]))
        out.para(f.summary, indent=INDENT)
        for text in _fact_lines(f):
            out.para(text, indent=INDENT + 2, first=INDENT, style="dim")
        if f.next_steps:
            out.line(" " * INDENT + "Next steps", "bold")
            for i, step in enumerate(f.next_steps, 1):
                out.para(step, indent=INDENT + 3, first=INDENT, bullet=f"{i}. ")
        if f.evidence:
            out.para(f"Evidence: {len(f.evidence)} step(s) below (#{n}).", indent=INDENT, style="dim")


def _fact_lines(f: Finding) -> list[str]:
    """The facts of ``common.finding_facts`` on few lines: code and cause first, identifiers
    (servers, trace ids) each on their own line, so they copy whole."""
    facts = dict(finding_facts(f))
    lines = [" · ".join(f"{k} {facts[k]}" for k in ("code", "cause") if k in facts),
             " · ".join(f"{k} {facts[k]}" for k in ("tenant", "job", "when") if k in facts)]
    lines += [f"{k} {facts[k]}" for k in ("servers", "trace ids") if k in facts]
    return [x for x in lines if x]


# -- the proof ---------------------------------------------------------------------------------

def _evidence(number: int, f: Finding, out: "_Writer") -> None:
    if not (f.evidence or f.notes or f.unchecked):
        return
    out.blank()
    out.rule(f"#{number} evidence, as the runbook walks it", _VERDICT_STYLE[f.verdict].split()[-1])
    for i, step in enumerate(f.evidence, 1):
        out.para(step.looked_at, style="cyan", indent=INDENT, bullet=f"{i}. ", first=0)
        out.para(step.showed, indent=INDENT)
        if step.rows:
            _rows([r.cells for r in step.rows], out)
        _lines(step, out)
    for note in f.notes:
        out.para(f"Note: {note}", indent=INDENT)
    if f.unchecked:
        out.line("Could not check", "bold")
        for u in f.unchecked:
            out.para(f"{u.what}: {u.why}" + (f" — run: {u.query}" if u.query else ""),
                     indent=INDENT + 1, first=INDENT - 1, bullet="• ")


def _lines(step: EvidenceStep, out: "_Writer") -> None:
    """The step's log lines under their provenance; a run of the same message shown once."""
    refs = step.lines
    for group in group_repeats(refs):
        first, last = refs[group[0]], refs[group[-1]]
        if len(group) == 1:
            _logline(first, out)
            continue
        span = _span(first, last)
        out.para(f"×{len(group)} the same message in a row{span}; the first and the last:", indent=INDENT,
                 style="bold")
        _logline(first, out)
        if len(group) > 2:
            out.para(f"… {len(group) - 2} more like it …", indent=INDENT, style="dim")
        _logline(last, out)


def _span(first: LineRef, last: LineRef) -> str:
    start, end = log_event(first), log_event(last)
    if start is None or end is None:
        return ""
    until = end.time.time() if end.time.date() == start.time.date() else end.time
    return f", {start.time.isoformat(sep=' ', timespec='seconds')} → {until.isoformat(timespec='seconds')}"


def group_repeats(lines: list[LineRef]) -> list[list[int]]:
    """Indexes of ``lines``, consecutive repeats together (the timeline's test: same server,
    trace, level and message); a line without a time stands alone."""
    groups: list[list[int]] = []
    previous = None
    for i, line in enumerate(lines):
        event = log_event(line)
        if groups and event is not None and previous is not None and repeats(previous, event):
            groups[-1].append(i)
        else:
            groups.append([i])
        previous = event
    return groups


def _logline(ref: LineRef, out: "_Writer") -> None:
    prov = ref.provenance
    if prov is not None:
        out.para(prov.describe() + (f" ({prov.location})" if prov.location else ""), indent=INDENT, style="dim")
    text = ref.text if out.screen.full else cut_middle(ref.text, LONG_LINE, KEEP_HEAD, KEEP_TAIL)
    out.para(text, indent=INDENT + 2, style="yellow")


def _rows(rows: list[dict], out: "_Writer") -> None:
    """A table when every value fits the width unbroken, else each row as ``column: value`` lines."""
    shown = rows if out.screen.full else rows[:MAX_ROWS]
    columns = row_columns(shown)
    if not columns:
        return
    values = [[out.plain(cell(r.get(c)).replace("\n", " ")) for c in columns] for r in shown]
    widths = [max(len(c), *(len(v[j]) for v in values)) for j, c in enumerate(columns)]
    if INDENT + sum(widths) + 2 * (len(widths) - 1) <= out.screen.width:
        out.line(" " * INDENT + "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(), "dim")
        for v in values:
            out.line(" " * INDENT + "  ".join(x.ljust(w) for x, w in zip(v, widths)).rstrip())
    else:
        label = min(max(len(c) for c in columns), 24)
        for n, v in enumerate(values, 1):
            if len(values) > 1:
                out.line(" " * INDENT + f"row {n}", "dim")
            for c, x in zip(columns, v):
                if x:
                    out.para(x, indent=INDENT + label + 3, first=0, lead=(" " * (INDENT + 1) + c.ljust(label) + "  ", "dim"))
    if len(rows) > len(shown):
        out.para(f"… {len(rows) - len(shown)} more row(s) (--full shows them)", indent=INDENT, style="dim")


def _shell_lines(command: str, width: int) -> list[str]:
    """A command folded at spaces with `` \\`` continuations, so that it still pastes into a
    shell as one command (inside double quotes too, where backslash-newline is removed)."""
    rows, current = [], ""
    for word in command.split(" "):
        if current and len(current) + 1 + len(word) > width:
            rows.append(current + " \\")
            current = word
        else:
            current = f"{current} {word}" if current else word
    return rows + [current]


# -- output ------------------------------------------------------------------------------------

class _Writer:
    def __init__(self, screen: Screen):
        self.screen = screen
        self.lines: list[str] = []

    def plain(self, text: str) -> str:
        """``text`` as the screen can show it: glyphs to ASCII, other characters escaped."""
        if self.screen.unicode:
            return text
        return text.translate(_ASCII).encode("ascii", "backslashreplace").decode("ascii")

    def style(self, text: str, style: str | None) -> str:
        if not (style and self.screen.color and text):
            return text
        codes = ";".join(_SGR[s] for s in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"

    def line(self, text: str, style: str | None = None) -> None:
        self.lines.append(self.style(self.plain(text), style))

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def rule(self, title: str, style: str) -> None:
        title = self.plain(f"── {title} ")
        self.lines.append(self.style(title + self.plain("─") * max(0, self.screen.width - len(title)), style))

    def para(self, text: str, *, style: str | None = None, indent: int = 0, first: int | None = None,
             bullet: str = "", lead: tuple[str, str] | None = None) -> None:
        """``text`` folded to the width; ``bullet`` starts the first line (after ``first``
        spaces), ``lead`` is a styled start of the first line (a verdict, a column name)."""
        first = indent if first is None else first
        start = " " * first + self.plain(bullet)
        lead_text = self.plain(lead[0]) if lead else ""
        rows = wrap(self.plain(text), self.screen.width, indent=indent, first=len(start) + len(lead_text))
        head = start + self.style(lead_text, lead[1] if lead else None)
        self.lines.append(head + self.style(rows[0][len(start) + len(lead_text):], style))
        self.lines += [self.style(r, style) for r in rows[1:]]

    def text(self) -> str:
        return "\n".join(line.rstrip() if not self.screen.color else line for line in self.lines) + "\n"


__all__ = ["Screen", "render_text", "group_repeats", "IDENTIFIER"]
