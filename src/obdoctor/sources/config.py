"""How to reach a live cluster: the sys tenant over MySQL, and each observer over SSH.

Three layers, later ones winning: a config file (our own TOML, or obdiag's
``~/.obdiag/config.yml`` read as is), ``OBDOCTOR_*`` environment variables, command-line flags.
A DBA who already has obdiag set up types nothing: with no config option, that file is used.

Passwords are held in :class:`Secret`, which prints as ``***`` everywhere (``repr``, ``str``,
f-strings, ``describe()``); only :meth:`Secret.reveal` gives the text, and only the code that
opens a connection calls it. There is deliberately no password flag (it would show in ``ps``).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

OBDIAG_CONFIG = Path("~/.obdiag/config.yml")
"""obdiag's own config file: used when present and no config option is given."""

DEFAULT_DB_PORT = 2881
PROXY_PORT = 2883
"""obproxy's usual port: a connection to it needs ``user@tenant#cluster``."""


class ConfigError(Exception):
    """The configuration cannot be used: unreadable file, bad syntax, a value of the wrong type."""


class Secret:
    """A password that never prints itself; ``reveal()`` is the only way to the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = str(value)

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __copy__(self) -> "Secret":
        return self  # immutable: copies (copy.deepcopy of a config) share it

    def __deepcopy__(self, memo) -> "Secret":
        return self

    def __reduce__(self):  # pickling would be a way out of the mask
        raise TypeError("a Secret cannot be pickled")


def secret(value: Any) -> Secret | None:
    """None stays None (not given: may be prompted); '' is a real, empty password."""
    if value is None or isinstance(value, Secret):
        return value
    return Secret(str(value))


@dataclass
class NodeConfig:
    """One observer: where its logs are and how to log in to it."""

    ip: str
    ssh_username: str | None = None
    ssh_password: Secret | None = None
    ssh_port: int = 22
    ssh_key_file: str | None = None
    home_path: str | None = None

    @property
    def log_dir(self) -> str | None:
        """``<home_path>/log``: observer.log, rootservice.log, ... and ``alert/``."""
        if not self.home_path:
            return None
        return self.home_path.rstrip("/") + "/log"

    def describe(self) -> str:
        who = f"{self.ssh_username}@" if self.ssh_username else ""
        auth = "key " + self.ssh_key_file if self.ssh_key_file else ("password" if self.ssh_password else "agent/default keys")
        return f"{who}{self.ip}:{self.ssh_port} ({auth}), logs in {self.log_dir or '?'}"


@dataclass
class ClusterConfig:
    """Everything needed to read a live cluster; ``repr``/``str`` never show a password."""

    db_host: str | None = None
    db_port: int = DEFAULT_DB_PORT
    db_user: str = "root"
    """``root``, ``root@sys`` or ``root@sys#cluster``: a bare name gets ``@tenant`` (and ``#cluster`` via obproxy)."""
    db_password: Secret | None = None
    tenant: str = "sys"
    cluster_name: str | None = None
    via_proxy: bool | None = None
    """Through obproxy (user needs ``#cluster``); None: guessed from the port (2883)."""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    """Per query, in seconds; a view that takes longer becomes 'could not check'."""
    servers: list[NodeConfig] = field(default_factory=list)
    known_hosts: str | None = None
    """known_hosts file for SSH host keys (None: ``~/.ssh/known_hosts``)."""
    accept_unknown_hosts: bool = False
    """Opt-in: trust a host key not in known_hosts (never a *changed* one)."""
    ssh_timeout: float = 300.0
    """Whole log search on one server, in seconds; a slower server is reported as partial."""
    origin: str = "defaults"
    """Where the settings came from (file path, env, flags), for messages."""

    def __repr__(self) -> str:
        return f"ClusterConfig({self.describe()})"

    __str__ = __repr__

    def describe(self) -> str:
        """One safe line: who connects where. Passwords show only as set / not set."""
        password = "not set" if self.db_password is None else ("set" if self.db_password else "empty")
        servers = ", ".join(n.ip for n in self.servers) or "none"
        return (f"db {self.db_host or '?'}:{self.db_port} as {self.login_user()} (password {password}), "
                f"servers: {servers}, from {self.origin}")

    def login_user(self) -> str:
        """The user string OceanBase expects: ``user@tenant`` direct, ``user@tenant#cluster`` via obproxy."""
        user = self.db_user or "root"
        if "@" in user or "#" in user:
            return user
        login = f"{user}@{self.tenant or 'sys'}"
        if self.through_proxy and self.cluster_name:
            login += f"#{self.cluster_name}"
        return login

    @property
    def through_proxy(self) -> bool:
        if self.via_proxy is not None:
            return self.via_proxy
        return "#" in (self.db_user or "") or self.db_port == PROXY_PORT

    def node(self, ip: str) -> NodeConfig | None:
        return next((n for n in self.servers if n.ip == ip), None)

    def safe_dict(self) -> dict[str, Any]:
        """For reports and bundle manifests: everything but the passwords' text."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "servers":
                value = [{k: ("***" if isinstance(v, Secret) and v else (None if isinstance(v, Secret) else v))
                          for k, v in n.__dict__.items()} for n in value]
            elif isinstance(value, Secret):
                value = "***" if value else ""
            out[f.name] = value
        return out


# -- layers ------------------------------------------------------------------------------
# A layer is a flat dict of ClusterConfig field names (plus "ssh_*"/"home_path" node defaults
# and "nodes", a list of per-node dicts). Layers merge key by key; None means "not given".

NODE_KEYS = ("ssh_username", "ssh_password", "ssh_port", "ssh_key_file", "home_path")
_INT_KEYS = {"db_port", "ssh_port"}
_FLOAT_KEYS = {"connect_timeout", "read_timeout", "ssh_timeout"}
_BOOL_KEYS = {"via_proxy", "accept_unknown_hosts"}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def _typed(key: str, value: Any, where: str) -> Any:
    """Check and convert one value; a clear message names the file and key when it is wrong."""
    if value is None:
        return None
    try:
        if key in _INT_KEYS:
            if isinstance(value, bool):
                raise ValueError
            number = int(str(value).strip())
            if not 0 < number < 65536:
                raise ValueError
            return number
        if key in _FLOAT_KEYS:
            if isinstance(value, bool):
                raise ValueError
            number = float(str(value).strip())
            if number <= 0:
                raise ValueError
            return number
        if key in _BOOL_KEYS:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError
    except ValueError:
        kind = "a port (1-65535)" if key in _INT_KEYS else ("a positive number of seconds" if key in _FLOAT_KEYS else "true or false")
        raise ConfigError(f"{where}: {key} must be {kind}, not {value!r}") from None
    if key.endswith("password"):
        return secret(value)
    if isinstance(value, (dict, list)):
        raise ConfigError(f"{where}: {key} must be a single value, not {type(value).__name__}")
    return str(value)


def _check_ip(ip: Any, where: str) -> str:
    """Servers are named by IP, as views name them (RS_SVR_IP, svr_ip, COMMENT addr)."""
    text = str(ip or "").strip()
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise ConfigError(f"{where}: server ip {ip!r} is not an IP address") from None
    return text


# Our TOML file: section -> {toml key: field}
_TOML_LAYOUT: dict[str, dict[str, str]] = {
    "cluster": {"name": "cluster_name"},
    "db": {"host": "db_host", "port": "db_port", "user": "db_user", "password": "db_password",
           "tenant": "tenant", "via_proxy": "via_proxy", "connect_timeout": "connect_timeout",
           "read_timeout": "read_timeout"},
    "ssh": {"username": "ssh_username", "password": "ssh_password", "port": "ssh_port",
            "key_file": "ssh_key_file", "home_path": "home_path", "known_hosts": "known_hosts",
            "accept_unknown_hosts": "accept_unknown_hosts", "timeout": "ssh_timeout"},
}
_TOML_NODE = {"ip": "ip", "username": "ssh_username", "password": "ssh_password", "port": "ssh_port",
              "key_file": "ssh_key_file", "home_path": "home_path"}


def load_toml(path: str | Path) -> dict[str, Any]:
    """Our own file (docs/live.md): ``[cluster]``, ``[db]``, ``[ssh]``, ``[[servers]]``; unknown keys are errors."""
    path = Path(path).expanduser()
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    layer: dict[str, Any] = {}
    for section, value in data.items():
        if section == "servers":
            continue
        keys = _TOML_LAYOUT.get(section)
        if keys is None:
            raise ConfigError(f"{path}: unknown section [{section}] (known: cluster, db, ssh, servers)")
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, item in value.items():
            if key not in keys:
                raise ConfigError(f"{path}: unknown key {key!r} in [{section}] (known: {', '.join(keys)})")
            layer[keys[key]] = _typed(keys[key], item, f"{path} [{section}]")
    servers = data.get("servers", [])
    if not isinstance(servers, list):
        raise ConfigError(f"{path}: servers must be an array of tables ([[servers]])")
    nodes = []
    for index, entry in enumerate(servers, 1):
        if isinstance(entry, str):
            entry = {"ip": entry}
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: server {index} must be a table with an ip")
        node: dict[str, Any] = {}
        for key, item in entry.items():
            if key not in _TOML_NODE:
                raise ConfigError(f"{path}: unknown key {key!r} in server {index} (known: {', '.join(_TOML_NODE)})")
            node[_TOML_NODE[key]] = _typed(_TOML_NODE[key], item, f"{path} server {index}")
        node["ip"] = _check_ip(node.get("ip"), f"{path} server {index}")
        nodes.append(node)
    if "servers" in data:
        layer["nodes"] = nodes
    return layer


def load_obdiag_yaml(path: str | Path) -> dict[str, Any]:
    """obdiag's ``config.yml`` as DBAs have it; sections we do not use (obproxy, ...) are ignored."""
    import yaml

    path = Path(path).expanduser()
    text = _read_text(path)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected obdiag's layout (obcluster:, servers:), got a {type(data).__name__}")
    layer: dict[str, Any] = {}
    cluster = _mapping(data.get("obcluster"), f"{path}: obcluster")
    tenant_sys = _mapping(cluster.get("tenant_sys"), f"{path}: obcluster.tenant_sys")
    where = f"{path} obcluster"
    for key, target in (("ob_cluster_name", "cluster_name"), ("db_host", "db_host"), ("db_port", "db_port")):
        if cluster.get(key) not in (None, ""):
            layer[target] = _typed(target, cluster[key], where)
    if tenant_sys.get("user") not in (None, ""):
        layer["db_user"] = _typed("db_user", tenant_sys["user"], where + ".tenant_sys")
    if "password" in tenant_sys:
        layer["db_password"] = _typed("db_password", tenant_sys["password"] if tenant_sys["password"] is not None else None,
                                      where + ".tenant_sys")
    # obdiag keeps the node list under obcluster.servers; older files have it at the top level.
    servers = _mapping(cluster.get("servers") if "servers" in cluster else data.get("servers"), f"{path}: servers")
    global_ = _mapping(servers.get("global"), f"{path}: servers.global")
    for key in NODE_KEYS:
        if global_.get(key) not in (None, "") or (key == "ssh_password" and key in global_ and global_[key] is not None):
            layer[key] = _typed(key, global_[key], f"{path} servers.global")
    nodes_data = servers.get("nodes") or []
    if not isinstance(nodes_data, list):
        raise ConfigError(f"{path}: servers.nodes must be a list")
    nodes = []
    for index, entry in enumerate(nodes_data, 1):
        entry = _mapping(entry, f"{path}: servers.nodes[{index}]")
        node = {"ip": _check_ip(entry.get("ip"), f"{path} servers.nodes[{index}]")}
        for key in NODE_KEYS:
            if entry.get(key) not in (None, "") or (key == "ssh_password" and entry.get(key) is not None):
                node[key] = _typed(key, entry[key], f"{path} servers.nodes[{index}]")
        nodes.append(node)
    if nodes_data:
        layer["nodes"] = nodes
    return layer


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a mapping, not {type(value).__name__}")
    return value


