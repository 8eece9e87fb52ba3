"""Remove secrets from text before it reaches a report, a log or a bundle; optionally hide hosts.

Why here (the security package, below every layer) and not in the report code: the same rules must hold for every way evidence
leaves obdoctor — report formats (``obdoctor.report``) and support bundles written by ``collect``
(``obdoctor.sources``) — and sources may not import reports.

Secrets are **always** removed, in every spelling below (docs/security.md lists them with
examples; tests/hostile/test_secrets.py holds a corpus):

* credentials in URIs and query strings — ``access_id``, ``access_key``, ``ak``, ``sk``,
  ``sts_token``, ``security-token``, ``appid``, ... — plain, URL-encoded (``access_key%3DSK``)
  and double-encoded (``access_key%253DSK``), the value ending at ``&`` (or its encodings),
  ``,``, ``)``, ``;``, a quote or white space;
* any key whose name *contains* ``password``, ``passwd``, ``pwd``, ``secret``, ``token``,
  ``credential``, ``private_key``, ``encrypt_key``/``encryption_key`` or ``decryption_key``
  (``db_password``, ``MYSQL_PWD``, ``x-oss-security-token``, ``clientSecret``), in any case,
  with ``=``, ``:``, JSON (``"k": "v"``, also backslash-escaped inside another string) or a
  URL-encoded ``=``;
* the password in ``user:password@`` URI user-info (both parts for object storage schemes);
* SQL: ``IDENTIFIED BY 'a'[, 'b'...]``, ``SET PASSWORD [FOR u] = PASSWORD('...')``;
* command lines: ``-p'...'``, ``-p...``, ``--password=...``, ``--password ...``;
* ``Authorization:`` headers, PEM blocks (``-----BEGIN ... KEY-----``);
* columns that are secrets as a whole (``PASSWD``, ``ENCRYPT_KEY``, ...), and ``VALUE`` of a
  ``NAME``/``VALUE`` row whose name is a secret key.

``host=`` is not a secret: it is kept (and pseudonymised with the other hosts by
:class:`HostPseudonyms` when the user asks for ``--redact-hosts``). Masking is idempotent: a
masked value (``***``) is not masked, nor counted, again.

Two ways in: the module functions (:func:`redact_text`, :func:`redact_value`, :func:`redact_row`)
for one-off use, and :class:`Redactor`, which also counts what it removed by kind — what a
bundle manifest reports.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from typing import Any, Iterable, Mapping

from obdoctor.addresses import server_ip

MASK = "***"

SECRET_KEYS = ("access_id", "access_key", "accesskey", "accesskeyid", "ak", "sk", "appid", "app_id",
               "sts_token", "security_token", "security-token", "session_token", "secret_key",
               "secret_access_key", "secret_id", "encrypt_key", "encryption_key", "decryption_key",
               "password", "passwd", "pwd", "token", "role_arn", "external_id", "checksum_key",
               "private_key", "client_secret", "credential", "credentials", "authorization", "decryption",
               "signature", "x-oss-signature", "x-amz-signature", "x-goog-signature")
"""Keys whose value is a secret as a whole word (case-insensitive); each is its own count kind."""

SECRET_KEY_PARTS = ("password", "passwd", "pwd", "secret", "token", "credential", "private_key",
                    "privatekey", "encrypt_key", "encryption_key", "decryption_key", "access_key", "access-key",
                    "accesskey", "密码")
"""A key *containing* one of these is a secret too (``db_password``, ``clientSecret``)."""

SECRET_COLUMNS = frozenset({"PASSWD", "PASSWORD", "ENCRYPT_KEY", "ACCESS_KEY", "ACCESS_ID", "STS_TOKEN",
                            "AUTHORIZATION", "SECRET_KEY", "DECRYPTION_KEY"})
"""Columns whose whole value is a secret (``PASSWD`` of the backup job views)."""


def is_secret_key(name: str) -> bool:
    """Whether a key or parameter name holds a secret (a whole-word key, or one containing a part)."""
    key = _plain_key(name)
    return key in SECRET_KEYS or any(part in key for part in SECRET_KEY_PARTS)


_ENCODED_UNDERSCORE = re.compile(r"%(?:25)?5f")


def _plain_key(key: str) -> str:
    """A key as written (``access%5Fkey``, ``%26sk``, ``--password``) in lower case, its ``_`` decoded
    and the encoded ``&`` before it dropped."""
    key = _ENCODED_UNDERSCORE.sub("_", key.strip().lower())
    return key.lstrip("-").removeprefix("%26").removeprefix("%2526")


def _kind(key: str) -> str:
    """The count kind of a masked key: itself when it is a whole-word key, else the part it holds."""
    key = _plain_key(key)
    if key in SECRET_KEYS:
        return key.replace("-", "_")
    return next((part for part in SECRET_KEY_PARTS if part in key), key)


_UNDERSCORE = r"(?:_|%5[Ff]|%255[Ff])"
"""``_`` in a key, also URL-encoded (``access%5Fkey``: an encoder that escapes every non-letter)."""


def _key_pattern(key: str) -> str:
    return re.escape(key).replace("_", _UNDERSCORE)


_EXACT = "|".join(_key_pattern(k) for k in sorted(SECRET_KEYS, key=len, reverse=True))
_PARTS = "|".join(_key_pattern(k) for k in sorted(SECRET_KEY_PARTS, key=len, reverse=True))
_KEY_CHAR = r"(?:[\w.-]|%(?:25)?5[Ff])"
# A key starts where an identifier starts (``task_sk`` is not ``sk``; ``db_password`` holds
# ``password``), or right after an encoded ``&``/``?`` (``%26``, ``%2526``, ``%3F``, ``%253F``).
_KEY_START = r"(?:(?<![\w.\\-])|(?<=%26)|(?<=%3[Ff])|(?<=%2526)|(?<=%253[Ff]))"
_NOT_SECRET_TAIL = "".join(rf"(?<![_.-]{tail})" for tail in (
    "count", "cnt", "num", "len", "length", "size", "type", "timeout", "time", "ts", "ttl", "expire", "expired",
    "mode", "status", "valid", "enabled"))
"""``retry_token_count=3``, ``token_expire_time``: about a secret, not one."""
_KEY = (_KEY_START + r"(?P<key>(?:" + _EXACT + r")(?!" + _KEY_CHAR + ")|" + _KEY_CHAR + "*?(?:" + _PARTS
        + r")" + _KEY_CHAR + "*+" + _NOT_SECRET_TAIL + ")")
# 'x', "x" and \"x\" (JSON inside a JSON string), each with its escapes ('a\'b', "a\"b",
# \"a\\\"b\"); a value never runs past its closing quote
_QUOTED = (r"""\\"(?:[^"\\]|\\\\\\"|\\\\|\\[^"\\])*?\\"|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.|'')*'""")
_UNCLOSED = r"""["'][^"'\s]+"""
"""A quote that never closes (a line cut after it): the value runs to the next blank."""
# A bare value (never a '[' or '{' opening a structure: ``"signatures": []``) ends at '&' (or its
# encodings), a blank, a quote, ',', ')', '}', ']' or ';'. A backslash belongs to it unless a
# quote follows (the end of a JSON string holding the value).
# '&' followed by a piece without '=' is still the value (OceanBase splits its storage info on
# '&': ``access_key=a&b&host=h`` holds the key ``a&b``); '&amp;' is an escaped separator.
_BARE = (r"""(?![\[{])(?:(?:(?!%26|%2526)[^&\s'",)}\];\\]|\\(?!["']))+"""
         r"""(?:&(?!amp;|#)(?:[^&=\s'",)}\];\\%])++(?!=))*)""")
