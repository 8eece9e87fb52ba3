"""What a rule is, what it gets, and the helpers every rule shares."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import ClassVar

from obdoctor.evidence import Evidence, Found, LogFamily, LogQuery, LogSearchResult
from obdoctor.evidence.kinds import Kind
from obdoctor.evidence.provenance import Provenance
from obdoctor.findings import EvidenceStep, Finding, LineRef, Observation, RowRef, RowTime, Unchecked, Verdict
from obdoctor.catalog import errors
from obdoctor.catalog.causes import Cause, CauseId, cause
from obdoctor.catalog.data_files import data_toml
from obdoctor.security.redaction import redact_text, redact_value
from obdoctor.logs import LogRecord, is_trace_id
from obdoctor.addresses import server_ip


class Requirement(str):
    """A next step stating what every such setup needs (NFS mount options for the version), not
    this failure's fix: a finding lists it after the cause's own steps, so the fix is the first
    thing a DBA reads rather than the seventh line of a paragraph of mount options."""


def _fix_first(steps: list[str]) -> list[str]:
    """``steps`` in their order, every :class:`Requirement` moved after the others."""
    return [s for s in steps if not isinstance(s, Requirement)] + [s for s in steps if isinstance(s, Requirement)]


@dataclass
class RuleOptions:
    """What the user narrowed the diagnosis to."""

    tenant_id: int | None = None
    job_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    all_jobs: bool = False
    """Diagnose every failed job in the history, not only each tenant's latest."""
    no_progress_since: datetime | None = None
    """When the narrowed job's progress last moved, as a history of polls saw it (``obdoctor
    watch``). One snapshot of the views cannot tell a young silent job from a frozen one; with
    this, a silent job is called stuck before ``[stuck] quiet_minutes``."""
    no_progress_of: str | None = None
    """What stopped moving when it is not the whole job (``ls 1001 of job 5``)."""
    progress_source: str = "obdoctor watch history"
    """Where ``no_progress_since`` comes from (named in the finding's evidence)."""

    def wants(self, tenant_id: int | None, job_id: int | None = None) -> bool:
        if self.tenant_id is not None and tenant_id != self.tenant_id:
            return False
        if self.job_id is not None and job_id is not None and job_id != self.job_id:
            return False
        return True

    def in_window(self, when: datetime | None) -> bool:
        if when is None:
            return True
        if self.since and when < self.since:
            return False
        if self.until and when > self.until:
            return False
        return True


@dataclass
class RuleContext:
    evidence: Evidence
    options: RuleOptions = field(default_factory=RuleOptions)
    observations: list[Observation] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    """Report-level checks that could not run (a view missing for every tenant...)."""

    def observe(self, text: str, provenance: list[Provenance] | None = None) -> None:
        self.observations.append(Observation(text, provenance or []))

    def could_not_check(self, what: str, why: str) -> None:
        if not any(u.what == what and u.why == why for u in self.unchecked):
            self.unchecked.append(Unchecked(what, why))

    def for_rule(self, rule: "Rule", *, strict: bool = False) -> "RuleContext":
        """The context one rule runs in: the same options and report-level lists, the evidence
        limited to what the rule declares (:class:`DeclaredEvidence`)."""
        return replace(self, evidence=DeclaredEvidence(self.evidence, rule.id, rule.needs, strict))


STRICT_NEEDS_ENV = "OBDOCTOR_STRICT_NEEDS"
"""Set to 1 (the test suite does) and a rule reading evidence it did not declare in ``needs`` raises."""


class UndeclaredEvidence(AssertionError):
    """A rule read an evidence kind (or a log family) missing from its ``needs``: a bug in the rule."""


Need = Kind | LogFamily
"""What a rule may declare in ``needs``: an evidence kind, or a family of log files it searches."""


