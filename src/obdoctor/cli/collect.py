"""``obdoctor collect -o FILE.tar.gz``: a bundle of what a live diagnosis looked at.

The rules run once against the live cluster through a recording wrapper; the views they read
and the log lines their searches matched are written as a bundle (docs/bundle-format.md),
secrets masked, so that ``obdoctor analyze FILE.tar.gz`` reaches the same findings offline,
on another machine, by someone without access to the cluster.
"""

from __future__ import annotations

from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    from obdoctor.cli.diagnose import add_live_options
    from obdoctor.cli.main import parse_time

    parser = sub.add_parser(
        "collect", help="write an evidence bundle from a live cluster (for analyze, elsewhere)",
        description="Diagnose the live cluster once and write what the rules read -- views and only the "
                    "matching log lines -- as a .tar.gz bundle that 'obdoctor analyze' diagnoses the same way.")
    parser.add_argument("-o", "--output", metavar="FILE.tar.gz", required=True,
                        help="the bundle to write (.tar.gz; any other name writes a directory)")
    parser.add_argument("--tenant", type=int, metavar="ID", help="only this tenant")
    parser.add_argument("--job", type=int, metavar="ID", help="only this backup job")
    parser.add_argument("--since", type=parse_time, metavar="TIME", help="ignore what happened before TIME (2h, 30m: before the "
                        "evidence's now; YYYY-MM-DD HH:MM, +08:00 or Z: on the cluster's zone)")
    parser.add_argument("--until", type=parse_time, metavar="TIME", help="ignore what happened after TIME")
    parser.add_argument("--all-jobs", action="store_true", help="follow every failed job, not only each tenant's latest")
    parser.add_argument("--redact-hosts", action="store_true",
                        help="replace IPs, host names and trace ids by stable aliases in every file of the bundle")
    add_live_options(parser)
    parser.set_defaults(handler=run)


def run(args, env: Environment) -> ExitCode:
    from obdoctor.cli.diagnose import open_live
    from obdoctor.engine import diagnose
    from obdoctor.evidence import Evidence
    from obdoctor.rules.base import RuleOptions
    from obdoctor.evidence.kinds import MOUNTS_SOURCE
    from obdoctor.sources.collect import RecordingSource, file_destination, write_archive

    out = Path(args.output)
    if out.exists() and out.is_dir():
        env.error(f"{out} is a directory: give a file name ending in .tar.gz")
        return ExitCode.USAGE
    if not out.parent.is_dir():
        env.error(f"cannot write {out}: no directory {out.parent}")
        return ExitCode.USAGE
    source = open_live(args, env)
    if isinstance(source, ExitCode):
        return source
    with source:
        from obdoctor.cli.main import resolve_for

        refused = resolve_for(args, source.info())  # --since 2h / +08:00 on the cluster's clock
        if refused:
            env.error(refused)
            return ExitCode.USAGE
        recording = RecordingSource(source)
        options = RuleOptions(tenant_id=args.tenant, job_id=args.job, since=args.since, until=args.until,
                              all_jobs=args.all_jobs)
        evidence = Evidence(recording, since=args.since, until=args.until)
        report = diagnose(evidence, options)
        if MOUNTS_SOURCE not in recording.tables and file_destination(evidence):
            recording.read_table(MOUNTS_SOURCE)  # for a later analysis of an NFS destination
        try:
            summary = write_archive(recording, out, redact_hosts=args.redact_hosts)
        except (OSError, FileExistsError) as exc:
            env.error(f"cannot write {out}: {exc}")
            return ExitCode.USAGE
    env.error(f"wrote {out}: {len(summary.tables)} view(s), {summary.rows} row(s), {summary.log_lines} log line(s) "
              f"in {summary.log_files} file(s), {summary.redacted} value(s) redacted"
              + (f" ({', '.join(f'{k} {v}' for k, v in summary.redacted_by_kind.items())})" if summary.redacted_by_kind else ""))
    for name, reason in sorted(summary.missing.items()):
        env.error(f"  not included: {name}: {reason}")
    for reason in summary.log_unchecked:
        env.error(f"  not included: {reason}")
    env.error(f"  {len(report.findings)} finding(s) now; 'obdoctor analyze {out}' shows them offline")
    if not summary.tables and not summary.log_lines:
        env.error("the bundle holds no usable evidence (see 'not included' above)")
        return ExitCode.UNDIAGNOSED
    return ExitCode.NOTHING_WRONG
