"""-4554: the root service timed a backup task out.

The runbook's common codes. Asked by P2 and P3 for -4554 (OB_REBALANCE_TASK_NOT_IN_PROGRESS),
which comes from the root service's keep-alive check of the executing server.

Looks at: ``rootservice.log*`` for ``backup dest server is not exist`` or ``server status may not
active or in service`` naming the executing server; ``DBA_OB_SERVERS`` (its status); the ls
task's trace on the executing server.

Concludes ``server_not_alive`` (confirmed by the line naming that server, likely when the server
is INACTIVE), otherwise ``result_not_reported``: the task's result never reached the root
service (likely when the keep-alive lines were searched and are silent, unknown when they could
not be read: then nothing tells the two apart).

Cannot tell: why the server left or the result was lost, beyond the lines shown; the keep-alive
lines when no root service server is named.
"""

from __future__ import annotations

from obdoctor.catalog.cause_ids import RESULT_NOT_REPORTED, SERVER_NOT_ALIVE
from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.addresses import server_ip
from obdoctor.findings import Verdict
from obdoctor.catalog.causes import cause
from obdoctor.logs import LogRecord, find_anywhere
from obdoctor.rules.base import PROBLEM_LEVELS, Chain, RuleContext, search
from obdoctor.rules.services.failure import CodeFamily, Explanation, FailurePoint


class TaskTimeout(CodeFamily):
    """-4554 OB_REBALANCE_TASK_NOT_IN_PROGRESS comes from the root service's keep-alive check.

    If its rootservice.log says ``backup dest server is not exist`` or ``server status may not
    active or in service``, the executing server was gone (server_not_alive); otherwise the
    task's result never reached the root service (result_not_reported): follow the ls task's
    trace on the executing server.
    """

    codes = (-4554,)
    order = 20

    def matches_lines(self, lines: list[LogRecord]) -> bool:
        return False

    def explain(self, ctx: RuleContext, chain: Chain, failure: FailurePoint) -> Explanation | None:
        signatures = cause(SERVER_NOT_ALIVE).signatures
        rs_servers = _rs_servers(ctx, failure)
        hits: list[LogRecord] = []
        looked = False
        if rs_servers:
            result = search(
                ctx, chain, servers=tuple(rs_servers), kinds=(LogFamily.ROOTSERVICE,), any_of=signatures,
                since=failure.since, until=failure.until, purpose="keep-alive failures",
            )
            looked = result.searched_anything
            hits = [r for r in result.records if not failure.exec_server or failure.exec_server in r.raw]
            gone = _gone_server(hits)
            if gone and not failure.exec_server:  # the line names the server; the root service only logged it
                failure.exec_server, failure.exec_addr = server_ip(gone), gone
                chain.server(failure.exec_server)
            if hits:
                chain.log_step(
                    f"rootservice.log* on {', '.join(rs_servers)}: grep 'backup dest server is not exist' / "
                    "'server status may not active or in service'",
                    f"{len(hits)} line(s): the root service on {', '.join(rs_servers)} found "
                    f"{gone or failure.exec_server or 'a server it does not name'} gone or inactive",
                    hits[:10],
                )
            elif result.searched_anything:
                chain.step(f"rootservice.log* on {', '.join(rs_servers)}: keep-alive failure lines",
                           "none: the server was not reported gone")
        else:
            chain.could_not_check("keep-alive lines in rootservice.log", "no root service server is named by the evidence")
        server = ctx.evidence.get(Kind.SERVERS).first(svr_ip=failure.exec_server) if failure.exec_server else None
        inactive = server is not None and server.status not in (None, "ACTIVE")
        if server is not None:
            chain.row_step("DBA_OB_SERVERS", f"server {server.svr_ip}:{server.svr_port} is {server.status}",
                           [server], ("svr_ip", "svr_port", "status", "start_service_time"))
        if hits:
            who = f"server {failure.exec_addr or failure.exec_server}" if failure.exec_server else "the executing server"
            if server is None and failure.exec_server and ctx.evidence.get(Kind.SERVERS).available:
                chain.step("DBA_OB_SERVERS", f"{failure.exec_server} is not in the server list: it left the cluster")
            return Explanation(SERVER_NOT_ALIVE, Verdict.CONFIRMED, f"{who} was gone or inactive")
        if inactive:
            return Explanation(SERVER_NOT_ALIVE, Verdict.LIKELY, f"server {failure.exec_server} is {server.status}")
        # follow the ls task trace on the executing server
        if failure.exec_server and failure.exec_traces:
            result = search(
                ctx, chain, servers=(failure.exec_server,), kinds=(LogFamily.OBSERVER,),
                any_of=tuple(failure.exec_traces),
                since=failure.since, until=failure.until, purpose="the ls task's trace",
            )
            lines = [r for r in result.records if r.level in PROBLEM_LEVELS] or result.records[-10:]
            if lines:
                chain.log_step(f"observer.log* on {failure.exec_server}: grep {failure.exec_traces[0]}",
                               f"{result.total_matches} line(s) of the ls task's trace", lines)
        if not looked:  # silence not listened to: the server may have been gone all the same
            chain.could_not_check("whether the executing server was gone (keep-alive lines in rootservice.log)",
                                  "no rootservice.log of the root service was read")
            return Explanation(RESULT_NOT_REPORTED, Verdict.UNKNOWN,
                               "the task's server was gone or its result never reached the root service: "
                               "the root service's keep-alive lines, which tell which, were not read")
        return Explanation(RESULT_NOT_REPORTED, Verdict.LIKELY,
                           "the task's result never reached the root service")


def _gone_server(lines: list[LogRecord]) -> str | None:
    """``dst="ip:port"`` of the keep-alive line, else its ``server_info={server:"ip:port", ...}``."""
    for line in lines:
        for value in (line.get("dst"), find_anywhere(line.get("server_info") or "", "server")):
            if value and server_ip(value.strip('"')):
                return value.strip('"')
    return None


def _rs_servers(ctx: RuleContext, failure: FailurePoint) -> list[str]:
    if failure.rs_server:
        return [failure.rs_server]
    ips: list[str] = []
    for event in ctx.evidence.get(Kind.RS_EVENTS).where(module="backup_data"):
        if event.rs_svr_ip and event.rs_svr_ip not in ips and (failure.tenant_id is None or event.tenant_id in (None, failure.tenant_id)):
            ips.append(event.rs_svr_ip)
    return ips[-1:] if ips else []