def load_file(path: str | Path) -> dict[str, Any]:
    """By extension: ``.yml``/``.yaml`` is obdiag's layout, anything else our TOML."""
    path = Path(path).expanduser()
    if path.suffix.lower() in (".yml", ".yaml"):
        return load_obdiag_yaml(path)
    return load_toml(path)


ENV_VARS: dict[str, str] = {
    "OBDOCTOR_DB_HOST": "db_host",
    "OBDOCTOR_DB_PORT": "db_port",
    "OBDOCTOR_DB_USER": "db_user",
    "OBDOCTOR_DB_PASSWORD": "db_password",
    "OBDOCTOR_DB_TENANT": "tenant",
    "OBDOCTOR_CLUSTER": "cluster_name",
    "OBDOCTOR_VIA_PROXY": "via_proxy",
    "OBDOCTOR_CONNECT_TIMEOUT": "connect_timeout",
    "OBDOCTOR_READ_TIMEOUT": "read_timeout",
    "OBDOCTOR_SSH_USER": "ssh_username",
    "OBDOCTOR_SSH_PASSWORD": "ssh_password",
    "OBDOCTOR_SSH_PORT": "ssh_port",
    "OBDOCTOR_SSH_KEY_FILE": "ssh_key_file",
    "OBDOCTOR_HOME_PATH": "home_path",
    "OBDOCTOR_KNOWN_HOSTS": "known_hosts",
    "OBDOCTOR_ACCEPT_UNKNOWN_HOSTS": "accept_unknown_hosts",
    "OBDOCTOR_SSH_TIMEOUT": "ssh_timeout",
}
"""``OBDOCTOR_SERVERS`` (comma-separated IPs) and ``OBDOCTOR_CONFIG`` (a file) are read too."""


