"""The server in an address cell: one helper for every "IP from addr:port" in the tree.

Views print a server as ``ip:port`` (``[v6]:port`` for IPv6), a bare IP, or a host name; the
COMMENT of a job, the ``dst`` of a log line and the host of a trace id the same ways. Rules,
the timeline, redaction and the live log search all need the server part; they all ask here,
so they agree on what counts as one.
"""

from __future__ import annotations

import ipaddress
import re

_ADDRESS = re.compile(r"^(?:[0-9A-Fa-f:.]{2,45}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63}){0,8})$")


def server_ip(addr: str | None, *, strict: bool = True) -> str | None:
    """``"100.1.2.3:2882"`` -> ``100.1.2.3``; ``[::1]:2882`` -> ``::1``; a bare IP or host name kept.

    ``strict`` (evidence read from outside): None for blanks and for what is no address at all
    (``/data/1``, ``ip:port:junk``, a non-numeric port): never a path to follow. Not strict
    (a server the evidence already names): the text without its port, whatever it is."""
    if addr is None:
        return None
    text = str(addr).strip().strip('"')
    if not text:
        return None if strict else text
    if text.startswith("["):  # [v6]:port
        host = text[1:text.index("]")] if "]" in text else text
    elif text.count(":") == 1:
        host, port = text.split(":", 1)
        if strict and not port.isdigit():
            return None
    else:
        host = text
    if not strict:
        return host
    return host if _ADDRESS.match(host) and ".." not in host else None


def address_order(name: str) -> tuple:
    """Sort key for servers: IP addresses by value (127.0.0.10 after 127.0.0.9), then names.
    A list of servers a report prints follows it, not the order a view happened to return."""
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return (1, 0, name)
    return (0, ip.version, int(ip))
