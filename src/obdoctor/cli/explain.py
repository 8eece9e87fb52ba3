"""``obdoctor explain CODE``: what an OceanBase error code means for a backup."""

from __future__ import annotations

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser("explain", help="explain an OceanBase error code (-9040, 9040, ret=-9040, OB_...)")
    parser.add_argument("code", metavar="CODE")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args, env: Environment) -> ExitCode:
    import json

    from obdoctor.knowledge import errors

    entry = errors.lookup(args.code)
    if entry is None:
        env.error(f"{args.code!r} is not a known OceanBase error code or name")
        return ExitCode.UNDIAGNOSED
    retried = errors.is_retried_by_backup(entry.code)
    if args.format == "json":
        env.stdout.write(json.dumps({
            "code": entry.code, "name": entry.name, "message": entry.message,
            "user_message_fmt": entry.user_message_fmt, "mysql_errno": entry.mysql_errno,
            "sqlstate": entry.sqlstate, "retried_by_backup": retried,
        }, ensure_ascii=False, indent=2) + "\n")
        return ExitCode.NOTHING_WRONG
    out = env.stdout
    out.write(f"{entry.code} {entry.name}\n")
    out.write(f"  message:       {entry.message}\n")
    if entry.user_message_fmt and entry.user_message_fmt != entry.message:
        out.write(f"  user message:  {entry.user_message_fmt}\n")
    out.write(f"  MySQL errno:   {entry.mysql_errno} (SQLSTATE {entry.sqlstate})\n")
    out.write(f"  backup:        {'retried by the backup scheduler' if retried else 'not retried: a task failing with it fails the job'}\n")
    return ExitCode.NOTHING_WRONG