def layer_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for name, key in ENV_VARS.items():
        if name in env:
            layer[key] = _typed(key, env[name], f"environment {name}")
    if env.get("OBDOCTOR_SERVERS"):
        layer["nodes"] = [{"ip": _check_ip(ip, "environment OBDOCTOR_SERVERS")}
                          for ip in env["OBDOCTOR_SERVERS"].replace(" ", ",").split(",") if ip]
    return layer


def layer_from_flags(flags: Mapping[str, Any]) -> dict[str, Any]:
    """Flag values by field name (None: not given); ``servers`` is a list of IPs."""
    layer: dict[str, Any] = {}
    for key, value in flags.items():
        if value is None or key in ("config", "servers"):
            continue
        if key.endswith("password"):
            raise ConfigError("passwords are not taken as flags (they would show in ps): use the config file, "
                              "OBDOCTOR_DB_PASSWORD / OBDOCTOR_SSH_PASSWORD, or the prompt")
        layer[key] = _typed(key, value, f"option --{key.replace('_', '-')}")
    if flags.get("servers"):
        layer["nodes"] = [{"ip": _check_ip(ip, "option --server")} for ip in flags["servers"]]
    return layer


def merge(*layers: tuple[str, dict[str, Any]]) -> ClusterConfig:
    """Later layers win, key by key; node-level values from later layers apply to every node.

    A per-node value in a file beats the same file's global value, but a flag or env value is
    the user's most explicit wish and applies to all nodes.
    """
    config = ClusterConfig()
    origins = []
    node_defaults: dict[str, Any] = {}
    node_overrides: dict[str, Any] = {}
    nodes: list[dict[str, Any]] = []
    for origin, layer in layers:
        if not layer:
            continue
        origins.append(origin)
        later_nodes = layer.get("nodes")
        if later_nodes is not None:
            nodes = [dict(n) for n in later_nodes]
        for key, value in layer.items():
            if key == "nodes" or value is None:
                continue
            if key in NODE_KEYS:
                if origin.startswith(("file", "defaults")):
                    node_defaults[key] = value
                else:
                    node_overrides[key] = value
            else:
                setattr(config, key, value)
    servers = []
    for node in nodes:
        values = {**node_defaults, **node, **node_overrides}
        servers.append(NodeConfig(
            ip=values["ip"], ssh_username=values.get("ssh_username"), ssh_password=values.get("ssh_password"),
            ssh_port=values.get("ssh_port") or 22, ssh_key_file=values.get("ssh_key_file"),
            home_path=values.get("home_path"),
        ))
    config.servers = servers
    config.origin = " + ".join(origins) or "defaults"
    return config