class DeclaredEvidence:
    """The evidence as one rule sees it: the kinds and log families it declares in ``needs``
    (services it calls included). Strict, a read of anything else raises
    :class:`UndeclaredEvidence`; otherwise it is served (a missing declaration must not cost a
    DBA a diagnosis), and the strict test suite keeps the declarations whole.

    It offers ``get`` and ``search_logs`` and what the source says about itself, nothing else: a
    rule has no way to the evidence that its ``needs`` do not cover (no raw ``table``)."""

    def __init__(self, evidence: Evidence, rule_id: str, needs: tuple[Need, ...], strict: bool):
        self._evidence, self._rule_id, self._strict = evidence, rule_id, strict
        self._kinds = frozenset(n for n in needs if isinstance(n, Kind))
        self._logs = frozenset(n for n in needs if isinstance(n, LogFamily))

    FACTS = frozenset({"info", "collected_at", "version", "since", "until", "log_servers"})
    """What the source says about itself (``Evidence``'s attributes of these names): always there."""

    def __getattr__(self, name: str):
        if name in self.FACTS:
            return getattr(self._evidence, name)
        raise AttributeError(f"a rule reads evidence with get and search_logs; {name!r} is not one of "
                             f"the source's facts ({', '.join(sorted(self.FACTS))})")

    def get(self, kind: Kind) -> Found:
        if isinstance(kind, Kind) and kind not in self._kinds:
            self._undeclared(f"Kind.{kind.name}")
        return self._evidence.get(kind)

    def search_logs(self, query: LogQuery) -> LogSearchResult:
        for family in map(LogFamily, query.kinds):
            if family not in self._logs:
                self._undeclared(f"LogFamily.{family.name}")
        return self._evidence.search_logs(query)

    def _undeclared(self, what: str) -> None:
        if self._strict:
            raise UndeclaredEvidence(f"rule {self._rule_id} reads {what} but does not declare it in needs")


class Rule:
    """Base of every rule. Subclasses set the class attributes and implement ``check``.

    The docstring of a subclass is its user documentation.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    needs: ClassVar[tuple[Need, ...]] = ()
    """Evidence it reads, the services it calls included: ``Kind`` members and ``LogFamily``
    members. Checked when the class is made, so a plain string or an unknown name fails at import."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.needs = _checked_needs(cls.__qualname__, cls.__dict__.get("needs", cls.needs))

    def check(self, ctx: RuleContext) -> list[Finding]:
        raise NotImplementedError


def _checked_needs(owner: str, needs: object) -> tuple[Need, ...]:
    """``needs`` as declared, or TypeError naming what is wrong: the rule's module then fails to
    import, and a misspelt kind never reaches a run (``Kind.JOBZ`` already fails as an attribute)."""
    if not isinstance(needs, tuple):
        raise TypeError(f"{owner}.needs must be a tuple of Kind and LogFamily members, not {type(needs).__name__}")
    for need in needs:
        if not isinstance(need, (Kind, LogFamily)):
            raise TypeError(f"{owner}.needs: {need!r} is not a Kind or LogFamily member{_spelling(need)}")
    doubled = sorted({need.value for need in needs if needs.count(need) > 1})
    if doubled:
        raise TypeError(f"{owner}.needs names {', '.join(doubled)} more than once")
    return needs


def _spelling(need: object) -> str:
    """How the old string spelling of a need is written now (``"jobs"`` -> ``Kind.JOBS``)."""
    if isinstance(need, str) and need in Kind._value2member_map_:
        return f" (write Kind.{Kind(need).name})"
    family = need.removeprefix("logs:") if isinstance(need, str) else None
    if family in LogFamily._value2member_map_:
        return f" (write LogFamily.{LogFamily(family).name})"
    return ""


def all_rules() -> list[Rule]:
    """Every rule of this package, found by walking its modules (sorted by id)."""
    import obdoctor.rules as package

    found: dict[str, type[Rule]] = {}
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        mod = importlib.import_module(module.name)
        for value in vars(mod).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and getattr(value, "id", None):
                found[value.id] = value
    return [found[k]() for k in sorted(found)]


# -- shared helpers --------------------------------------------------------------------

_ABOVE = re.compile(r"\s*\((?:listed |named )?above\)|\s+(?:listed |named |shown )?above\b")

PROBLEM_LEVELS: tuple[str, ...] = tuple(data_toml("backup_facts.toml")["log_levels"]["problem"])


def facts() -> dict:
    return data_toml("backup_facts.toml")


