"""What ``obdoctor watch`` claims is what it knows: no "progressing" before a second look, an
unreachable cluster apart from an unexplained stall, durations with units, a metrics file that
is written or an exit code that says it was not, and the environment variables in --help."""

from __future__ import annotations

import json

import pytest

from obdoctor.cli.main import main
from obdoctor.sources.config import ENV_VARS
from tests.watch.test_watch_cli import _state, cli  # noqa: F401 (cli: the fixture)


def test_first_poll_says_no_baseline_yet(cli, cluster):
    _state(cluster, 1)
    code, out, _ = cli("watch", "--once")
    assert code == 0 and "no baseline yet" in out and "progressing" not in out
    cli.clock.advance(60)
    _state(cluster, 2)
    code, out, _ = cli("watch", "--once")
    assert "progressing" in out and "no baseline yet" not in out
    cli.clock.advance(60)
    code, out, _ = cli("watch", "--once")  # nothing moved since: not called progressing either
    assert "no change seen" in out and "progressing" not in out


def test_first_poll_in_json_and_lines(cli, cluster):
    _state(cluster, 1)
    _, out, _ = cli("watch", "--once", "--json")
    job = next(r for r in map(json.loads, out.splitlines()) if r["type"] == "sample" and r["kind"] == "job")
    assert job["baseline"] is False
    cli.clock.advance(60)
    _, out, _ = cli("watch", "--once", "--json")
    job = next(r for r in map(json.loads, out.splitlines()) if r["type"] == "sample" and r["kind"] == "job")
    assert job["baseline"] is True
    _, out, _ = cli("watch", "--polls", "1", "--interval", "0")
    assert "no baseline yet" not in out


def test_unreachable_cluster_is_exit_5_not_3(cli, cluster):
    for name in ("CDB_OB_BACKUP_JOBS", "DBA_OB_BACKUP_JOBS", "__all_virtual_backup_job"):
        cluster.tables[name] = None
    code, out, _ = cli("watch", "--once")
    assert code == 5
    assert "exit 5: the running backup jobs could not be read" in out


@pytest.mark.parametrize("option", ["--stall-after", "--interval", "--rate-window", "--keep"])
def test_durations_without_a_unit_are_refused(cli, option):
    code, _, err = cli("watch", "--once", option, "30")
    assert code == 2
    assert "needs a unit" in err


def test_prometheus_directory_is_created(cli, cluster, tmp_path):
    _state(cluster, 1)
    target = tmp_path / "node_exporter" / "textfile" / "obdoctor.prom"
    code, _, err = cli("watch", "--once", "--prometheus", target)
    assert code == 0, err
    assert "obdoctor_watch_up 1" in target.read_text()


def test_prometheus_unwritable_is_a_usage_error_before_polling(cli, cluster, tmp_path):
    (tmp_path / "a-file").write_text("")
    code, out, err = cli("watch", "--once", "--prometheus", tmp_path / "a-file" / "x.prom")
    assert code == 2 and "cannot write --prometheus" in err and out == ""


def test_prometheus_write_failing_later_is_a_non_zero_exit(cli, cluster, tmp_path, monkeypatch):
    _state(cluster, 1)

    def broken(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("obdoctor.watch.prometheus.write", broken)
    code, out, err = cli("watch", "--once", "--prometheus", tmp_path / "x.prom")
    assert code == 2 and "No space left on device" in err
    assert "exit 2: the --prometheus file could not be written" in out
    code, _, _ = cli("watch", "--polls", "2", "--interval", "0", "--prometheus", tmp_path / "x.prom")
    assert code == 2


@pytest.mark.parametrize("argv", [["diagnose"], ["collect"], ["watch"], ["logs", "search"], ["logs", "trace"]])
def test_every_help_that_connects_lists_the_environment(argv, capsys):
    assert main([*argv, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for name in [*ENV_VARS, "OBDOCTOR_SERVERS", "OBDOCTOR_CONFIG"]:
        assert name in text, (argv, name)
    assert "OBDOCTOR_DB_PASSWORD: the database password" in text
