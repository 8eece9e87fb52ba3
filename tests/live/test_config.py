"""Cluster config: our TOML, obdiag's config.yml as DBAs have it, env and flags on top, and
passwords that never print."""

from __future__ import annotations

import argparse
import copy
import pickle
from pathlib import Path

import pytest

from obdoctor.sources import config as cfg
from obdoctor.sources.config import ClusterConfig, ConfigError, NodeConfig, Secret

DB_PASSWORD = "Db-Pa55w0rd-xyz"
SSH_PASSWORD = "Ssh-Pa55w0rd-abc"

OBDIAG_YAML = f"""\
ocp:
  login:
    url: http://127.0.0.1:8080
    user: admin
    password: 'ocp-secret-not-ours'
obcluster:
  ob_cluster_name: demo
  db_host: 127.0.0.1
  db_port: 2881
  tenant_sys:
    user: root@sys
    password: '{DB_PASSWORD}'
  servers:
    nodes:
      - ip: 127.0.0.2
      - ip: 127.0.0.3
        home_path: /data/ob3
        ssh_port: 2222
    global:
      ssh_username: admin
      ssh_password: '{SSH_PASSWORD}'
      ssh_port: 22
      ssh_key_file: ~/.ssh/id_rsa
      home_path: /home/admin/oceanbase
      # ssh_type: remote
      data_dir: /home/admin/oceanbase/store
obproxy:
  obproxy_cluster_name: obproxy
"""

OUR_TOML = f"""\
[cluster]
name = "demo"

[db]
host = "127.0.0.1"
port = 2883
user = "root"
tenant = "sys"
password = "{DB_PASSWORD}"
connect_timeout = 3
read_timeout = 20

[ssh]
username = "admin"
key_file = "/keys/id_ed25519"
home_path = "/home/admin/oceanbase"
known_hosts = "/keys/known_hosts"
timeout = 120

[[servers]]
ip = "127.0.0.2"

[[servers]]
ip = "127.0.0.3"
home_path = "/data/ob3"
password = "{SSH_PASSWORD}"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def resolve(*args, **kwargs) -> ClusterConfig:
    kwargs.setdefault("env", {})
    kwargs.setdefault("prompt_password", None)
    return cfg.resolve(*args, **kwargs)


# -- the two file formats ----------------------------------------------------------------------
def test_obdiag_config_is_read_as_is(tmp_path: Path) -> None:
    config = resolve(write(tmp_path, "config.yml", OBDIAG_YAML))
    assert (config.db_host, config.db_port, config.db_user, config.cluster_name) == ("127.0.0.1", 2881, "root@sys", "demo")
    assert config.db_password.reveal() == DB_PASSWORD
    assert config.login_user() == "root@sys"
    first, second = config.servers
    assert (first.ip, first.ssh_username, first.ssh_port, first.ssh_key_file, first.home_path) == (
        "127.0.0.2", "admin", 22, "~/.ssh/id_rsa", "/home/admin/oceanbase")
    assert first.log_dir == "/home/admin/oceanbase/log"
    # per-node values beat servers.global
    assert (second.home_path, second.ssh_port, second.ssh_username) == ("/data/ob3", 2222, "admin")
    assert second.ssh_password.reveal() == SSH_PASSWORD


def test_obdiag_servers_at_top_level_also_read(tmp_path: Path) -> None:
    text = """\
obcluster:
  db_host: 127.0.0.1
  tenant_sys: {user: root@sys, password: ''}
servers:
  nodes: [{ip: 127.0.0.4}]
  global: {ssh_username: admin, home_path: /home/admin/ob}
