"""Where a backup went wrong, as far as the chain got, and the code families that explain it.

P2 (stuck) and P3 (failed) each walk their chain to a ``FailurePoint``: the code, the server
that executed the work, its traces and the lines found there. ``explain`` then hands it to the
code family that knows the code (``rules/codes/``) or falls back to the error catalogue.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import datetime

from obdoctor.catalog.data_files import data_toml
from obdoctor.catalog.cause_ids import BACKUP_FAILED_UNKNOWN, ERROR_CODE, STUCK, CauseId
from obdoctor.findings import Verdict
from obdoctor.logs import LogRecord
from obdoctor.rules.base import Chain, RuleContext


@dataclass
class FailurePoint:
    tenant_id: int | None
    job_id: int | None
    code: int | None
    time: datetime | None = None
    since: datetime | None = None
    until: datetime | None = None
    exec_server: str | None = None
    exec_addr: str | None = None
    exec_traces: list[str] = field(default_factory=list)
    rs_server: str | None = None
    ls_id: int | None = None
    lines: list[LogRecord] = field(default_factory=list)
    """Problem lines already found on the executing server for the traces."""
    proof: LogRecord | None = None
    """The line that shows the code on the executing server, if found."""
    stuck: bool = False
    searched: list[str] = field(default_factory=list)
    """What the trace searches covered (``LogSearchResult.searched``), one per search."""
    logs_searched: bool = False
    """Whether any log file was searched for the task's traces: "no error logged" needs it."""


@dataclass
class Explanation:
    cause: CauseId
    verdict: Verdict
    summary: str
    next_steps: list[str] = field(default_factory=list)


class CodeFamily:
    """Explains failures with some codes. Subclasses live in ``rules/codes/``."""

    codes: tuple[int, ...] = ()
    order: int = 100
    """Families are asked in this order (lowest first); the first that explains a failure wins."""
    signature_causes: tuple[CauseId, ...] = ()
    """Causes whose log signatures identify this family even without the code (stuck jobs)."""

    def matches_lines(self, lines: list[LogRecord]) -> bool:
        return False

    def explain(self, ctx: RuleContext, chain: Chain, failure: FailurePoint) -> Explanation | None:
        raise NotImplementedError


def code_families() -> list[CodeFamily]:
    """Every family of ``rules/codes/``, found by walking its modules: a new module is a new family,
    never silently left out. Ordered by ``order``, then name."""
    package = importlib.import_module("obdoctor.rules.codes")  # plugins: found at run time, never imported by name

    found: dict[str, type[CodeFamily]] = {}
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, type) and issubclass(value, CodeFamily) and value is not CodeFamily \
                    and value.__module__ == module.name:
                found[value.__name__] = value
    return [cls() for cls in sorted(found.values(), key=lambda c: (c.order, c.__name__))]


def explain(ctx: RuleContext, chain: Chain, failure: FailurePoint) -> Explanation:
    for family in code_families():
        if failure.code in family.codes or (failure.stuck and family.matches_lines(failure.lines)):
            explanation = family.explain(ctx, chain, failure)
            if explanation:
                return explanation
    if failure.code is None:
        if failure.stuck and failure.logs_searched:
            return Explanation(STUCK, Verdict.UNKNOWN, "no error logged for the task's trace")
        if failure.stuck:  # never "no error logged" when no log was searched
            searched = "; ".join(failure.searched) or "no trace to follow"
            return Explanation(STUCK, Verdict.UNKNOWN, f"its logs could not be searched ({searched})")
        return Explanation(BACKUP_FAILED_UNKNOWN, Verdict.UNKNOWN, "no error code anywhere in the evidence")
    if failure.code in uninformative_codes() and not failure.proof:
        return Explanation(ERROR_CODE, Verdict.UNKNOWN, "that code names no cause (it says only that something "
                           "unexpected happened): the executing server's line with it tells what")
    verdict = Verdict.CONFIRMED if failure.proof else Verdict.LIKELY
    return _documented(Explanation(ERROR_CODE, verdict, ""), failure.code)


@functools.cache
def uninformative_codes() -> frozenset[int]:
    """Codes that say only "something unexpected happened" (``backup_facts.toml``
    ``[uninformative_codes]``): a failure carrying one of them alone is undecided, not a cause."""
    return frozenset(data_toml("backup_facts.toml")["uninformative_codes"]["codes"])


def _documented(explanation: Explanation, code: int) -> Explanation:
    """Give a bare ``error_code`` finding what OceanBase's documentation says about the code."""
    from obdoctor.catalog import error_docs

    doc = error_docs.doc(code)
    if doc and doc.cause:
        explanation.summary = "documented cause: " + " ".join(doc.cause).rstrip(".")
        explanation.next_steps = [f"Documented solution: {s}" for s in doc.solution]
    return explanation
