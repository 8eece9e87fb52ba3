"""obdoctor at 3 a.m.: a tired DBA who never used it types what comes to hand.

Each test is one thing such a DBA typed and what the answer must let them do without reading the
manual: say which code it took and why, end a mistake in one line naming what to do, keep the
help honest about its options.
"""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES

HEALTHY = str(EXAMPLES / "healthy")


# -- explain: which code it took, and why -------------------------------------------------------

def test_bare_number_says_it_was_read_as_the_negative_code_and_names_the_errno_alternative(run_cli) -> None:
    """``4012`` is OB_TIMEOUT (-4012) but also the MySQL errno eight other codes return: the DBA
    must see which one was taken, and how to ask for the others."""
    result = run_cli("explain", "4012")
    assert result.code == 0
    first = result.out.splitlines()[0]
    assert "4012" in first and "-4012" in first and "OceanBase code" in first
    assert "MySQL errno" in result.out.split("\n\n")[0]
    assert "obdoctor explain 'ERROR 4012'" in result.out


def test_typed_negative_code_needs_no_reading_line(run_cli) -> None:
    result = run_cli("explain", "-4012")
    assert result.out.startswith("-4012 OB_TIMEOUT\n")


def test_mysql_errno_that_is_no_oceanbase_code_is_read_as_an_errno(run_cli) -> None:
    """``1205`` (lock wait timeout) is the errno a client shows; there is no code -1205, so it is
    the MySQL errno of -6003/-6006, not "unknown" (MySQL's errno list:
    https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html)."""
    result = run_cli("explain", "1205")
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert "no OceanBase code -1205" in first and "MySQL errno 1205" in first
    assert "OB_ERR_EXCLUSIVE_LOCK_CONFLICT" in result.out


def test_client_error_line_says_errno_and_why_the_first(run_cli) -> None:
    result = run_cli("explain", "ERROR 4012 (HY000): Timeout")
    first = result.out.splitlines()[0]
    assert "MySQL errno 4012" in first and "HY000" in first
    assert "-4012 first" in first


def test_made_up_code_says_how_it_was_read(run_cli) -> None:
    result = run_cli("explain", "99999")
    assert result.code == 3
    assert "99999" in result.err and "-99999" in result.err
    assert "not a known OceanBase error code" in result.err
    assert "nor a MySQL errno" in result.err
    assert result.err.count("\n") == 1


# -- a mistyped option: one line on stderr, what was wrong and where the help is -----------------

@pytest.mark.parametrize(("argv", "wrong", "code"), [
    (("analyze", HEALTHY, "--job", "abc"), "'abc' is not a whole number", 2),
    (("analyze", HEALTHY, "--bogus"), "--bogus", 2),
    (("analyze", HEALTHY, "--format", "yaml"), "'yaml'", 2),
    (("analyse", HEALTHY), "'analyse'", 2),
    (("check", "--format", "xx"), "'xx'", 3),  # Nagios' UNKNOWN, never CRITICAL
    (("check", HEALTHY, "--bogus"), "--bogus", 3),
    (("logs", "search", "--since", "yesterday-ish", "x", HEALTHY), "yesterday-ish", 2),
])
def test_usage_error_is_one_line_naming_the_help(argv, wrong, code, run_cli) -> None:
    result = run_cli(*argv)
    assert result.code == code
    assert result.out == ""
    assert result.err.count("\n") == 1, result.err
    assert wrong in result.err
    assert "usage:" not in result.err and "Traceback" not in result.err
    command = "obdoctor" if argv[0] == "analyse" else f"obdoctor {argv[0]}"
    assert f"{command} --help" in result.err or f"{command} {argv[1]} --help" in result.err


# -- a bundle zipped by a colleague, given as is -------------------------------------------------

def _zip(folder, target, extra: dict[str, bytes] | None = None):
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target


