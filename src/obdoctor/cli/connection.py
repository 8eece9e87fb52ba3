"""The command-line flags that say how to reach a live cluster.

Why here and not in ``sources.config``: declaring flags is the CLI's business, and every command
that offers them (even ``logs``, which needs them only with ``--live``) declares them at start-up;
this module imports nothing but argparse, so that costs nothing.
"""

from __future__ import annotations

import argparse
import re

_TENANT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,127}")


def tenant_name(text: str) -> str:
    """``--db-tenant`` takes a tenant's name (``sys``); an id there is a mistake for ``--tenant``."""
    value = text.strip()
    if value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is a tenant id: --db-tenant takes the name of the tenant to "
                                         "log in to (e.g. sys); --tenant ID chooses the tenant to diagnose")
    if not _TENANT_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"not a tenant name: {value!r}")
    return value


ENVIRONMENT = (
    ("OBDOCTOR_DB_PASSWORD", "the database password (no flag: it would show in ps and shell history)"),
    ("OBDOCTOR_SSH_PASSWORD", "the SSH password, when no key is used"),
    ("OBDOCTOR_CONFIG", "the config file (like --config)"),
    ("OBDOCTOR_SERVERS", "observer IPs, comma-separated (like --server)"),
    ("OBDOCTOR_DB_HOST, OBDOCTOR_DB_PORT, OBDOCTOR_DB_USER, OBDOCTOR_DB_TENANT, OBDOCTOR_CLUSTER, "
     "OBDOCTOR_VIA_PROXY, OBDOCTOR_CONNECT_TIMEOUT, OBDOCTOR_READ_TIMEOUT, OBDOCTOR_SSH_USER, OBDOCTOR_SSH_PORT, "
     "OBDOCTOR_SSH_KEY_FILE, OBDOCTOR_HOME_PATH, OBDOCTOR_KNOWN_HOSTS, OBDOCTOR_ACCEPT_UNKNOWN_HOSTS, "
     "OBDOCTOR_SSH_TIMEOUT", "as the flags of the same name"),
)
"""The environment variables ``sources.config`` reads (its ``ENV_VARS``, ``OBDOCTOR_SERVERS``,
``OBDOCTOR_CONFIG``; a test keeps the two lists equal), for every --help that connects."""
ENVIRONMENT_HELP = ("Environment variables: " + "; ".join(f"{names}: {what}" for names, what in ENVIRONMENT)
                    + ". A password given nowhere is prompted for when standard input is a terminal.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The connection options of ``diagnose``/``collect``/``watch``/``logs --live`` (no password
    flag, on purpose). Their ``dest`` names are what ``sources.config.from_args`` reads."""
    group = parser.add_argument_group(
        "cluster connection (override the config file and OBDOCTOR_* variables)", ENVIRONMENT_HELP)
    group.add_argument("--config", metavar="FILE",
                       help="obdoctor TOML or obdiag config.yml (default: ~/.obdiag/config.yml when it exists)")
    group.add_argument("--db-host", dest="db_host", metavar="HOST", help="observer or obproxy address")
    group.add_argument("--db-port", dest="db_port", metavar="PORT", help="2881 direct, 2883 through obproxy")
    group.add_argument("--db-user", dest="db_user", metavar="USER", help="root, root@sys or root@sys#cluster")
    group.add_argument("--db-tenant", dest="db_tenant", metavar="NAME", type=tenant_name,
                       help="tenant to log in to, by name (default sys); --tenant ID only filters rows")
    group.add_argument("--cluster", dest="cluster_name", metavar="NAME", help="cluster name (obproxy's #cluster)")
    group.add_argument("--via-proxy", dest="via_proxy", action="store_const", const=True, default=None,
                       help="connect through obproxy (user@tenant#cluster)")
    group.add_argument("--connect-timeout", dest="connect_timeout", metavar="SEC", help="default 10")
    group.add_argument("--read-timeout", dest="read_timeout", metavar="SEC", help="per query, default 60")
    group.add_argument("--server", dest="servers", action="append", metavar="IP",
                       help="an observer (repeat); replaces the config file's list")
    group.add_argument("--ssh-user", dest="ssh_username", metavar="USER")
    group.add_argument("--ssh-port", dest="ssh_port", metavar="PORT")
    group.add_argument("--ssh-key", dest="ssh_key_file", metavar="FILE")
    group.add_argument("--home-path", dest="home_path", metavar="DIR", help="observer home; logs in DIR/log")
    group.add_argument("--known-hosts", dest="known_hosts", metavar="FILE")
    group.add_argument("--accept-unknown-hosts", dest="accept_unknown_hosts", action="store_const", const=True,
                       default=None, help="trust host keys not in known_hosts (a changed key is still refused)")
    group.add_argument("--ssh-timeout", dest="ssh_timeout", metavar="SEC", help="per server log search, default 300")