"""
    config = resolve(write(tmp_path, "config.yaml", text))
    assert [n.ip for n in config.servers] == ["127.0.0.4"]
    assert config.servers[0].home_path == "/home/admin/ob"
    assert config.db_password == Secret("")  # '' is an empty password, not a missing one


def test_our_toml(tmp_path: Path) -> None:
    config = resolve(write(tmp_path, "cluster.toml", OUR_TOML))
    assert (config.db_port, config.connect_timeout, config.read_timeout, config.ssh_timeout) == (2883, 3.0, 20.0, 120.0)
    assert config.known_hosts == "/keys/known_hosts"
    assert config.through_proxy  # port 2883 is obproxy's
    assert config.login_user() == "root@sys#demo"
    assert [n.home_path for n in config.servers] == ["/home/admin/oceanbase", "/data/ob3"]
    assert config.servers[0].ssh_password is None
    assert config.servers[1].ssh_password.reveal() == SSH_PASSWORD


@pytest.mark.parametrize("user, port, via_proxy, expected", [
    ("root", 2881, None, "root@sys"),
    ("root", 2883, None, "root@sys#demo"),
    ("root", 3306, True, "root@sys#demo"),
    ("root@sys", 2883, None, "root@sys"),
    ("root@sys#other", 2881, None, "root@sys#other"),
])
def test_login_user_forms(user: str, port: int, via_proxy, expected: str) -> None:
    config = ClusterConfig(db_host="127.0.0.1", db_port=port, db_user=user, cluster_name="demo", via_proxy=via_proxy)
    assert config.login_user() == expected


# -- precedence ------------------------------------------------------------------------------------
def test_env_beats_file_and_flags_beat_env(tmp_path: Path) -> None:
    path = write(tmp_path, "config.yml", OBDIAG_YAML)
    env = {"OBDOCTOR_DB_HOST": "127.0.0.9", "OBDOCTOR_DB_PORT": "2883", "OBDOCTOR_DB_PASSWORD": "from-env",
           "OBDOCTOR_HOME_PATH": "/env/home"}
    config = resolve(path, env=env)
    assert (config.db_host, config.db_port, config.db_password.reveal()) == ("127.0.0.9", 2883, "from-env")
    assert {n.home_path for n in config.servers} == {"/env/home"}  # env applies to every node
    config = resolve(path, {"db_host": "127.0.0.5", "home_path": "/flag/home", "servers": ["127.0.0.7"]}, env=env)
    assert (config.db_host, config.db_port) == ("127.0.0.5", 2883)
    assert [(n.ip, n.home_path, n.ssh_username) for n in config.servers] == [("127.0.0.7", "/flag/home", "admin")]
    assert "flags" in config.origin and "environment" in config.origin


def test_servers_from_env(tmp_path: Path) -> None:
    config = resolve(env={"OBDOCTOR_SERVERS": "127.0.0.2, 127.0.0.3", "OBDOCTOR_SSH_USER": "ops",
                          "OBDOCTOR_SSH_PORT": "2222", "HOME": str(tmp_path)})
    assert [(n.ip, n.ssh_username, n.ssh_port) for n in config.servers] == [("127.0.0.2", "ops", 2222),
                                                                             ("127.0.0.3", "ops", 2222)]


def test_default_file_is_obdiags_when_present(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".obdiag").mkdir(parents=True)
    write(home / ".obdiag", "config.yml", OBDIAG_YAML)
    config = resolve(env={"HOME": str(home)})
    assert config.cluster_name == "demo" and len(config.servers) == 2
    # an explicit file wins over the default one
    other = write(tmp_path, "mine.toml", '[db]\nhost = "127.0.0.8"\n')
    assert resolve(other, env={"HOME": str(home)}).db_host == "127.0.0.8"
    assert resolve(env={"HOME": str(home), "OBDOCTOR_CONFIG": str(other)}).db_host == "127.0.0.8"
    # no file at all: defaults only
    assert resolve(env={"HOME": str(tmp_path / "nobody")}).db_host is None


def test_argparse_flags(tmp_path: Path) -> None:
    from obdoctor.cli.connection import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--config", str(write(tmp_path, "config.yml", OBDIAG_YAML)), "--db-port", "2883",
                              "--server", "127.0.0.2", "--ssh-user", "ops", "--via-proxy", "--read-timeout", "5"])
    config = cfg.from_args(args, {}, prompt_password=None)
    assert (config.db_port, config.via_proxy, config.read_timeout) == (2883, True, 5.0)
    assert [(n.ip, n.ssh_username) for n in config.servers] == [("127.0.0.2", "ops")]
    with pytest.raises(SystemExit):  # no password flag, on purpose
        parser.parse_args(["--db-password", "x"])


def test_every_connection_flag_is_read_by_from_args() -> None:
    """A flag declared in cli.connection but not read by sources.config would be silently ignored."""
    from obdoctor.cli.connection import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    declared = {a.dest for a in parser._actions if a.dest != "help"}
    assert declared == {*cfg._FLAG_FIELDS, "servers", "config"}


def test_password_flag_refused() -> None:
    with pytest.raises(ConfigError, match="not taken as flags"):
        resolve(flags={"db_password": "x"})


# -- prompting -----------------------------------------------------------------------------------
def test_missing_password_prompted_only_on_a_tty(tmp_path: Path) -> None:
    asked = []

    def prompt(label: str) -> str:
        asked.append(label)
        return "typed"

    env = {"OBDOCTOR_DB_HOST": "127.0.0.1", "HOME": str(tmp_path)}
    config = cfg.resolve(env=env, prompt_password=prompt, stdin_isatty=True)
    assert config.db_password.reveal() == "typed"
    assert asked == ["password of root@sys on 127.0.0.1:2881"]
    assert cfg.resolve(env=env, prompt_password=prompt, stdin_isatty=False).db_password is None
    given = cfg.resolve(env={**env, "OBDOCTOR_DB_PASSWORD": ""}, prompt_password=prompt, stdin_isatty=True)
    assert given.db_password == Secret("") and len(asked) == 1  # an empty password is a given one


# -- passwords never print ---------------------------------------------------------------------
def test_passwords_never_printed(tmp_path: Path) -> None:
    config = resolve(write(tmp_path, "config.yml", OBDIAG_YAML))
    node = config.servers[0]
    shown = [repr(config), str(config), f"{config}", config.describe(), repr(node), str(node), node.describe(),
             repr(config.db_password), str(config.db_password), f"{config.db_password}", "%s" % config.db_password,
             repr(config.servers), str(config.safe_dict())]
    for text in shown:
        assert DB_PASSWORD not in text and SSH_PASSWORD not in text and "ocp-secret" not in text, text
    assert "password set" in config.describe()
    assert config.safe_dict()["db_password"] == "***"
    assert config.safe_dict()["servers"][0]["ssh_password"] == "***"
    with pytest.raises(TypeError):
        pickle.dumps(config.db_password)
    copied = copy.deepcopy(config)
    assert copied.db_password.reveal() == DB_PASSWORD and DB_PASSWORD not in repr(copied)


def test_secret_is_not_a_string() -> None:
    with pytest.raises(TypeError):
        "x" + Secret("p")  # noqa: B018 - concatenation must not silently reveal it
    assert not Secret("") and Secret("p")
    assert NodeConfig("127.0.0.2", ssh_password=Secret("p")).ssh_password.reveal() == "p"


# -- bad input: a clear message, never a traceback ---------------------------------------------
@pytest.mark.parametrize("name, text, message", [
    ("config.yml", "obcluster:\n  db_host: [unclosed\n", r"not valid YAML at line \d+"),
    ("config.yml", "obcluster:\n\tdb_host: x\n", "not valid YAML"),
    ("config.yml", "- just\n- a list\n", "expected obdiag's layout"),
    ("config.yml", "obcluster:\n  db_port: abc\n", "db_port must be a port"),
    ("config.yml", "obcluster:\n  servers:\n    nodes:\n      - ip: not-an-ip\n", "is not an IP address"),
    ("cluster.toml", "[db\nhost = 1\n", "not valid TOML"),
    ("cluster.toml", "[db]\nhots = '127.0.0.1'\n", "unknown key 'hots' in \\[db\\]"),
    ("cluster.toml", "[database]\nhost = '127.0.0.1'\n", "unknown section \\[database\\]"),
    ("cluster.toml", "[db]\nport = 70000\n", "db_port must be a port"),
    ("cluster.toml", "[db]\nread_timeout = -1\n", "read_timeout must be a positive number"),
    ("cluster.toml", "[ssh]\naccept_unknown_hosts = 'maybe'\n", "must be true or false"),
])
def test_bad_files_give_clear_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError, match=message) as info:
        resolve(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        resolve(tmp_path / "absent.toml")


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="OBDOCTOR_DB_PORT"):
        resolve(env={"OBDOCTOR_DB_PORT": "twenty"})
