"""OceanBase trace ids: recognise them and decode the server that made them.

``Y<hex uval0>-<16 hex seq>-<hex>-<hex>`` (4.x) or ``Y<hex>-<16 hex>`` (3.x). The low 32
bits of uval0 are the IPv4 address, bits 32-47 the port (ob_trace_id.h).
"""

from __future__ import annotations

import re

TRACE_ID = re.compile(r"\bY[0-9A-F]{1,16}-[0-9A-F]{16}(?:-[0-9a-f]+-[0-9a-f]+)?\b")
_VALID = re.compile(r"^[YZ][0-9A-F]{1,16}-[0-9A-F]{1,16}(?:-[0-9a-fA-F]{1,16}-[0-9a-fA-F]{1,16})?$")
# the sequence is printed %016lX (16 digits); 1-16 are accepted because documents copy ids by
# hand (the 4.3.3 backup page quotes YFA40BA2D90B-005FA487348F363-0-0, 15 digits)


def is_trace_id(text: str | None) -> bool:
    return bool(text) and bool(_VALID.fullmatch(text))  # fullmatch: '$' would let a trailing newline in


def decode_addr(trace_id: str) -> str | None:
    """``YB42AC1E0B5C-00060F1A2B3C4D5E-0-0`` -> ``172.30.11.92:2882``; None when not IPv4."""
    if not trace_id or not trace_id.startswith("Y"):
        return None
    head = trace_id[1:].split("-", 1)[0]
    try:
        value = int(head, 16)
    except ValueError:
        return None
    ip = value & 0xFFFFFFFF
    port = (value >> 32) & 0xFFFF
    if ip == 0:
        return None
    octets = [(ip >> 24) & 0xFF, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF]
    return ".".join(str(o) for o in octets) + f":{port}"


def encode(ip: str, port: int, seq: int) -> str:
    """The trace id a server at ip:port would print for sequence ``seq`` (for scenarios)."""
    a, b, c, d = (int(x) for x in ip.split("."))
    value = (port << 32) | (a << 24) | (b << 16) | (c << 8) | d
    return f"Y{value:X}-{seq:016X}-0-0"