def test_a_zipped_bundle_reads_as_its_folder(run_cli, tmp_path) -> None:
    """A bundle zipped on a laptop (Windows' "Send to > Compressed folder") is read like the
    .tar.gz: same finding, not "a binary file, not text"."""
    folder = EXAMPLES / "failed-41-chain"
    zipped = run_cli("analyze", _zip(folder, tmp_path / "b.zip"), "--format", "json")
    plain = run_cli("analyze", folder, "--format", "json")
    assert zipped.code == plain.code == 1, zipped.err
    assert [f["cause"] for f in zipped.json()["findings"]] == [f["cause"] for f in plain.json()["findings"]]


def test_a_zip_member_climbing_out_is_not_written_outside(run_cli, tmp_path) -> None:
    """Zip slip (https://security.snyk.io/research/zip-slip-vulnerability): ``../`` names stay inside."""
    zipped = _zip(EXAMPLES / "healthy", tmp_path / "b.zip", {"../../escaped.txt": b"x", "/abs.txt": b"x"})
    run_cli("analyze", zipped)
    assert not list(tmp_path.parent.rglob("escaped.txt")) and not (tmp_path / "escaped.txt").exists()


def test_a_zip_over_the_member_budget_is_refused_in_one_line(run_cli, tmp_path) -> None:
    zipped = _zip(EXAMPLES / "healthy", tmp_path / "b.zip")
    result = run_cli("analyze", zipped, "--max-extract-files", "2")
    assert result.code == 2
    assert "--max-extract-files" in result.err and result.err.count("\n") == 1


def test_a_broken_zip_is_one_line(run_cli, tmp_path) -> None:
    broken = tmp_path / "b.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    result = run_cli("analyze", broken)
    assert result.code == 2
    assert "not a readable .zip bundle" in result.err and result.err.count("\n") == 1


# -- help and docs tell the truth about the options ----------------------------------------------

def _parsers() -> dict[str, object]:
    """Every parser by its command line (``obdoctor logs search``)."""
    import argparse

    from obdoctor.cli.main import build_parser

    def walk(parser, name: str) -> dict:
        out = {name: parser}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for word, child in action.choices.items():
                    out.update(walk(child, f"{name} {word}"))
        return out

    return walk(build_parser(), "obdoctor")


def _options(parser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


DOCS = [EXAMPLES.parent / "README.md", *sorted((EXAMPLES.parent / "docs").glob("*.md"))]


def _command_lines():
    """``obdoctor <command> ... --option`` as written in the README and docs/: inside code
    spans and code blocks, one command line at a time (a line break continues with ``\\``)."""
    import re

    for page in DOCS:
        text = page.read_text(encoding="utf-8").replace("\\\n", " ")
        for line in text.splitlines():
            for span in re.findall(r"`([^`]*obdoctor [^`]*)`", line) or ([line] if "obdoctor " in line else []):
                for m in re.finditer(r"\bobdoctor((?: [a-z][a-z-]*)+)(.*?)(?=\||;|&&|$|\bobdoctor\b)", span):
                    yield page.name, m.group(1).split(), m.group(2)


def test_every_option_a_doc_gives_a_command_exists() -> None:
    """A DBA copying ``obdoctor check --max-age 2d`` from the docs must not meet "unrecognized
    arguments": each option written after a command is one of that command's own."""
    import re

    parsers = _parsers()
    wrong = []
    for page, words, rest in _command_lines():
        name = "obdoctor"
        for word in words:
            if f"{name} {word}" not in parsers:
                break
            name = f"{name} {word}"
        if name == "obdoctor":
            continue
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", rest):
            if option not in _options(parsers[name]):
                wrong.append(f"{page}: {name} {option}")
    assert not wrong, sorted(set(wrong))


def test_every_option_is_in_the_help_and_the_docs() -> None:
    """The reverse: an option the parser takes is shown by its --help (none hidden) and named
    somewhere in the README or docs/ (its long or short spelling)."""
    import argparse
    import re

    text = " ".join(page.read_text(encoding="utf-8") for page in DOCS)
    missing = []
    for name, parser in _parsers().items():
        shown = parser.format_help()
        for action in parser._actions:
            if not action.option_strings or "--help" in action.option_strings:
                continue
            assert action.help != argparse.SUPPRESS and any(o in shown for o in action.option_strings), \
                (name, action.option_strings)
            if not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text) for o in action.option_strings):
                missing.append(f"{name} {action.option_strings[-1]}")
    assert not missing


