"""Runs the rules over evidence and gathers one report."""

from __future__ import annotations

import os
import traceback

from obdoctor.evidence import Evidence
from obdoctor.findings import Finding, LogRead, Report, ReportSource, Unchecked, Verdict, ViewRead
from obdoctor.rules import coverage
from obdoctor.rules.base import STRICT_NEEDS_ENV, Rule, RuleContext, RuleOptions, UndeclaredEvidence, all_rules

_VERDICT_ORDER = {Verdict.CONFIRMED: 0, Verdict.LIKELY: 1, Verdict.UNKNOWN: 2}


def diagnose(evidence: Evidence, options: RuleOptions | None = None, rules: list[Rule] | None = None) -> Report:
    options = options or RuleOptions()
    ctx = RuleContext(evidence, options)
    findings: list[Finding] = []
    internal_errors: list[Unchecked] = []
    strict = os.environ.get(STRICT_NEEDS_ENV) == "1"
    for rule in rules if rules is not None else all_rules():
        try:
            findings.extend(rule.check(ctx.for_rule(rule, strict=strict)))
        except UndeclaredEvidence:
            raise  # the strict test suite: a rule's needs are incomplete, fail loudly
        except Exception as exc:  # a bug: the other rules still run, and the exit code says so (4)
            where = traceback.extract_tb(exc.__traceback__)[-1]
            internal_errors.append(Unchecked(
                f"rule {rule.id} ({rule.name})",
                f"internal error: {type(exc).__name__}: {str(exc)[:200]} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"))
    findings.sort(key=lambda f: (_VERDICT_ORDER[f.verdict], -(f.time.timestamp() if f.time and f.time.year > 1970 else 0)))
    info = evidence.info
    covered = coverage.assess(evidence, options, findings)
    whats = {u.what for u in covered.unchecked}
    unchecked = [*internal_errors, *covered.unchecked,
                 *(u for u in ctx.unchecked if u.what not in whats and u.why not in covered.reasons)]
    for table in evidence.tables_read():
        for problem in table.problems:
            unchecked.append(Unchecked(f"part of {table.name}", problem))
    return Report(
        findings=findings,
        observations=ctx.observations,
        unchecked=unchecked,
        decided=covered.decided,
        undecided=covered.undecided,
        out_of_scope=covered.out_of_scope,
        internal_errors=internal_errors,
        source=ReportSource(
            kind=info.kind, location=info.location, cluster=info.cluster, version=info.version,
            collected_at=info.collected_at.isoformat(sep=" ") if info.collected_at else None,
            servers=list(info.servers),
            notes=[*info.notes, *(n for t in evidence.tables_read() for n in t.notes)],  # statuses read as another spelling
            product=info.product or None,  # as the server names itself
            version_scope=info.version_scope or None,  # 3.x: what was read
        ),
        sources_read=[
            ViewRead(t.name, t.available, len(t.rows), t.reason) for t in evidence.tables_read()
        ] + [
            LogRead(s.query.purpose, list(s.query.servers), len(s.files_searched), s.total_matches, list(s.unchecked))
            for s in evidence.log_searches()
        ],
    )
