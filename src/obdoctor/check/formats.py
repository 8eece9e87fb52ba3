"""The four faces of a check report: text for people, JSON, Nagios and Prometheus for monitoring.

Pure functions from a ``CheckReport`` to a string; writing files is the CLI's business.
"""

from __future__ import annotations

import json
from typing import Callable

from obdoctor.check.model import CheckReport, CheckResult, Status
from obdoctor.prometheus_text import labels as _labels, number as _number

_NAGIOS = {Status.OK: "OK", Status.WARNING: "WARNING", Status.CRITICAL: "CRITICAL", Status.UNKNOWN: "UNKNOWN"}


def _who(r: CheckResult) -> str:
    return f"tenant {r.tenant_id}" if r.tenant_id is not None else "cluster"


def text(report: CheckReport) -> str:
    """One line per check (status, tenant, check id, summary), then the evidence of the non-ok ones."""
    lines = [f"obdoctor check: {report.status.value.upper()} "
             f"({_counts(report)}; now = {report.now.isoformat(sep=' ') if report.now else '?'}, "
             f"{report.source.get('kind')} {report.source.get('location')})", ""]
    width = max((len(r.check) for r in report.results), default=10)
    for r in report.results:
        lines.append(f"{r.status.value.upper():<8}  {_who(r):<12}  {r.check:<{width}}  {r.summary}")
    troubled = [r for r in report.results if r.status is not Status.OK]
    for r in troubled:
        lines += ["", f"{r.status.value.upper()} {_who(r)} {r.check}: {r.summary}"]
        for step in r.evidence:
            where = ", ".join(p.describe() for p in step.all_provenance()[:3])
            lines.append(f"  - {step.looked_at}: {step.showed}" + (f"  [{where}]" if where else ""))
        if r.reason:
            lines.append(f"  missing: {r.reason}")
        if r.query:
            lines.append(f"  would answer it: {r.query}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def _counts(report: CheckReport) -> str:
    counts = {s: sum(1 for r in report.results if r.status is s) for s in Status}
    return ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no checks"


def json_text(report: CheckReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


# -- Nagios ---------------------------------------------------------------------------------------
def _perf_value(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.3f}"


def _perfdata(r: CheckResult) -> str | None:
    """``'t1002_last_backup'=3600s;;93600;0`` (label=value[UOM];warn;crit;min): Nagios' plugin format."""
    if r.value is None:
        return None
    label = f"t{r.tenant_id}_{r.check}" if r.tenant_id is not None else r.check
    unit = r.unit if r.unit in ("s", "%") else ""
    warn = crit = ""
    if r.threshold is not None:
        if r.check == "last_backup":
            crit = _perf_value(r.threshold)
        else:
            warn = _perf_value(r.threshold)
    return f"'{label}'={_perf_value(r.value)}{unit};{warn};{crit};0"


def nagios(report: CheckReport) -> str:
    """``OBDOCTOR <STATE> - <summary> | <perfdata>`` then one line per check (the long output)."""
    state = _NAGIOS[report.status]
    bad = [r for r in report.results if r.status in (Status.CRITICAL, Status.WARNING)]
    bad.sort(key=lambda r: r.status is not Status.CRITICAL)
    unknown = [r for r in report.results if r.status is Status.UNKNOWN]
    parts = [f"{_who(r)} {r.check} {r.status.value}: {r.summary}" for r in bad[:3]]
    if len(bad) > 3:
        parts.append(f"and {len(bad) - 3} more")
    if unknown:
        parts.append(f"{len(unknown)} unknown (" + ", ".join(f"{_who(r)} {r.check}" for r in unknown[:3])
                     + (", ..." if len(unknown) > 3 else "") + ")")
    summary = "; ".join(parts) if parts else f"{len(report.results)} checks ok"
    summary = summary.replace("|", "/")  # a | would start the performance data
    perf = " ".join(p for p in (_perfdata(r) for r in report.results) if p)
    lines = [f"OBDOCTOR {state} - {summary}" + (f" | {perf}" if perf else "")]
    for r in report.results:
        lines.append(f"[{_NAGIOS[r.status]}] {_who(r)} {r.check}: {r.summary}".replace("|", "/"))
    return "\n".join(lines) + "\n"


# -- Prometheus -----------------------------------------------------------------------------------
_STATUS_VALUE = {Status.OK: 0, Status.WARNING: 1, Status.CRITICAL: 2, Status.UNKNOWN: 3}
METRICS = (
    ("obdoctor_check_status", "Status of the check: 0 ok, 1 warning, 2 critical, 3 unknown (Nagios' codes)."),
    ("obdoctor_check_value", "The check's number (seconds or a count, see docs/check.md); absent when unknown."),
    ("obdoctor_check_threshold", "The threshold the value is compared with."),
    ("obdoctor_check_restore_window_seconds", "Length of the restorable window, earliest to latest point."),
    ("obdoctor_check_last_run_timestamp_seconds", "Unix time of the check run (the machine's clock)."),
    ("obdoctor_check_now_timestamp_seconds", "The evidence's now (cluster clock or collected_at), as cluster local time."),
)




def prometheus(report: CheckReport, run_at: float) -> str:
    """The node-exporter textfile-collector format: one gauge per check and tenant."""
    values: dict[str, list[str]] = {name: [] for name, _ in METRICS}
    for r in report.results:
        labels = _labels(check=r.check, tenant_id="" if r.tenant_id is None else r.tenant_id)
        values["obdoctor_check_status"].append(f"obdoctor_check_status{labels} {_STATUS_VALUE[r.status]}")
        if r.value is not None:
            values["obdoctor_check_value"].append(f"obdoctor_check_value{labels} {_number(r.value)}")
        if r.threshold is not None:
            values["obdoctor_check_threshold"].append(f"obdoctor_check_threshold{labels} {_number(r.threshold)}")
        window = r.details.get("window_seconds") if r.check == "restore_window" else None
        if window is not None:
            values["obdoctor_check_restore_window_seconds"].append(
                f"obdoctor_check_restore_window_seconds{_labels(tenant_id=r.tenant_id)} {_number(window)}")
    values["obdoctor_check_last_run_timestamp_seconds"].append(
        f"obdoctor_check_last_run_timestamp_seconds {_number(round(run_at, 3))}")
    if report.now is not None:
        from datetime import timezone

        now = report.now.replace(tzinfo=timezone.utc).timestamp()
        values["obdoctor_check_now_timestamp_seconds"].append(f"obdoctor_check_now_timestamp_seconds {_number(now)}")
    lines: list[str] = []
    for name, help_text in METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", *values[name]]
    return "\n".join(lines) + "\n"


CheckFormatter = Callable[[CheckReport, float], str]
"""One signature for every ``check`` format: the report and the run's time (Prometheus' timestamp)."""

FORMATS: dict[str, CheckFormatter] = {
    "text": lambda report, _run_at: text(report),
    "json": lambda report, _run_at: json_text(report),
    "nagios": lambda report, _run_at: nagios(report),
    "prometheus": prometheus,
}
"""``obdoctor check --format`` choices (the first is the default): a new format is one entry here."""


def render(report: CheckReport, fmt: str, run_at: float) -> str:
    return FORMATS[fmt](report, run_at)