_VALUE = (r"(?P<value>[A-Za-z_][A-Za-z0-9_]*\(\s*(?:" + _QUOTED + r")\s*\)|" + _QUOTED + "|" + _UNCLOSED
          + "|" + _BARE + ")")
_KV = re.compile(r"(?i)" + _KEY + r"""(?P<sep>\\?["']?\s*(?:=>|=|:|：|%3D|%253D)\s*)""" + _VALUE)
_AUTH_HEADER = re.compile(r"""(?i)(?<![A-Za-z0-9_])(?P<key>authorization)(?P<sep>\\?["']?\s*[:=]\s*)"""
                          r"""(?P<value>(?:[A-Za-z][A-Za-z0-9-]*\s+)?[^\s,;'")}\]]+)""")
_SQL_VALUE = r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|[^\s;,)'"]+"""
_IDENTIFIED_BY = re.compile(r"(?i)\b(?P<key>identified\s+(?:with\s+\S+\s+)?(?:by|as)(?:\s+password)?|encrypted\s+by)"
                            r"(?P<sep>\s+)"
                            r"(?P<value>(?:" + _SQL_VALUE + r")(?:\s*,\s*(?:" + _SQL_VALUE + r"))*)")
_SET_PASSWORD = re.compile(r"(?i)\b(?P<key>set\s+password(?:\s+for\s+[^=;]{1,200}?)?)(?P<sep>\s*=\s*)"
                           r"(?P<value>[A-Za-z_]+\(\s*(?:" + _SQL_VALUE + r")\s*\)|" + _SQL_VALUE + r")")
