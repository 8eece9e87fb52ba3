"""-9070/-9071/-9080/-9081/-9082/-9051 and the object storage catch-alls: the destination failed."""

from __future__ import annotations

from obdoctor.evidence.kinds import Kind
from obdoctor.rules.base import Chain, RuleContext
from obdoctor.rules.services.destination import DESTINATION_CODES, DestinationProblem, diagnose
from obdoctor.rules.services.failure import CodeFamily, Explanation, FailurePoint


class BackupDestination(CodeFamily):
    """A backup task failed on the destination: NFS not mounted (everywhere), no permission,
    format file missing or foreign, out of space, or an object storage error whose curl/HTTP
    detail says why. See ``rules/services/destination.py``.
    """

    codes = DESTINATION_CODES
    order = 30

    def explain(self, ctx: RuleContext, chain: Chain, failure: FailurePoint) -> Explanation | None:
        path = record = None
        for job in [*ctx.evidence.get(Kind.JOB_HISTORY), *ctx.evidence.get(Kind.JOBS)]:
            if job.tenant_id == failure.tenant_id and job.job_id == failure.job_id and job.path:
                path, record = job.path, job
        servers = tuple(s for s in (failure.exec_server,) if s)
        return diagnose(ctx, chain, DestinationProblem(
            failure.code, failure.tenant_id, servers=servers, since=failure.since, until=failure.until,
            lines=tuple(failure.lines), path=path, path_record=record))