class Chain:
    """Builds one finding step by step, in the order a DBA walks the runbook."""

    def __init__(self, rule_id: str):
        self.rule_id = rule_id
        self.steps: list[EvidenceStep] = []
        self.unchecked: list[Unchecked] = []
        self.notes: list[str] = []
        self.servers: list[str] = []
        self.trace_ids: list[str] = []
        self.destination_kind: str | None = None
        """``nfs`` or an object storage kind once a rule knows it: next steps scoped ``NFS:`` or
        ``Object storage:`` then apply only to that kind of destination."""

    def step(self, looked_at: str, showed: str, *, provenance=(), rows=(), lines=()) -> EvidenceStep:
        s = EvidenceStep(looked_at, showed, list(provenance), list(rows), list(lines))
        self.steps.append(s)
        return s

    def row_step(self, looked_at: str, showed: str, records, columns: tuple[str, ...], *,
                 extra: dict | None = None) -> EvidenceStep:
        """A step resting on typed records: keeps the named attributes as the row excerpt
        (``extra``: cells the record has no attribute for, added to every row)."""
        rows = [cited_row({**{c: redact_value(c, getattr(r, c, None)) for c in columns}, **(extra or {})},
                          r.provenance) for r in records]
        return self.step(looked_at, showed, rows=rows)

    def log_step(self, looked_at: str, showed: str, records: list[LogRecord], *, limit: int = 20) -> EvidenceStep:
        shown = records[:limit]
        step = self.step(looked_at, showed, lines=[line_ref(r) for r in shown])
        if len(records) > limit:
            step.showed += f" (first {limit} of {len(records)} lines shown)"
        return step

    def could_not_check(self, what: str, why: str, query: str | None = None) -> None:
        """A check this finding could not make, and the query that would make it when one would."""
        if not any(u.what == what and u.why == why for u in self.unchecked):
            self.unchecked.append(Unchecked(what, why, query))

    def server(self, ip: str | None) -> None:
        if ip and ip not in self.servers:
            self.servers.append(ip)

    def trace(self, trace_id: str | None) -> None:
        """Name a trace id in the finding; a value that is not a trace id is reported, not followed."""
        if not trace_id or trace_id in self.trace_ids:
            return
        if not is_trace_id(trace_id):
            self.could_not_check("a trace id named by the evidence",
                                 f"{redact_text(trace_id)[:80]!r} is not an OceanBase trace id; not followed")
            return
        self.trace_ids.append(trace_id)

    def note_search(self, result: LogSearchResult, what: str) -> None:
        """Record why (part of) a log search could not run."""
        for reason in result.unchecked:
            self.could_not_check(what, reason)

    def finding(self, cause_id: CauseId, verdict: Verdict, summary: str, *, code: int | None = None,
                tenant_id: int | None = None, job_id: int | None = None, time: datetime | None = None,
                extra_steps: list[str] = ()) -> Finding:
        """The finding of a cause named by a ``CauseId`` (``catalog.cause_ids``: checked when the
        rule module is imported, or when the data that names it loads); a plain string is refused."""
        if not isinstance(cause_id, CauseId):
            raise TypeError(f"rule {self.rule_id}: a finding's cause is a CauseId (catalog.cause_ids), not {cause_id!r}")
        c: Cause = cause(cause_id)
        entry = errors.lookup(code) if code else None
        return Finding(
            rule_id=self.rule_id, cause=cause_id.value, title=c.title, summary=summary, verdict=verdict,
            code=code, code_name=entry.name if entry else None, tenant_id=tenant_id, job_id=job_id,
            servers=list(self.servers), trace_ids=list(self.trace_ids), evidence=list(self.steps),
            next_steps=[self._shown(s.replace("<tenant>", str(tenant_id) if tenant_id is not None else "<tenant>"))
                        for s in _fix_first([*extra_steps, *c.next_steps]) if self._applies(s)],
            unchecked=list(self.unchecked), notes=list(self.notes), time=time,
        )


    def _shown(self, step: str) -> str:
        """A next step never points at lines, rows, servers or traces "above" that are not shown:
        the pointer is dropped and the step says they were not in the evidence."""
        if not _ABOVE.search(step):
            return step
        shown = {"line": any(s.lines for s in self.steps), "row": any(s.rows for s in self.steps),
                 "server": bool(self.servers), "trace": bool(self.trace_ids)}
        refers = [kind for kind in shown if re.search(rf"\b{kind}s?\b[^.;]*(?:{_ABOVE.pattern})", step)]
        missing = [kind for kind in refers if not shown[kind]]
        if not missing:
            return step
        return _ABOVE.sub("", step).rstrip(". ") + f" (none shown here: the evidence has no such {' or '.join(k + 's' for k in missing)})."

    def _applies(self, step: str) -> bool:
        if self.destination_kind is None:
            return True
        other_scope = "Object storage:" if self.destination_kind == "nfs" else "NFS:"
        return not step.startswith(other_scope)


