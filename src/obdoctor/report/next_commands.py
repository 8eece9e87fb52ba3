"""What to run next: the exact commands that produce the evidence a check lacked.

Built from the report's own "could not check" entries (``Unchecked``): one with a ``query``
becomes an obclient command saving the view to ``<VIEW>.txt``; one naming a missing view
(``X: not in the bundle``) becomes a query of that view, narrowed to the finding's tenant and
job when the catalogue says the view has those columns; one naming a log search (``observer.log*
on 10.0.0.3: ... trace Y...``) becomes the grep to run on that server. Nothing here invents a
second list of what to collect.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from obdoctor.findings import Finding, Report, Unchecked

_FROM = re.compile(r"\bFROM\s+(?:oceanbase\.)?([A-Za-z_$][A-Za-z0-9_$]*)", re.IGNORECASE)
_MISSING_VIEW = re.compile(r"(?:^|[;(] ?)([A-Za-z_][A-Za-z0-9_$]*): not in the bundle")
_VIEW_IN_WHAT = re.compile(r"\(((?:CDB|DBA|GV\$|V\$|__all)[A-Za-z0-9_$]*)\)")
_LOG = re.compile(r"^(?P<file>[a-z]+\.log)\*? on (?P<server>[0-9A-Fa-f.:\[\]]+)")
_TRACE = re.compile(r"\b(Y[0-9A-F]+-[0-9A-F]{16}-\d+-\d+)\b")
_CODE = re.compile(r"\((-\d{4,5})\)|ret=(-\d{4,5})")
SQL_PORT = 2881
OBSERVER_PLACEHOLDER = "OBSERVER_IP"
"""The host when the evidence names no server: a plain word to replace (obclient refuses it by
name if pasted unchanged), not ``<observer>``, which a shell reads as a redirection."""


@dataclass
class NextCommand:
    command: str
    why: str
    server: str | None = None
    """Where to run it (a log grep); None: anywhere obclient reaches the cluster."""

    def to_dict(self) -> dict:
        out = {"command": self.command, "for": self.why}
        if self.server:
            out["server"] = self.server
        return out


def next_commands(report: Report) -> list[NextCommand]:
    host = _sql_host(report)
    out: list[NextCommand] = []
    seen: set[tuple[str, str | None]] = set()
    entries: list[tuple[Unchecked, Finding | None]] = [(u, None) for u in (*report.undecided, *report.unchecked)]
    entries += [(u, f) for f in report.findings for u in f.unchecked]
    for item, finding in entries:
        command = _command(item, finding, host)
        if command is not None and (command.command, command.server) not in seen:
            seen.add((command.command, command.server))
            out.append(command)
    return out


def _sql_host(report: Report) -> str:
    """Any observer takes SQL on 2881: the first server the evidence or a finding names, else a placeholder."""
    servers = list(report.source.servers or [])
    servers += [s for f in report.findings for s in f.servers]
    return str(servers[0]).split(":")[0] if servers else OBSERVER_PLACEHOLDER


def _command(item: Unchecked, finding: Finding | None, host: str) -> NextCommand | None:
    query = item.query if item.query and item.query.lstrip().upper().startswith("SELECT") else None
    if query is None:
        view = _missing_view(item)
        if view is not None:
            query = _query_for(view, finding)
    if query is not None:
        found = _FROM.search(query)
        name = found.group(1) if found else "evidence"
        return NextCommand(f'obclient -h{host} -P{SQL_PORT} -uroot@sys -p -A -e "{_in_double_quotes(query)}" > '
                           f"{shlex.quote(name + '.txt')}", item.what)
    log = _LOG.match(item.what)
    if log:
        trace, code = _TRACE.search(item.what), _CODE.search(item.what)
        if trace:
            patterns = [trace.group(1)]
        elif code:
            patterns = [code.group(1) or code.group(2)]
        else:  # the finding's traces: the job's and its tasks'
            patterns = [t for t in (finding.trace_ids if finding else []) if _TRACE.fullmatch(t)]
        if not patterns:
            return None
        grep = " ".join(f"-e '{p}'" for p in patterns)
        return NextCommand(f"grep {grep} {log.group('file')}*", item.what, log.group("server").rstrip(":"))
    return None


def _in_double_quotes(text: str) -> str:
    """``text`` safe inside a shell's double quotes: ``GV$OB_LOG_STAT`` is not a variable, a
    quote or backquote not the string's end or a command. Double quotes, not single: the text
    report folds a long command with backslash-newline, which only double quotes remove."""
    return re.sub(r'([$`"\\])', r"\\\1", text)


def _missing_view(item: Unchecked) -> str | None:
    found = _MISSING_VIEW.search(item.why)
    if found:
        return found.group(1)
    found = _VIEW_IN_WHAT.search(item.what)
    if found and ("not in the bundle" in item.why or "not collected" in item.why or "not available" in item.why):
        return found.group(1)
    return None


def _query_for(view: str, finding: Finding | None) -> str:
    from obdoctor.catalog.views import column_names

    columns = {c.upper() for c in column_names(view)}
    where = []
    if finding is not None and finding.tenant_id is not None and "TENANT_ID" in columns:
        where.append(f"tenant_id = {finding.tenant_id}")
    if finding is not None and finding.job_id is not None and "JOB_ID" in columns:
        where.append(f"job_id = {finding.job_id}")
    return f"SELECT * FROM oceanbase.{view}" + (f" WHERE {' AND '.join(where)}" if where else "")
