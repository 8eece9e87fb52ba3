"""The Prometheus text exposition format's two small grammars, labels and numbers, shared by
``watch --prometheus`` and ``check --format prometheus`` (it imports nothing of obdoctor, so
both layers can use it)."""

from __future__ import annotations


def labels(**values) -> str:
    """``{key="value",...}`` with backslash, quote and newline escaped as the format requires."""
    parts = []
    for key, value in values.items():
        text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        parts.append(f'{key}="{text}"')
    return "{" + ",".join(parts) + "}"


def number(value: float) -> str:
    """A sample value: booleans as 1/0, whole numbers without a decimal point."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))
