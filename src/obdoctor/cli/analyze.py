"""``obdoctor analyze BUNDLE``: diagnose from collected evidence, offline."""

from __future__ import annotations

from obdoctor.cli.commands import add_bundle_options, add_report_options, bundle_limits, diagnose_source
from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser("analyze", help="diagnose a backup failure from an evidence bundle",
                            description="Diagnose a backup failure from an evidence bundle (directory, .tar.gz or .zip).")
    parser.add_argument("bundle", metavar="BUNDLE",
                        help="bundle directory, .tar.gz or .zip, any folder or file of saved query outputs and logs, or - to "
                             "read one paste from standard input (see: obdoctor docs bundle-format)")
    add_report_options(parser)
    add_bundle_options(parser)
    parser.set_defaults(handler=run)


def run(args, env: Environment) -> ExitCode:
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
        return diagnose_source(bundle, args, env)
