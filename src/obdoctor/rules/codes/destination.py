"""The destination codes (-9051, -9070, -9071, -9080, -9081, -9082, the object storage catch-alls):
the destination failed.

Asked by P2 and P3 for these codes; A1, C1, D1, R1 and R3 use the same destination service
(``rules/services/destination.py``).

Looks at: which destination the tenant uses (the job's PATH, ``data_backup_dest``, the archive's
path) and its kind (NFS or object storage); the storage error lines on the executing server
(curl and HTTP detail of object storage); for NFS, the same code on the other servers.

Concludes ``nfs_not_mounted_everywhere``, ``dest_unreachable``, ``dest_permission_denied``,
``dest_format_file_missing``, ``dest_format_file_mismatch``, ``dest_out_of_space``,
``object_storage_unreachable``, ``object_storage_not_found``, ``object_storage_access_denied`` or
``object_storage_error``; next steps only for the destination's kind. Credentials in a path are
masked.

Cannot tell: whether an NFS path is mounted on a server whose log was not collected (it says so);
the object storage's own reason when the line carries no HTTP detail.
"""

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
