"""``obdoctor analyze BUNDLE``: diagnose from collected evidence, offline."""

from __future__ import annotations

from obdoctor.cli.commands import add_bundle_options, add_report_options, bundle_limits, emit_report
from obdoctor.cli.environment import Environment
from obdoctor.cli.main import resolve_for
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser("analyze", help="diagnose a backup failure from an evidence bundle",
                            description="Diagnose a backup failure from an evidence bundle (directory or .tar.gz).")
    parser.add_argument("bundle", metavar="BUNDLE",
                        help="bundle directory or .tar.gz, any folder or file of saved query outputs and logs, or - to "
                             "read one paste from standard input (see: obdoctor docs bundle-format)")
    add_report_options(parser)
    add_bundle_options(parser)
    parser.set_defaults(handler=run)


def run(args, env: Environment) -> ExitCode:
    from obdoctor.engine import diagnose
    from obdoctor.evidence import Evidence
    from obdoctor.rules.base import RuleOptions
    from obdoctor.sources.bundle import Bundle, BundleError

    stdin = None
    if args.bundle == "-":
        stream = env.stdin  # bytes when it has them (any encoding is sniffed later), else its text
        stdin = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
        if not stdin.strip():
            env.error("the paste on standard input is empty: paste query outputs (obclient/mysql) or "
                      "observer log lines, then end with Ctrl-D")
            return ExitCode.UNDIAGNOSED
    try:
        bundle = Bundle(args.bundle, **bundle_limits(args), stdin=stdin)
    except BundleError as exc:
        env.error(str(exc))
        return ExitCode.USAGE
    with bundle:
        resolve_for(args, bundle.info())  # --since 2h / +08:00 on the bundle's clock
        options = RuleOptions(tenant_id=args.tenant, job_id=args.job, since=args.since, until=args.until,
                              all_jobs=args.all_jobs)
        report = diagnose(Evidence(bundle, since=args.since, until=args.until), options)
        return emit_report(report, args, env)