# obclient/mysql -p'pw' or -ppw (no space: with one, the client prompts), --password[=| ]pw
_CLI_PASSWORD = re.compile(r"""(?<!\S)(?P<key>-p(?=[^\s-])|--passw(?:or)?d)(?P<sep>(?<=-p)|=|(?<=d)\s+(?=[^-\s]))"""
                           r"""(?P<value>'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"-][^\s'"]*)""")
_PEM = re.compile(r"-----BEGIN (?P<label>[A-Z0-9 ]{1,40})-----.*?(?:-----END (?P=label)-----|$)", re.DOTALL)
_AWS_KEY_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
"""An AWS access key id on its own (``AKIA`` and 16 capitals or digits; ``ASIA`` for temporary ones)."""
_XML_ELEMENT = re.compile(r"<(?P<key>[A-Za-z_][\w.:-]{0,80})>(?P<value>[^<]{1,8192})</(?P=key)>")
"""``<AccessKeySecret>...</AccessKeySecret>``: an STS answer, an S3 or OSS error body."""
_FRAGMENTS = ("access", "key", "token", "pass", "pwd", "secret", "app", "arn", "external", "credential",
              "identified", "authorization", "ak", "sk", "-p", "begin", "crypt", "signature", "akia", "asia", "密码")
"""Every secret spelling holds one of these: lines without any are left alone without a regex."""
_STORAGE_SCHEMES = ("oss", "s3", "cos", "obs", "gs", "azblob", "azure")
_USERINFO = re.compile(r"""(?i)\b(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<user>[^\s/:@'"]+):(?P<password>[^\s/@'"]+)@""")


class Redactor:
    """Removes secrets (and, given pseudonyms, hosts) and counts what it removed by kind.

    ``counts`` maps a kind (``access_key``, ``passwd``, ``password``, ``ip``, ``hostname``,
    ``trace_id``, ...) to how many values were masked or replaced — never the values themselves.
    """

    def __init__(self, hosts: HostPseudonyms | None = None):
        self.hosts = hosts
        self.counts: Counter[str] = Counter()

    # -- text -------------------------------------------------------------------------------
    def text(self, text: str) -> str:
        """A log line, a URI, a message: every secret masked, hosts pseudonymised if asked."""
        if not text:
            return text
        out = self._secrets(text)
        if self.hosts is not None:
            out = self.hosts.apply(out, self.counts)
        return out

    line = text
    """A log line is text (kept as its own name for the ``collect`` call sites)."""

    def _secrets(self, text: str) -> str:
        if "://" in text and "@" in text:
            text = _USERINFO.sub(self._userinfo, text)
        lowered = text.lower()
        if not any(k in lowered for k in _FRAGMENTS):  # the common case: no key, no rewriting
            return text
        if "-----begin " in lowered:
            text = _PEM.sub(self._pem, text)
        if "identified" in lowered or "encrypted" in lowered:
            text = _IDENTIFIED_BY.sub(lambda m: self._mask(m, "password"), text)
        if "password" in lowered:
            text = _SET_PASSWORD.sub(lambda m: self._mask(m, "password"), text)
        if "-p" in lowered:
            text = _CLI_PASSWORD.sub(lambda m: self._mask(m, "password"), text)
        if "authorization" in lowered:
            text = _AUTH_HEADER.sub(lambda m: self._mask(m, "authorization"), text)
        if "</" in text:
            text = _XML_ELEMENT.sub(self._xml, text)
        text = _KV.sub(lambda m: self._mask(m, _kind(m.group("key"))), text)
        if "akia" in lowered or "asia" in lowered:
            text = _AWS_KEY_ID.sub(self._aws_key_id, text)
        return text

    def _xml(self, m: re.Match) -> str:
        key = m.group("key")
        name = key.rpartition(":")[2]  # the local name of a prefixed element (<sts:AccessKeySecret>)
        if not is_secret_key(name) or m.group("value") == MASK:
            return m.group(0)
        self.counts[_kind(name)] += 1
        return f"<{key}>{MASK}</{key}>"

    def _aws_key_id(self, m: re.Match) -> str:
        self.counts["access_id"] += 1
        return MASK

    def _mask(self, m: re.Match, kind: str) -> str:
        value = m.group("value")
        masked = _masked(value)
        if masked == value:
            return m.group(0)
        self.counts[kind] += 1
        return f"{m.group('key')}{m.group('sep')}{masked}"

    def _pem(self, m: re.Match) -> str:
        label = m.group("label")
        masked = f"-----BEGIN {label}-----{MASK}-----END {label}-----"
        if m.group(0) == masked:
            return masked
        self.counts["private_key" if "PRIVATE" in label else "pem"] += 1
        return masked

    def _userinfo(self, m: re.Match) -> str:
        if m.group("password") == MASK:
            return m.group(0)
        scheme = m.group("scheme")
        if scheme.lower() in _STORAGE_SCHEMES:
            self.counts["access_id"] += 1
            self.counts["access_key"] += 1
            return f"{scheme}://{MASK}:{MASK}@"
        self.counts["password"] += 1
        return f"{scheme}://{m.group('user')}:{MASK}@"