def default_config_file(env: Mapping[str, str]) -> Path | None:
    """``OBDOCTOR_CONFIG``, else obdiag's ``~/.obdiag/config.yml`` when it exists (``$HOME`` from ``env``)."""
    if env.get("OBDOCTOR_CONFIG"):
        return Path(env["OBDOCTOR_CONFIG"]).expanduser()
    home = env.get("HOME")
    path = Path(home) / ".obdiag" / "config.yml" if home else OBDIAG_CONFIG.expanduser()
    return path if path.is_file() else None


def getpass_prompt(label: str) -> str:
    import getpass

    return getpass.getpass(f"{label}: ")


def resolve(
    config_file: str | Path | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    prompt_password: Callable[[str], str] | None = getpass_prompt,
    stdin_isatty: bool | None = None,
) -> ClusterConfig:
    """The configuration to use: file < environment < flags; a missing password is prompted.

    The prompt only happens when no password was given anywhere *and* stdin is a terminal
    (never in scripts or CI, where it would hang).
    """
    env = dict(os.environ if env is None else env)
    path = Path(config_file).expanduser() if config_file else default_config_file(env)
    file_layer = load_file(path) if path else {}
    config = merge((f"file {path}" if path else "defaults", file_layer),
                   ("environment", layer_from_env(env)), ("flags", layer_from_flags(flags or {})))
    if config.db_password is None and prompt_password is not None:
        tty = stdin_isatty if stdin_isatty is not None else _stdin_is_tty()
        if tty:
            config = replace(config, db_password=Secret(prompt_password(
                f"password of {config.login_user()} on {config.db_host or '?'}:{config.db_port}")))
    return config


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


# -- command-line flags --------------------------------------------------------------------
_FLAG_FIELDS = ("db_host", "db_port", "db_user", "db_tenant", "cluster_name", "via_proxy", "connect_timeout",
                "read_timeout", "ssh_username", "ssh_port", "ssh_key_file", "home_path", "known_hosts",
                "accept_unknown_hosts", "ssh_timeout")


_FIELD_OF_FLAG = {"db_tenant": "tenant"}


def from_args(args: argparse.Namespace, env: Mapping[str, str], *,
              prompt_password: Callable[[str], str] | None = getpass_prompt,
              stdin_isatty: bool | None = None) -> ClusterConfig:
    """:func:`resolve` with the flags of ``obdoctor.cli.connection.add_arguments``."""
    # --db-tenant is the login's tenant; --tenant (an id, dest "tenant") only filters rows and
    # must never reach the login: ``root@sys`` stays ``root@sys`` whatever tenant is diagnosed
    flags = {_FIELD_OF_FLAG.get(key, key): getattr(args, key, None) for key in (*_FLAG_FIELDS, "servers")}
    return resolve(getattr(args, "config", None), flags, env, prompt_password=prompt_password,
                   stdin_isatty=stdin_isatty)
