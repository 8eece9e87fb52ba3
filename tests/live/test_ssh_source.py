"""The remote grep pipeline (quoting, validation, file choice) and the SSH log source against real sshd's."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.evidence import LogQuery
from obdoctor.logs import remote
from obdoctor.logs.files import discover
from obdoctor.sources.bundle import Bundle, _choose_files
from obdoctor.sources.ssh import SshLogSearcher, SshOptions, SshTarget
from tests.live.simssh import HangingListener, ssh_cluster, simssh  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "failed-41-chain"
HOSTILE = ("$(touch CANARY)", "`touch CANARY`", "'; touch CANARY; '", '"; touch CANARY; "', "a\\b", "-e",
           "--file=/etc/passwd", "; touch CANARY", "| touch CANARY", "&& touch CANARY", "${IFS}touch${IFS}CANARY",
           "*", "?", "[x]", "~root", "!x", "#", "%s%n")


def run_local(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", command], cwd=cwd, capture_output=True, timeout=30)


def fake_home(tmp_path: Path, lines: list[str], name: str = "observer.log") -> Path:
    log = tmp_path / "home" / "log"
    log.mkdir(parents=True, exist_ok=True)
    (log / name).write_text("".join(l + "\n" for l in lines))
    return tmp_path / "home"


def matched(command_output: bytes) -> list[tuple[int, str]]:
    return [(n, t.decode()) for kind, n, t in remote.parse_output(command_output.splitlines(True)) if kind == "line"]


# -- quoting and validation -----------------------------------------------------------------------
@pytest.mark.parametrize("pattern", HOSTILE)
def test_hostile_pattern_is_searched_literally_and_never_run(tmp_path, pattern):
    home = fake_home(tmp_path, ["[2023-09-26 14:00:00.000000] INFO plain line", f"holds {pattern} inside", "other"])
    command = remote.search_command(str(home), ["observer.log"], any_of=(pattern,))
    done = run_local(command, tmp_path)
    assert not (tmp_path / "CANARY").exists() and not (home / "log" / "CANARY").exists()
    assert matched(done.stdout) == [(2, f"holds {pattern} inside")], done.stderr


@pytest.mark.parametrize("bad", ["a\nb", "x\x00y", "tab\there", "\r", "", "z" * (remote.MAX_PATTERN + 1)])
def test_patterns_with_control_characters_are_refused(bad):
    with pytest.raises(remote.UnsafeValue):
        remote.search_command("/home/admin/oceanbase", ["observer.log"], any_of=(bad,))


@pytest.mark.parametrize("home", ["relative/path", "/home/$(rm -rf /)", "/a;b", "/a b", "/home/../etc", "/x\ny", "/`id`",
                                  "/home/admin'", ""])
def test_hostile_home_paths_are_refused(home):
    with pytest.raises(remote.UnsafeValue):
        remote.list_command(home)
    with pytest.raises(remote.UnsafeValue):
        remote.search_command(home, ["observer.log"], any_of=("x",))


@pytest.mark.parametrize("name", ["observer.log; rm -rf /", "../observer.log", "/etc/passwd", "observer.log\nx",
                                  "$(id).log", "observer.log.2023", "alert/../observer.log", "notes.txt"])
def test_only_oceanbase_log_names_go_into_a_command(name):
    with pytest.raises(remote.UnsafeValue):
        remote.search_command("/home/admin/oceanbase", [name], any_of=("x",))


@pytest.mark.parametrize("trace", ["Y1-$(rm -rf /)", "YB42AC1E0B5C-00060F1A2B3C4D5E-0-0;id", "Y'-0", "",
                                   "YB42AC1E0B5C-00060F1A2B3C4D5E-0-0\n"])
def test_hostile_trace_ids_fail_validation(trace):
    with pytest.raises(remote.UnsafeValue):
        remote.check_trace_id(trace)


def test_a_real_trace_id_passes():
    assert remote.check_trace_id("YB427F000002-0005E98EBF2D9DBE-0-0")
    assert remote.search_command("/home/admin/oceanbase", ["observer.log"], any_of=("YB427F000002-0005E98EBF2D9DBE-0-0",))


@pytest.mark.parametrize("trace", ["Y1-$(touch CANARY)", "YB42-'; id; '", "Z0-`id`"])
def test_a_pattern_shaped_like_a_trace_id_must_be_one(trace):
    with pytest.raises(remote.UnsafeValue, match="not an OceanBase trace id"):
        remote.search_command("/home/admin/oceanbase", ["observer.log"], any_of=(trace,))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(any_of=st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12),
                       min_size=1, max_size=3),
       all_of=st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=5), max_size=2))
def test_remote_grep_keeps_every_line_python_matches(tmp_path, any_of, all_of):
    """The remote pipeline is a superset of LogQuery.matches_text (the client then decides exactly)."""
    lines = ["".join(any_of) + " " + "".join(all_of), "x" + any_of[0] + "y", "nothing here", *all_of, "'\"$`\\"]
    home = fake_home(tmp_path, lines)
    command = remote.search_command(str(home), ["observer.log"], any_of=any_of, all_of=all_of)
    got = {text for _n, text in matched(run_local(command, tmp_path).stdout)}
    query = LogQuery(servers=(), any_of=tuple(any_of), all_of=tuple(all_of))
    assert {l for l in lines if query.matches_text(l)} <= got


def test_compressed_and_truncated_files(tmp_path):
    text = "".join(f"[2023-09-26 14:00:{i:02d}.000000] INFO line {i} ret=-9082\n" for i in range(50)).encode()
    log = tmp_path / "home" / "log"
    log.mkdir(parents=True)
    (log / "observer.log.20230926140100000.gz").write_bytes(gzip.compress(text))
    (log / "observer.log.20230926140200000.zst").write_bytes(zstandard.ZstdCompressor().compress(text))
    (log / "observer.log.20230926140300000.gz").write_bytes(gzip.compress(text)[:200])
    listing = run_local(remote.list_command(str(tmp_path / "home")), tmp_path)
    files, skipped = remote.parse_listing(listing.stdout.decode())
    assert [f.name for f in files] == sorted(p.name for p in log.iterdir()) and not skipped
    assert files[0].first_ts == datetime(2023, 9, 26, 14, 0, 0)
    done = run_local(remote.search_command(str(tmp_path / "home"), [f.name for f in files], any_of=("line 4",)), tmp_path)
    events = list(remote.parse_output(done.stdout.splitlines(True)))
    per_file = {}
    current = None
    for kind, n, value in events:
        if kind == "file":
            current = n
        elif kind == "line":
            per_file.setdefault(current, []).append(n)
    assert per_file[0] == per_file[1] == [5] + list(range(41, 51))
    assert "unexpected end of file" in " ".join(remote.errors_by_file(done.stderr.decode())[2])


def test_listing_skips_names_that_are_not_logs(tmp_path):
    home = fake_home(tmp_path, ["[2023-09-26 14:00:00.000000] INFO x"])
    (home / "log" / "observer.log; rm -rf ~").write_text("x")
    (home / "log" / "$(id)").write_text("x")
    files, skipped = remote.parse_listing(run_local(remote.list_command(str(home)), tmp_path).stdout.decode())
    assert [f.name for f in files] == ["observer.log"]
    assert set(skipped) == {"observer.log; rm -rf ~", "$(id)"}


def test_file_choice_is_the_bundle_choice(tmp_path):
    """Live and collected searches must look at the same files (same rotation/time/.wf rules)."""
    log = tmp_path / "home" / "log"
    log.mkdir(parents=True)
    for name, first in [("observer.log.20230926100000000", "09:00"), ("observer.log.20230926120000000", "10:00"),
                        ("observer.log", "12:00"), ("rootservice.log.wf", "08:00"), ("election.log", "13:00")]:
        (log / name).write_text(f"[2023-09-26 {first}:00.000000] INFO x\n")
    files, _ = remote.parse_listing(run_local(remote.list_command(str(tmp_path / "home")), tmp_path).stdout.decode())
    local, _ = discover(log)
    for since, until in [(None, None), (datetime(2023, 9, 26, 11), None), (None, datetime(2023, 9, 26, 9, 30)),
                         (datetime(2023, 9, 26, 10, 30), datetime(2023, 9, 26, 11, 30))]:
        kinds = ("observer", "rootservice", "election")
        query = LogQuery(servers=(), kinds=kinds, since=since, until=until)
        assert [f.name for f in remote.choose(files, kinds, since, until)] == [f.name for f in _choose_files(local, query)]


# -- over SSH -------------------------------------------------------------------------------------
def searcher(cluster, **options) -> SshLogSearcher:
    targets = options.pop("targets", None) or cluster.targets()
    opts = SshOptions(known_hosts=str(options.pop("known_hosts", cluster.known_hosts)), local_reads="never",
                      connect_timeout=options.pop("connect_timeout", 5), **options)
    return SshLogSearcher(targets, opts)


QUERY = LogQuery(servers=("127.0.0.2", "127.0.0.3"), kinds=("observer", "rootservice"), any_of=("ret=-9082",),
                 purpose="test")


def test_ssh_search_equals_bundle_search(simssh):
    simssh.load_bundle(EXAMPLE)
    with searcher(simssh) as ssh, Bundle(EXAMPLE) as bundle:
        for query in [QUERY, LogQuery(servers=("127.0.0.3",), any_of=("YB427F000002-0005E98EBF2D9DBE-0-0",),
                                      levels=("WDIAG",), since=datetime(2023, 9, 26, 14, 37))]:
            live, offline = ssh.search(query), bundle.search_logs(query)
            assert live.total_matches == offline.total_matches > 0
            assert [(r.server, r.line_no, r.raw) for r in live.records] == \
                   [(r.server, r.line_no, r.raw) for r in offline.records]
            assert sorted(live.files_searched) == sorted(offline.files_searched)
            assert not live.unchecked
        assert all(s.bytes_received < 5000 for s in ssh.stats.values())  # only matching lines travelled


def test_hostile_pattern_over_ssh_runs_nothing(simssh, tmp_path):
    simssh.load_bundle(EXAMPLE)
    canary = tmp_path / "canary"
    with searcher(simssh) as ssh:
        result = ssh.search(LogQuery(servers=("127.0.0.3",), any_of=(f"$(touch {canary})", f"'; touch {canary}; '")))
    assert not canary.exists() and result.total_matches == 0 and not result.unchecked


def test_newline_pattern_is_not_sent(simssh):
    with searcher(simssh) as ssh:
        result = ssh.search(LogQuery(servers=("127.0.0.3",), any_of=("ret=-9082\n; id",)))
    assert result.unchecked and "control character" in result.unchecked[0] and not result.files_searched
    assert "127.0.0.3" not in ssh.stats  # nothing was contacted


def test_servers_outside_the_config_and_non_ips_are_not_contacted(simssh):
    with searcher(simssh) as ssh:
        result = ssh.search(LogQuery(servers=("10.9.9.9", "$(id)"), any_of=("x",)))
    assert len(result.unchecked) == 2 and "10.9.9.9 is not in the configuration" in result.unchecked[0]
    assert not ssh.stats


def test_unknown_host_refused_then_accepted_on_opt_in(simssh, tmp_path):
    simssh.load_bundle(EXAMPLE)
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with searcher(simssh, known_hosts=empty) as ssh:
        refused = ssh.search(QUERY)
    assert not refused.files_searched and len(refused.unchecked) == 2
    assert all("not in" in u and "refused" in u for u in refused.unchecked)
    with searcher(simssh, known_hosts=empty, accept_unknown_hosts=True) as ssh:
        accepted = ssh.search(QUERY)
        assert accepted.total_matches == 4 and any("not verified" in n for n in ssh.notes)


def test_changed_host_key_is_refused_even_with_opt_in(simssh, tmp_path):
    simssh.load_bundle(EXAMPLE)
    wrong = tmp_path / "known_hosts"
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    key = other.with_suffix(".pub").read_text().split()[:2]
    node = simssh.nodes["127.0.0.3"]
    wrong.write_text(simssh.known_hosts.read_text().replace(node.known_hosts_line(),
                                                            f"[127.0.0.3]:{node.port} {key[0]} {key[1]}\n"))
    with searcher(simssh, known_hosts=wrong, accept_unknown_hosts=True) as ssh:
        result = ssh.search(QUERY)
    assert result.total_matches == 2  # 127.0.0.2 still answered
    assert len(result.unchecked) == 1 and "127.0.0.3" in result.unchecked[0] and "refused" in result.unchecked[0]


def test_stopped_sshd_gives_a_partial_result_naming_the_node(simssh):
    simssh.load_bundle(EXAMPLE)
    simssh.nodes["127.0.0.3"].stop()
    try:
        with searcher(simssh) as ssh:
            result = ssh.search(QUERY)
            again = ssh.search(QUERY)  # a failed node is not retried for every query
    finally:
        simssh.nodes["127.0.0.3"].start()
    assert result.total_matches == 2 and result.files_searched == ["127.0.0.2/rootservice.log"]
    assert len(result.unchecked) == 1 and "127.0.0.3" in result.unchecked[0] and "refused" in result.unchecked[0]
    assert again.unchecked == result.unchecked


def test_hanging_node_times_out(simssh):
    simssh.load_bundle(EXAMPLE)
    hang = HangingListener("127.0.0.3")
    try:
        targets = simssh.targets()
        targets["127.0.0.3"] = SshTarget(ip="127.0.0.3", port=hang.port, user=simssh.user,
                                         key_file=str(simssh.client_key), home_path="/nonexistent")
        with open(simssh.known_hosts, "a") as handle:  # known, so the wait is for the banner
            handle.write(simssh.nodes["127.0.0.3"].known_hosts_line().replace(str(simssh.nodes["127.0.0.3"].port), str(hang.port)))
        started = time.monotonic()
        with searcher(simssh, targets=targets, connect_timeout=1.5) as ssh:
            result = ssh.search(QUERY)
        elapsed = time.monotonic() - started
    finally:
        hang.close()
        simssh.known_hosts.write_text("".join(n.known_hosts_line() for n in simssh.nodes.values()))
    assert elapsed < 6
    assert result.total_matches == 2
    assert len(result.unchecked) == 1 and "127.0.0.3" in result.unchecked[0] and "1.5s" in result.unchecked[0]


def test_wrong_home_path_says_so(simssh, tmp_path):
    targets = simssh.targets()
    targets["127.0.0.2"] = SshTarget(ip="127.0.0.2", port=simssh.nodes["127.0.0.2"].port, user=simssh.user,
                                     key_file=str(simssh.client_key), home_path=str(tmp_path / "nowhere"))
    with searcher(simssh, targets=targets) as ssh:
        result = ssh.search(LogQuery(servers=("127.0.0.2",), any_of=("x",)))
    assert "no log directory" in result.unchecked[0]


def test_compressed_rotated_files_over_ssh(simssh, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, bundle)
    rs = bundle / "logs" / "127.0.0.2" / "rootservice.log"
    rs.with_name("rootservice.log.20230926150000000.zst").write_bytes(zstandard.ZstdCompressor().compress(rs.read_bytes()))
    rs.with_name("rootservice.log.20230926140000000.gz").write_bytes(gzip.compress(rs.read_bytes())[:300])
    rs.unlink()
    simssh.load_bundle(bundle)
    with searcher(simssh) as ssh, Bundle(bundle) as offline:
        live, local = ssh.search(QUERY), offline.search_logs(QUERY)
    assert live.total_matches == local.total_matches == 4
    assert sorted(live.files_searched) == sorted(local.files_searched)
    assert any("rootservice.log.20230926140000000.gz" in u for u in live.unchecked)


def test_local_address_is_read_directly(simssh):
    simssh.load_bundle(EXAMPLE)
    opts = SshOptions(known_hosts=str(simssh.known_hosts), local_reads="auto")
    with SshLogSearcher(simssh.targets(), opts) as ssh:
        result = ssh.search(QUERY)
    assert result.total_matches == 4
    assert {s.mode for s in ssh.stats.values()} == {"local"} and all(s.commands == 0 for s in ssh.stats.values())


def test_an_overrunning_command_closes_its_shell_and_the_next_search_opens_a_fresh_one(simssh):
    simssh.load_bundle(EXAMPLE)
    with searcher(simssh) as ssh:
        assert ssh.search(QUERY).total_matches == 4
        shell = ssh._shells["127.0.0.3"]
        status, _err, cut = ssh._run(shell.run("sleep 5", lambda line: True, 0.5))
        assert status is None and "0.5s" in cut and shell.broken
        assert ssh.search(QUERY).total_matches == 4 and ssh._shells["127.0.0.3"] is not shell
        assert ssh.stats["127.0.0.3"].commands == 3  # listing once, then one command per search


def test_too_much_output_is_cut_and_said(simssh):
    simssh.load_bundle(EXAMPLE)
    with searcher(simssh, max_bytes=2000) as ssh:
        result = ssh.search(LogQuery(servers=("127.0.0.3",), any_of=("[T1",)))  # most lines of the file
        assert result.total_matches > 0
        assert any("bytes of matching lines" in u and "observer.log" in u for u in result.unchecked)
        assert result.files_searched == ["127.0.0.3/observer.log (partly)"]
        # the shell was closed; the next search works
        assert ssh.search(QUERY).total_matches == 4


def test_live_source_maps_addresses_to_config_nodes(simssh):
    from obdoctor.sources.live import LiveSource, host_of

    assert host_of("127.0.0.3:2882") == "127.0.0.3" and host_of("[::1]:2882") == "::1" and host_of("::1") == "::1"
    simssh.load_bundle(EXAMPLE)
    with LiveSource(None, searcher(simssh), unusable_servers={"127.0.0.4": "server 127.0.0.4: no home_path"}) as live:
        result = live.search_logs(LogQuery(servers=("127.0.0.3:2882", "127.0.0.4"), any_of=("ret=-9082",)))
        assert result.total_matches == 2 and result.unchecked == ["server 127.0.0.4: no home_path"]
        assert not live.read_table("CDB_OB_BACKUP_JOBS").available
        assert live.info().servers == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


def test_targets_from_config_reveal_passwords_only_into_the_target():
    from obdoctor.sources.config import ClusterConfig, NodeConfig, Secret
    from obdoctor.sources.live import ssh_options, targets_from_config

    config = ClusterConfig(servers=[
        NodeConfig(ip="127.0.0.2", ssh_username="admin", ssh_password=Secret("s3cr3t-pw"), ssh_port=2222,
                   home_path="/home/admin/oceanbase"),
        NodeConfig(ip="127.0.0.3"),
    ], known_hosts="/tmp/kh", accept_unknown_hosts=True, ssh_timeout=42, connect_timeout=3)
    targets, unusable = targets_from_config(config)
    assert targets["127.0.0.2"].password == "s3cr3t-pw" and targets["127.0.0.2"].port == 2222
    assert "s3cr3t-pw" not in repr(targets["127.0.0.2"]) and "s3cr3t-pw" not in str(targets)
    assert list(unusable) == ["127.0.0.3"] and "home_path" in unusable["127.0.0.3"]
    options = ssh_options(config)
    assert (options.known_hosts, options.accept_unknown_hosts, options.command_timeout, options.connect_timeout) == \
        ("/tmp/kh", True, 42, 3)


def test_remote_commands_only_read():
    """Whatever the query, the programs run remotely are readers, and output goes nowhere but back."""
    import re as _re

    allowed = {"LC_ALL=C", "export", "cd", "for", "do", "done", "case", "esac", "[", "continue", "h=$(gzip", "h=$(zstd",
               "h=$(head", "h=$(printf", "printf", "gzip", "zstd", "grep", "head", "tr", "stat", "s=$?", "exit",
               "renice", "ionice", "if", "read", "fi"}  # renice/ionice only lower the search's own priority
    commands = [remote.list_command("/home/admin/oceanbase"),
                remote.search_command("/home/admin/oceanbase",
                                      ["observer.log", "observer.log.20230926143056123.gz", "alert/alert.log",
                                       "rootservice.log.20230926143056123.zst"],
                                      any_of=("ret=-9082", "; rm -rf / ;", "$(reboot)"), all_of=("> /etc/passwd",))]
    for command in commands:
        unquoted = _re.sub(r"'[^']*'", "''", command)  # quoted values are data, not code
        assert ">" not in unquoted.replace(">&2", "").replace(">/dev/null 2>&1", "").replace("2>/dev/null", "")
        for tool, level in (("renice", "-n 19"), ("ionice", "-c 2 -n 7")):
            calls = _re.findall(rf"\b{tool}\b[^;]*", unquoted)
            assert calls == [f'{tool} {level} -p "$obd_pid" >/dev/null 2>&1'], calls  # our own process, lowered
        words = [w for part in _re.split(r"[;|]|\bthen\b|&&|\|\|", unquoted)
                 for w in part.split()[:1]]
        assert set(words) <= allowed | {"*.gz)", "*.zst)", "*)", "esac;"} | {w for w in words if w.startswith(('"$', "''"))}, \
            set(words) - allowed


@pytest.mark.parametrize("wrap", ["{}", "( {} )"], ids=["shell", "subshell, as sources.ssh runs it"])
def test_the_remote_search_runs_at_the_lowest_priority(tmp_path, wrap):
    """What the preamble does on a real shell: every program the search starts runs at nice 19
    (``cut`` reads its own /proc entry), in the subshell each command gets too."""
    done = run_local(wrap.format(remote.PREAMBLE + "; cut -d' ' -f19 /proc/self/stat"), tmp_path)
    assert done.stdout.decode().strip() == "19", done.stderr


def test_closing_the_searcher_ends_its_threads(simssh):
    """The resolver threads of the SSH loop's executor outlived close(): every later log search
    of the process then started its workers by forkserver instead of fork."""
    import gc
    import threading

    before = set(threading.enumerate())
    gc.disable()  # only a collection that happened to come ended them
    try:
        with searcher(simssh) as ssh:
            ssh.search(LogQuery(servers=("127.0.0.2",), any_of=("x",)))
        left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
    finally:
        gc.enable()
    assert left == []