# -- rows -------------------------------------------------------------------------------
    def value(self, column: str, value: Any) -> Any:
        """One cell: masked whole when the column is a secret, else its text redacted."""
        if value is None:
            return None
        if column.upper() in SECRET_COLUMNS:
            if str(value) in ("", MASK):
                return value
            self.counts[column.lower()] += 1
            return MASK
        if isinstance(value, str):
            return self.text(value)
        return value

    def row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A view row: every cell through :meth:`value`; ``NAME``/``VALUE`` pairs whose name is a
        secret key (``CDB_OB_BACKUP_PARAMETER``-like rows) have the value masked."""
        out = {c: self.value(c, v) for c, v in row.items()}
        name_col = next((c for c in out if c.lower() == "name"), None)
        value_col = next((c for c in out if c.lower() == "value"), None)
        if name_col and value_col and isinstance(out[name_col], str) and out[value_col] not in (None, "", MASK):
            if is_secret_key(out[name_col]):
                self.counts[_kind(out[name_col].strip())] += 1
                out[value_col] = MASK
        return out


_QUOTED_VALUE = re.compile(_QUOTED, re.DOTALL)


def _masked(value: str) -> str:
    """``value`` with every secret in it replaced by ``***``, quotes and function call kept:
    ``'a', 'b'`` -> ``'***', '***'``; ``PASSWORD('x')`` -> ``PASSWORD('***')``; ``x`` -> ``***``;
    a quote that never closes (``"x``) -> ``"***``; ``'a\\'`` (a shell's quotes) -> ``'***'``."""
    if value.strip("\\\"'") in ("", MASK):
        return value
    if "'" in value or '"' in value:
        masked, found = _QUOTED_VALUE.subn(_mask_quoted, value)
        if found:
            return masked
        closed = len(value) > 1 and value[-1] == value[0]  # a shell's '...': a backslash escapes nothing
        return value[0] + MASK + (value[0] if closed else "")
    return MASK


def _mask_quoted(q: re.Match) -> str:
    quoted = q.group(0)
    quote = '\\"' if quoted.startswith('\\"') else quoted[0]
    inner = quoted[len(quote):-len(quote)]
    return quoted if inner in ("", MASK) else f"{quote}{MASK}{quote}"


# -- the module-level API (rules, collect) ----------------------------------------------------

def redact_text(text: str) -> str:
    """Mask every credential in ``text`` (URI query parameters, log key/values, SQL)."""
    return Redactor().text(text)


def redact_line(line: str) -> str:
    """Mask every credential in one log line."""
    return Redactor().text(line)


def redact_data(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples: JSON-like data) with its secrets masked;
    the value of a secret key (a dict key, or the first of a ``[key, value]`` pair such as a log
    record's fields) is masked whole."""
    redactor = Redactor()

    def walk(item: Any, key: str | None = None) -> Any:
        if isinstance(item, dict):
            return {k: walk(v, str(k)) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            if len(item) == 2 and isinstance(item[0], str):
                return type(item)((item[0], walk(item[1], item[0])))
            return type(item)(walk(v) for v in item)
        if isinstance(item, str):
            if key is not None and is_secret_key(key) and item.strip("\"'") not in ("", MASK):
                redactor.counts[_kind(key)] += 1
                return MASK
            return redactor.text(item)
        return item

    return walk(value)


def redact_value(column: str, value):
    """Mask one cell of column ``column``."""
    return Redactor().value(column, value)


def redact_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Mask every secret in one view row (``{column: value}``)."""
    return Redactor().row(row)


# -- host pseudonyms -------------------------------------------------------------------------

_IPV4 = re.compile(r"(?<![\w.])(?P<ip>(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})"
                   r"(?P<port>:\d{1,5})?(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?P<ip>(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}|"
                   r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|::1)(?![\w:])")
_TRACE_ID = re.compile(r"(?<![\w-])Y(?P<head>[0-9A-F]{1,16})-(?P<rest>[0-9A-F]{16}(?:-[0-9a-f]+-[0-9a-f]+)?)(?![\w-])")
_HOST_PARAM = re.compile(r"(?i)(?<![A-Za-z0-9_])(?P<key>host|endpoint|hostname|host_name)(?P<sep>=|:\s*|\":\s*\")"
                         r"(?P<value>[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])")
_VERSION_CONTEXT = re.compile(r"(?i)(version|ver|release|build|v)[\s=:\"'_-]*$")


def _pseudo_ipv4(n: int) -> str:
    """The n-th (0-based) alias: the documentation networks (RFC 5737), then 198.18.0.0/15
    (RFC 2544): addresses that are never a real server, yet still parse as IPv4 so a redacted
    bundle can be analysed like any other."""
    if n < 254:
        return f"192.0.2.{n + 1}"
    if n < 508:
        return f"198.51.100.{n - 253}"
    if n < 762:
        return f"203.0.113.{n - 507}"
    n -= 762
    return f"198.{18 + (n >> 16) % 2}.{(n >> 8) & 0xFF}.{n & 0xFF}"


class HostPseudonyms:
    """Consistent aliases for IP addresses and host names (``--redact-hosts``).

    The same address gets the same alias everywhere this object is used (every file of a bundle,
    every format of a report); different addresses get different aliases, so servers stay
    distinguishable. IPv4 addresses become documentation addresses (``192.0.2.1``, ...), IPv6
    ``2001:db8::N``, host names ``host-N.invalid``; ports are kept. Trace ids, which encode the
    IPv4 address and port of the server that made them (``Y<port:ip hex>-<seq>-...``), are
    rewritten to encode the alias, so a trace id still points at "its" (aliased) server.

    Aliases are handed out in order: first the ``known`` addresses sorted (a deterministic
    mapping for a given set of servers), then others as they are met. Applying the pseudonyms
    to text that already holds aliases leaves them alone, and addresses from the alias networks
    are taken as aliases already (a bundle collected with ``--redact-hosts`` keeps its aliases
    when its report is redacted again).

    A version string such as ``4.2.1.0`` looks like an IPv4 address: a dotted quad is left alone
    when it follows a word like ``version``/``build``, or when its first two parts are single
    digits and it is not a known address (no real server sits in 1.0.0.0-9.9.255.255 in practice).
    """

    def __init__(self, known: Iterable[str] = (), hostnames: Iterable[str] = ()):
        self._map: dict[str, str] = {}
        self._issued: set[str] = set()
        self._known: set[str] = set()
        self._hostnames: dict[str, str] = {}
        self._v4 = self._v6 = self._hosts = 0
        self.add_known(known)
        for name in sorted({h for h in hostnames if h}):
            self.alias_host(name)
        self._host_re: re.Pattern | None = None

    # -- building the mapping --------------------------------------------------------------
    def add_known(self, addresses: Iterable[str]) -> None:
        """Register addresses (``ip`` or ``ip:port``) before any text, in sorted order."""
        ips = set()
        for a in addresses:
            ip = server_ip(str(a), strict=False) if a else None
            if ip and _is_ip(ip):
                ips.add(ip)
        for ip in sorted(ips, key=_ip_sort_key):
            self._known.add(ip)
            self.alias_ip(ip)

    def alias_ip(self, ip: str) -> str:
        if ip in self._issued:
            return ip
        alias = self._map.get(ip)
        if alias is None and _is_pseudonym(ip):
            self._issued.add(ip)  # already an alias (a redacted bundle): keep it, never hand it out again
            return ip
        if alias is None:
            if ":" in ip:
                while True:
                    self._v6 += 1
                    alias = f"2001:db8::{self._v6:x}"
                    if alias not in self._issued:
                        break
            else:
                while True:
                    alias = _pseudo_ipv4(self._v4)
                    self._v4 += 1
                    if alias not in self._issued:
                        break
            self._map[ip] = alias
            self._issued.add(alias)
        return alias

    def alias_host(self, name: str) -> str:
        key = name.lower()
        if key in self._issued:
            return name
        alias = self._hostnames.get(key)
        if alias is None:
            self._hosts += 1
            alias = f"host-{self._hosts}.invalid"
            self._hostnames[key] = alias
            self._issued.add(alias)
            self._host_re = None
        return alias

    def mapping(self) -> dict[str, str]:
        """Real → alias, for the person who redacted (never written into what is shared)."""
        return {**self._map, **self._hostnames}

    # -- applying ---------------------------------------------------------------------------
    def apply(self, text: str, counts: Counter | None = None) -> str:
        """Replace every address, host name and trace id in ``text`` by its alias."""
        if not text:
            return text
        counts = counts if counts is not None else Counter()
        if "Y" in text:
            text = _TRACE_ID.sub(lambda m: self._trace(m, counts), text)
        if "=" in text or ":" in text:
            text = _HOST_PARAM.sub(lambda m: self._host_param(m, counts), text)
        if "." in text:
            text = _IPV4.sub(lambda m: self._ipv4(m, counts), text)
        if "::" in text or text.count(":") >= 7:
            text = _IPV6.sub(lambda m: self._ipv6(m, counts), text)
        if self._hostnames:
            text = self._known_hosts_re().sub(lambda m: self._named_host(m, counts), text)
        return text

    def _trace(self, m: re.Match, counts: Counter) -> str:
        value = int(m.group("head"), 16)
        ip_int, port = value & 0xFFFFFFFF, (value >> 32) & 0xFFFF
        if ip_int == 0:
            return m.group(0)
        ip = str(ipaddress.IPv4Address(ip_int))
        if ip in self._issued:
            return m.group(0)
        alias = int(ipaddress.IPv4Address(self.alias_ip(ip)))
        counts["trace_id"] += 1
        return f"Y{(value & ~0xFFFFFFFFFFFF) | (port << 32) | alias:X}-{m.group('rest')}"

    def _host_param(self, m: re.Match, counts: Counter) -> str:
        value = m.group("value")
        if _is_ip(value) or value.lower() in self._issued or not re.search(r"[A-Za-z]", value):
            return m.group(0)  # an IP is handled by the address pass
        counts["hostname"] += 1
        return f"{m.group('key')}{m.group('sep')}{self.alias_host(value)}"

    def _ipv4(self, m: re.Match, counts: Counter) -> str:
        ip = m.group("ip")
        if ip in self._issued:
            return m.group(0)
        if ip not in self._map and not m.group("port"):
            first, second = ip.split(".")[:2]
            before = m.string[max(0, m.start() - 12):m.start()]
            if _VERSION_CONTEXT.search(before) or (len(first) == 1 and len(second) == 1) or ip == "0.0.0.0":
                return m.group(0)
        counts["ip"] += 1
        return self.alias_ip(ip) + (m.group("port") or "")

    def _ipv6(self, m: re.Match, counts: Counter) -> str:
        ip = m.group("ip")
        if ip in self._issued or not _is_ip(ip):
            return m.group(0)
        counts["ip"] += 1
        return self.alias_ip(ip)

    def _known_hosts_re(self) -> re.Pattern:
        if self._host_re is None:
            names = sorted(self._hostnames, key=len, reverse=True)
            self._host_re = re.compile(r"(?i)(?<![\w.-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-]|\.\w)")
        return self._host_re

    def _named_host(self, m: re.Match, counts: Counter) -> str:
        counts["hostname"] += 1
        return self._hostnames[m.group(1).lower()]


_PSEUDONYM_NETS = tuple(ipaddress.ip_network(n) for n in
                        ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15", "2001:db8::/32"))


def _is_pseudonym(ip: str) -> bool:
    """Addresses of the documentation/benchmark networks the aliases come from."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr.version == net.version and addr in net for net in _PSEUDONYM_NETS)




def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _ip_sort_key(ip: str):
    addr = ipaddress.ip_address(ip)
    return (addr.version, int(addr))


class RedactingWriter:
    """A text stream whose every write is masked first: for a command that echoes what it was
    given (``explain`` quotes a pasted error), so no path to its output forgets the mask. A
    write is one whole piece of text (a secret is not split across two writes)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact_text(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
