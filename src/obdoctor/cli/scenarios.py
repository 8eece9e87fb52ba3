"""``obdoctor scenarios build``: regenerate the example bundles from the scenario declarations."""

from __future__ import annotations

from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def add(sub) -> None:
    parser = sub.add_parser("scenarios", help="(development) build example bundles from scenario declarations",
                            description="A development command: regenerates examples/ of a source checkout "
                                        "from its scenarios/*.toml (run it at the checkout's root, or give "
                                        "--from and --to). See: obdoctor docs scenarios.")
    inner = parser.add_subparsers(dest="scenarios_command", metavar="ACTION")
    build = inner.add_parser("build", help="write one bundle per scenarios/*.toml",
                             description="Write examples/<name>/ from each scenarios/<name>.toml (or only the NAMEs given).")
    build.add_argument("--from", dest="source", default="scenarios", metavar="DIR",
                       help="the scenario declarations (default: scenarios)")
    build.add_argument("--to", dest="target", default="examples", metavar="DIR",
                       help="where the bundles are written (default: examples)")
    build.add_argument("--tar", action="store_true", help="also write DIR/<name>.tar.gz")
    build.add_argument("names", nargs="*", metavar="NAME", help="only these scenarios")
    build.set_defaults(handler=run_build)


def run_build(args, env: Environment) -> ExitCode:
    from obdoctor.scenarios import generator, model

    source, target = Path(args.source), Path(args.target)
    files = sorted(source.glob("*.toml"))
    if not files:
        env.error(f"no scenario in {source}/: 'scenarios build' is a development command, run it at the root "
                  "of a source checkout of obdoctor (or give --from DIR)")
        return ExitCode.USAGE
    for path in files:
        scenario = model.load(path)
        if args.names and scenario.name not in args.names:
            continue
        bundle = generator.write_bundle(scenario, target / scenario.name)
        if args.tar:
            generator.write_tarball(bundle, target / f"{scenario.name}.tar.gz")
        env.stdout.write(f"{bundle}\n")
    return ExitCode.NOTHING_WRONG