def head_tail(records: list[LogRecord], head: int = 5, tail: int = 10) -> list[LogRecord]:
    """The first and the latest lines of a long run: where it started and where it is now."""
    if len(records) <= head + tail:
        return list(records)
    return list(records[:head]) + list(records[-tail:])


def files_of(records: list[LogRecord]) -> list[str]:
    """File names the records came from, in order of first appearance."""
    names: list[str] = []
    for r in records:
        name = r.file_name
        if name not in names:
            names.append(name)
    return names


def log_provenance(record: LogRecord) -> Provenance:
    return Provenance("log", record.file_name, server=record.server, line=record.line_no, location=record.path)


def line_ref(record: LogRecord, *, mask=redact_text) -> LineRef:
    """A cited log line: its text (``mask`` masks secrets) and the fields of its record, the
    time on the views' clock as the source handed it back."""
    return LineRef(
        text=mask(record.raw), provenance=log_provenance(record), time=record.ts, level=record.level,
        trace_id=record.trace_id, tenant_id=record.tenant_id, thread=record.thread,
        message=mask(record.message or record.body), errcode=record.errcode)


_CITED = data_toml("cited_fields.toml")


def cited_row(cells: dict, provenance: Provenance | None) -> RowRef:
    """A cited row: its cells, and the times, server and trace id among them as typed fields
    (``data/cited_fields.toml`` names the fields)."""
    lowered = {str(k).lower(): v for k, v in cells.items()}
    times = tuple(RowTime(t["field"], t["meaning"], when, bool(t.get("status_then")))
                  for t in _CITED["times"] if (when := _as_time(lowered.get(t["field"]))) is not None)
    trace = next((str(lowered[c]) for c in _CITED["trace"] if lowered.get(c)), None)
    addresses = tuple(a.strip() for c, v in lowered.items() if c in _CITED["addresses"] and isinstance(v, str)
                      for a in v.split(",") if a.strip())
    return RowRef(cells, provenance, times=times, server=_row_server(lowered), trace_id=trace, addresses=addresses)


def _row_server(cells: dict) -> str | None:
    for column in _CITED["server"]:
        value = cells.get(column)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            return server_ip(value.strip('"').split(",")[0], strict=False) if value.count(":") == 1 else value
    return None


def _as_time(value) -> datetime | None:
    """A datetime cell, or one written as ``YYYY-MM-DD hh:mm:ss[.ffffff]`` (a row given as text)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def search(ctx: RuleContext, chain: Chain, *, servers: tuple[str, ...], kinds: tuple[LogFamily, ...],
           any_of: tuple[str, ...], all_of: tuple[str, ...] = (), levels: tuple[str, ...] = (),
           since: datetime | None = None, until: datetime | None = None, purpose: str = "") -> LogSearchResult:
    query = LogQuery(
        servers=tuple(s for s in servers if s), kinds=kinds, any_of=any_of, all_of=all_of, levels=levels,
        since=since or ctx.options.since, until=until or ctx.options.until, purpose=purpose,
    )
    result = ctx.evidence.search_logs(query)
    chain.note_search(result, f"{'/'.join(kinds)}.log* on {', '.join(query.servers) or 'every server'}: {purpose}")
    return result


def window(start: datetime | None, end: datetime | None, margin: timedelta = timedelta(minutes=10)) -> tuple[datetime | None, datetime | None]:
    return (start - margin if start else None, end + margin if end else None)


def code_text(code: int | None) -> str:
    return errors.describe(code)


def first_matching(records: list[LogRecord], fragments) -> tuple[LogRecord, str] | None:
    for record in records:
        for fragment in fragments:
            if fragment in record.raw:
                return record, fragment
    return None


def fmt_time(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else "?"