def test_every_help_starts_with_what_it_does_and_shows_an_example() -> None:
    for name, parser in _parsers().items():
        assert parser.description and parser.description[0].isupper(), f"{name}: no first line saying what it does"
        if name in ("obdoctor", "obdoctor logs", "obdoctor scenarios"):
            continue  # command groups: their help lists the commands
        assert "\nexamples:\n  " in parser.format_help(), f"{name}: no example in its --help"


def test_every_help_example_parses() -> None:
    """An example a DBA copies from --help runs: each parses with obdoctor's own parser."""
    import shlex

    from obdoctor.catalog.data_files import data_toml
    from obdoctor.cli.main import build_parser

    examples = data_toml("help_examples.toml")["commands"]
    assert set(examples) == {n.removeprefix("obdoctor ") for n in _parsers()} - {"obdoctor", "logs", "scenarios"}
    for lines in examples.values():
        for line in lines:
            words = shlex.split(line.split(" # ")[0].split(" | ")[-1].split(" < ")[0], posix=True)
            words = words[words.index("obdoctor") + 1:]
            build_parser().parse_args(words)  # a refused line raises UsageError


# -- "Run next" commands paste into a shell as they are -----------------------------------------

def _pasted(command: str, cwd) -> tuple[list[str], list[str]]:
    """What a shell does with ``command`` (folded as the text report folds it, `` \\`` and all):
    the arguments obclient would get, and the files the redirection writes."""
    import subprocess

    from obdoctor.report.terminal import _shell_lines

    folded = "\n".join(_shell_lines(command, 40))
    script = 'obclient() { printf "%s\\n" "$@"; }\n' + folded + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in cwd.iterdir())
    return (cwd / files[0]).read_text().splitlines() if files else [], files


@pytest.mark.parametrize("query", [
    "SELECT * FROM oceanbase.GV$OB_LOG_STAT WHERE tenant_id = 1002",
    "SELECT * FROM oceanbase.V$OB_LS_LOG_RESTORE_STATUS",
    'SELECT * FROM oceanbase.CDB_OB_BACKUP_PARAMETER WHERE name = "data_backup_dest" AND `value` != \'\\\\\'',
])
def test_a_run_next_query_reaches_obclient_whole(query, tmp_path) -> None:
    """``$OB_LOG_STAT`` inside double quotes is a shell variable: the query must reach obclient
    as written, and the output land in the file the command names."""
    from obdoctor.findings import Unchecked
    from obdoctor.report.next_commands import _command

    command = _command(Unchecked("log streams", "not in the bundle", query), None, "127.0.0.3")
    argv, files = _pasted(command.command, tmp_path)
    assert " ".join(argv[argv.index("-e") + 1].split()) == query
    view = query.split("oceanbase.")[1].split()[0]
    assert files == [f"{view}.txt"]


def test_a_run_next_command_without_a_known_server_is_no_redirection(run_cli) -> None:
    """``-h<observer>`` pasted as is reads the file ``observer`` (a redirection): the placeholder
    must be a plain word obclient refuses by name (partial-event-only names no server)."""
    out = run_cli("analyze", EXAMPLES / "partial-event-only").out
    run_next = out[out.index("Run next"):]
    assert "obclient -hOBSERVER_IP " in run_next and "<observer>" not in run_next


# -- a tenant or job that is not there -------------------------------------------------------------

