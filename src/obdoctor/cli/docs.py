"""``obdoctor docs [TOPIC]``: the documentation, wherever obdoctor was installed from.

Help texts point at topics (``obdoctor docs bundle-format``) rather than at ``docs/*.md`` paths
that exist only in a source checkout. The files ship inside the package (``setup.py`` copies
``docs/`` into ``obdoctor/docs/`` of the wheel); an editable install or a checkout reads the
repository's ``docs/`` directly.
"""

from __future__ import annotations

from pathlib import Path

from obdoctor.cli.environment import Environment
from obdoctor.exit_codes import ExitCode


def docs_dir() -> Path | None:
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "docs", package.parent.parent / "docs"):  # wheel, then checkout
        if candidate.is_dir() and any(candidate.glob("*.md")):
            return candidate
    return None


def topics(directory: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(directory.glob("*.md"))} | {
        p.name: p for p in sorted(directory.glob("*.json"))}


def add(sub) -> None:
    parser = sub.add_parser("docs", help="show the documentation shipped with obdoctor",
                            description="Print a documentation topic (Markdown), or list the topics and "
                                        "where the files are.")
    parser.add_argument("topic", nargs="?", metavar="TOPIC", help="e.g. bundle-format, live, watch, logs, causes")
    parser.add_argument("--path", action="store_true", help="print the file's path instead of its text")
    parser.set_defaults(handler=run)


def run(args, env: Environment) -> ExitCode:
    directory = docs_dir()
    if directory is None:
        env.error("the documentation is not installed with this copy of obdoctor; it is in docs/ of the "
                  "source distribution")
        return ExitCode.USAGE
    known = topics(directory)
    if not args.topic:
        env.stdout.write(f"documentation in {directory}:\n")
        env.stdout.write("".join(f"  obdoctor docs {name}\n" for name in known))
        return ExitCode.NOTHING_WRONG
    name = args.topic.removeprefix("docs/").removesuffix(".md")
    path = known.get(name) or known.get(args.topic)
    if path is None:
        env.error(f"no topic {args.topic!r}; topics: {', '.join(known)}")
        return ExitCode.USAGE
    env.stdout.write(f"{path}\n" if args.path else path.read_text(encoding="utf-8"))
    return ExitCode.NOTHING_WRONG
