"""Logs wherever they are: recognised by content under any name, attributed to a server in the
documented order, said when guessed, searched as "server unknown" when no server can be named."""

import gzip
import json
import os
import shutil

from obdoctor.sources.bundle import Bundle
from obdoctor.sources.loose import attribute
from tests.conftest import EXAMPLES

LOG = EXAMPLES / "partial-observer-log-only" / "logs" / "127.0.0.4" / "observer.log"


def _analyze(run_cli, path):
    result = run_cli("analyze", path, "--format", "json")
    return result.code, result.json()


def test_any_name_is_read_and_gives_the_pinned_verdict(run_cli, tmp_path):
    pinned = _analyze(run_cli, EXAMPLES / "partial-observer-log-only")
    for name in ("observer.log", "obs1-observer.log", "observer.log.bak", "seekdb.log", "observer.log.20230926150000"):
        folder = tmp_path / name / "from-the-server"
        folder.mkdir(parents=True)
        shutil.copyfile(LOG, folder / name)
        code, data = _analyze(run_cli, tmp_path / name)
        assert code == pinned[0], name
        assert [f["cause"] for f in data["findings"]] == [f["cause"] for f in pinned[1]["findings"]], name
        assert data["findings"][0]["servers"] == ["127.0.0.4"], name
        assert any("trace ids were made on 127.0.0.4:2882" in n and "guessed" in n for n in data["source"]["notes"])


def test_a_compressed_log_is_read(run_cli, tmp_path):
    with gzip.open(tmp_path / "observer.log.1.gz", "wb") as out:
        out.write(LOG.read_bytes())
    code, data = _analyze(run_cli, tmp_path)
    assert data["findings"] and data["findings"][0]["servers"] == ["127.0.0.4"]


def test_attribution_order():
    head = "[2023-09-26 13:40:21.432718] INFO [SERVER] x (a.cpp:1) [1][W][T1][YB427F000004-000FE5CC6C6E99D4-0-0] [lt=1] y\n"
    assert attribute("logs/10.0.0.1/observer.log", head, ["10.0.0.2"], {}) == ("10.0.0.1", "from its logs/<ip>/ folder")
    assert attribute("10.0.0.1-observer.log", head, [], {})[0] == "10.0.0.1"
    server, how = attribute("obs1/observer.log", head, ["10.0.0.2", "10.0.0.3"], {"obs1": "10.0.0.3"})
    assert server == "10.0.0.3" and how.startswith("guessed")
    assert attribute("x/observer.log", head, ["10.0.0.2"], {})[0] == "10.0.0.2"
    assert attribute("x/observer.log", head, ["10.0.0.2", "10.0.0.3"], {})[0] == "127.0.0.4"
    assert attribute("x/observer.log", "no trace here", ["10.0.0.2", "10.0.0.3"], {})[0] == "server unknown"


def test_lines_of_no_known_server_are_searched_and_said(run_cli, tmp_path):
    text = LOG.read_text(encoding="utf-8")  # two servers' trace ids alike: no address holds most of them
    (tmp_path / "observer.log").write_text(text + text.replace("YB427F000004", "YB427F000005"), encoding="utf-8")
    code, data = _analyze(run_cli, tmp_path)
    assert any("server unknown" in n for n in data["source"]["notes"])
    assert data["findings"], "the lines were searched all the same"
    assert "Traceback" not in json.dumps(data)


def test_a_host_name_folder_is_resolved_through_the_manifest(tmp_path):
    (tmp_path / "obs4").mkdir()
    shutil.copyfile(LOG, tmp_path / "obs4" / "observer.log")
    (tmp_path / "manifest.toml").write_text('[cluster]\nhosts = { obs4 = "10.9.9.4" }\n', encoding="utf-8")
    with Bundle(tmp_path) as bundle:
        assert bundle.info().servers == ["10.9.9.4"]
        assert any("folder obs4/ is that server's host name" in n for n in bundle.notes)


def test_a_link_pointing_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.log"
    shutil.copyfile(LOG, outside)
    (tmp_path / "evidence").mkdir()
    os.symlink(outside, tmp_path / "evidence" / "observer.log")
    with Bundle(tmp_path / "evidence") as bundle:
        assert bundle.info().servers == []
        assert any("a link pointing outside the folder: refused" in n for n in bundle.notes)
