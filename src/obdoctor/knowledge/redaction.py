"""Remove secrets from text before it reaches a report, a log or a bundle.

Backup destinations carry credentials in their query string
(``oss://bucket/p?host=...&access_id=AK&access_key=SK``); job rows carry PASSWD.
"""

from __future__ import annotations

import re

SECRET_KEYS = ("access_id", "access_key", "encrypt_key", "sts_token", "secret_key", "secret_access_key",
               "password", "passwd", "token", "appid", "app_id", "role_arn", "external_id", "checksum_key")
_SECRET_PARAM = re.compile(r"(?i)\b(" + "|".join(SECRET_KEYS) + r")=([^&\s'\",)]*)")
SECRET_COLUMNS = {"PASSWD", "PASSWORD", "ENCRYPT_KEY"}
MASK = "***"


def redact_text(text: str) -> str:
    """Mask ``key=value`` credentials (URI query parameters and log key/values)."""
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={MASK}" if m.group(2) else m.group(0), text)


def redact_value(column: str, value):
    if value is None:
        return None
    if column.upper() in SECRET_COLUMNS and str(value) != "":
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    return value