def test_a_tenant_not_in_the_evidence_names_those_that_are(run_cli) -> None:
    """``--tenant 9999`` (a typo of 1002?): the answer lists the tenants the evidence holds, so the
    next try is right; exit 3 (nothing decided), never "healthy"."""
    result = run_cli("analyze", EXAMPLES / "failed-41-chain", "--tenant", "9999")
    assert result.code == 3
    assert "--tenant 9999 matches no backup job" in result.out
    assert "tenants in the evidence: 1002" in " ".join(result.out.split())


def test_a_job_not_in_the_evidence_names_the_tenant_s_jobs(run_cli) -> None:
    result = run_cli("analyze", EXAMPLES / "failed-41-chain", "--tenant", "1002", "--job", "77")
    assert result.code == 3
    assert "jobs of tenant 1002 in the evidence: 1." in " ".join(result.out.split())
    alone = run_cli("analyze", EXAMPLES / "failed-41-chain", "--job", "77")
    assert "jobs in the evidence: tenant 1002: 1." in " ".join(alone.out.split())


# -- the cluster cannot be reached ----------------------------------------------------------------

def test_one_reason_shared_by_several_views_is_said_once() -> None:
    """A refused connection fails every view alike: "could not check" says it once per check,
    not once per view (25 copies of "Connection refused" before the next step)."""
    from obdoctor.rules.coverage import compact_reason

    down = "cannot connect to 127.0.0.1:1 (Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused))"
    reason = f"CDB_OB_BACKUP_JOBS: {down}; DBA_OB_BACKUP_JOBS: {down}; __all_virtual_backup_job: {down}"
    assert compact_reason(reason) == f"CDB_OB_BACKUP_JOBS / DBA_OB_BACKUP_JOBS / __all_virtual_backup_job: {down}"
    mixed = "A_VIEW: not in the bundle (sql/A_VIEW.*); B_VIEW: error 1146: no such table"
    assert compact_reason(mixed) == "B_VIEW: error 1146: no such table; A_VIEW not in the bundle (sql/A_VIEW.*)"


@pytest.mark.parametrize("error", [
    "cannot connect to 127.0.0.1:1 (Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused))",
    "error 1045: Access denied for user 'root'@'127.0.0.1' (using password: YES)",
])
def test_a_cluster_that_cannot_be_read_is_one_line_and_exit_5(error, run_cli, monkeypatch) -> None:
    """No database and no server to read logs from: nothing can be said, and the DBA needs the
    reason and what to check in one line, exit 5 (UNREACHABLE) so an alert tells it from 3."""
    from obdoctor.sources.mysql import SqlTableReader

    class Facts:
        def __getattr__(self, name):
            return error if name == "error" else ([] if name == "notes" else None)

    monkeypatch.setattr(SqlTableReader, "facts", lambda self: Facts())
    result = run_cli("diagnose", "--db-host", "127.0.0.1", "--db-port", "1", "-q",
                     env={"OBDOCTOR_DB_PASSWORD": "s3cret-pw", "HOME": "/nonexistent"})
    assert result.code == 5, result.err
    assert result.out == "" and result.err.count("\n") == 1
    assert error.split(" (")[0].split(": ")[-1] in result.err
    assert ("--db-user" if "1045" in error else "--db-host") in result.err and "obdoctor docs live" in result.err
    assert "s3cret-pw" not in result.err


# -- the first screen: the step that fixes it before the reference facts -------------------------

@pytest.mark.parametrize("example", ["clock-skew-utc-logs", "failed-42-comment", "dest-permission-check",
                                     "dest-nfs-not-mounted", "clean-failed-permission"])
def test_the_cause_s_own_step_comes_before_the_nfs_requirements(example, run_cli) -> None:
    """A permission denied on NFS: the first step must be the fix (make the directory writable,
    mount it on the failing server), not seven lines of mount options every NFS destination
    needs, which pushed the fix off a 24-line screen."""
    steps = run_cli("analyze", EXAMPLES / example, "--format", "json").json()["findings"][0]["next_steps"]
    requirements = [n for n, s in enumerate(steps) if s.startswith("NFS requirement for")]
    assert requirements, steps
    assert not steps[0].startswith("NFS requirement for")
    assert requirements == list(range(len(steps) - len(requirements), len(steps))), steps


def test_a_window_that_ends_before_it_starts_is_a_usage_error(run_cli) -> None:
    """``--since 2023-09-27 --until 2023-09-26`` (the two swapped) holds nothing: "no failed
    backup seen" would be an answer about an empty window, so it is refused in one line."""
    result = run_cli("analyze", EXAMPLES / "failed-41-chain", "--since", "2023-09-27", "--until", "2023-09-26")
    assert result.code == 2
    assert result.out == "" and result.err.count("\n") == 1
    assert "--since" in result.err and "--until" in result.err and "after" in result.err
    relative = run_cli("analyze", EXAMPLES / "failed-41-chain", "--since", "1h", "--until", "2h")
    assert relative.code == 2 and "after" in relative.err


def test_a_command_group_without_its_action_shows_its_own_help(run_cli) -> None:
    result = run_cli("scenarios")
    assert result.code == 2
    assert result.out.startswith("usage: obdoctor scenarios")


def test_collect_refuses_a_window_that_ends_before_it_starts(run_cli, monkeypatch, tmp_path) -> None:
    """``collect`` took the swapped window that ``analyze`` refuses and wrote a bundle of an
    empty window. The cluster is stood in for by an example bundle (the window check needs only
    its clock); nothing is written."""
    from obdoctor.cli import diagnose
    from obdoctor.sources.bundle import Bundle

    monkeypatch.setattr(diagnose, "open_live", lambda args, env: Bundle(EXAMPLES / "failed-41-chain"))
    out = tmp_path / "evidence.tar.gz"
    result = run_cli("collect", "-o", out, "--since", "2023-09-27", "--until", "2023-09-26")
    assert result.code == 2, result.err
    assert "after --until" in result.err and "swap them" in result.err
    assert not out.exists()


def test_the_report_file_name_chooses_the_format_unless_format_is_given(run_cli, tmp_path) -> None:
    """``-o report.html`` wrote the text report into report.html (a browser shows one long line),
    and ``-o x.html --format json`` wrote JSON without a word. The name chooses when --format is not
    given; a format given against the name is written as asked, and said on stderr."""
    bundle = EXAMPLES / "failed-41-chain"
    for name, starts in (("r.html", "<!doctype html"), ("r.json", "{"), ("r.md", "# obdoctor report"),
                         ("r.txt", "obdoctor ")):
        result = run_cli("analyze", bundle, "-o", tmp_path / name)
        assert result.code == 1 and result.err == "", result.err
        assert (tmp_path / name).read_text().lower().startswith(starts.lower()), name
    asked = run_cli("analyze", bundle, "-o", tmp_path / "x.html", "--format", "json")
    assert (tmp_path / "x.html").read_text().startswith("{")
    assert asked.err.count("\n") == 1 and "json" in asked.err and "html" in asked.err


def test_explain_signatures_with_a_code_lists_only_that_codes_signatures(run_cli) -> None:
    """``explain --signatures -4179`` listed every signature, the code silently ignored."""
    everything = run_cli("explain", "--signatures")
    for spelling in ("-4179", "4179"):
        one = run_cli("explain", "--signatures", spelling)
        assert one.code == 0 and one.out.startswith("1 signature from"), one.out
        assert "noarchivelog-tenant-snapshots" in one.out and len(one.out) < len(everything.out)
    none = run_cli("explain", "--signatures", "-9040")
    assert none.out.startswith("0 signatures") and "no signature gives -9040 a meaning" in none.err
