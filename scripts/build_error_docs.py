#!/usr/bin/env python3
"""Build ``src/obdoctor/data/error_docs.toml`` from OceanBase's 9000-9499 error code pages.

Why a script and a committed data file: the pages (English and Chinese, in the shared
reference directory) are Markdown written for people; obdoctor needs each code's cause,
solution, version note and case links as data, and must not need the reference directory at
run time. Re-run after the pages change:

    .venv/bin/python scripts/build_error_docs.py [REFERENCE_DOCS_DIR]

REFERENCE_DOCS_DIR defaults to ``../shared/reference/docs`` next to the repository.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "obdoctor" / "data" / "error_docs.toml"
DEFAULT_DOCS = ROOT.parent / "shared" / "reference" / "docs"
SOURCES = {"en": "error-codes-9000-9499.en.md", "zh": "error-codes-9000-9499.zh.md"}

_HEADER = re.compile(r"^(?:#+\s*)?ERROR\s+(\d{4,5})\s*\(([0-9A-Z]{5})\)\s*:\s*(.*?)\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_TAG = re.compile(r"<[^>]+>")
_CAUSE = ("* Cause:", "* Causes:", "* 错误原因：", "* 错误原因:", "* 可能原因：")
_SOLUTION = ("* Solution:", "* Solutions:", "* 解决方式：", "* 解决方式:", "* 解决方法：")
_SKIP = ("* Error code in OceanBase Database", "* OceanBase 错误码", "* OceanBase错误码")


def _clean(text: str) -> str:
    text = _TAG.sub("", text).replace("\\'", "'").replace("`", "")
    return re.sub(r"\s+", " ", text).strip()


def _items(lines: list[str]) -> list[str]:
    """A field's text: the inline part and any nested list items, one entry per item."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        item = re.sub(r"^(?:[*-]|\d+\.)\s+", "", stripped)
        if item != stripped or not out:
            out.append(_clean(item))
        else:
            out[-1] = f"{out[-1]} {_clean(stripped)}"
    return [i for i in out if i]


def _sections(text: str) -> list[tuple[int, str, str, list[str]]]:
    lines = text.splitlines()
    heads = [(i, _HEADER.match(l)) for i, l in enumerate(lines)]
    heads = [(i, m) for i, m in heads if m]
    out = []
    for n, (i, m) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        out.append((int(m.group(1)), m.group(2), _clean(m.group(3)), lines[i + 1:end]))
    return out


def parse(text: str) -> dict[int, dict]:
    """Code -> {message, sqlstate, cause[], solution[], note, cases[]} of one language's page."""
    docs: dict[int, dict] = {}
    for number, sqlstate, title, body in _sections(text):
        entry: dict = {"message": title, "sqlstate": sqlstate, "cause": [], "solution": [], "cases": []}
        field: str | None = None
        buffer: dict[str, list[str]] = {"cause": [], "solution": []}
        in_note = False
        note: list[str] = []
        for raw in body:
            line = raw.rstrip()
            stripped = line.strip()
            if re.match(r"^-{3,}$|^={3,}$", stripped):
                continue
            if stripped.startswith("<main"):
                in_note, field = True, None
                continue
            if in_note:
                if stripped.startswith("</main>"):
                    in_note = False
                elif not stripped.startswith("<h4>"):
                    note.append(stripped)
                continue
            for link_title, url in _LINK.findall(line):
                entry["cases"].append({"title": _clean(link_title), "url": url})
            if _LINK.search(line) or stripped.startswith(("<!--", "-->", "相关问题案例", "Cases:")):
                field = None
                continue
            if stripped.startswith(_SKIP):
                field = None
                continue
            head = next((p for p in _CAUSE if stripped.startswith(p)), None)
            if head:
                field = "cause"
                buffer[field].append(stripped[len(head):])
                continue
            head = next((p for p in _SOLUTION if stripped.startswith(p)), None)
            if head:
                field = "solution"
                buffer[field].append(stripped[len(head):])
                continue
            if field and (raw.startswith((" ", "\t")) or not stripped):
                buffer[field].append(line)
            elif stripped:
                field = None
        entry["cause"] = _items(buffer["cause"])
        entry["solution"] = _items(buffer["solution"])
        text_note = _clean(" ".join(note))
        if text_note:
            entry["note"] = text_note
            since = (re.search(r"introduced since\s*(?:OceanBase Database\s*)?V?(\d+\.\d+\.\d+)", text_note)
                     or re.search(r"从\s*V?(\d+\.\d+\.\d+)\s*版本开始引入", text_note))
            if since:
                entry["since"] = since.group(1)
        docs[-number] = entry
    return docs


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render(en: dict[int, dict], zh: dict[int, dict]) -> str:
    out = [
        "# GENERATED by scripts/build_error_docs.py from OceanBase's 9000-9499 error code pages",
        "# (English and Chinese, V4.3.3 documentation). Do not edit by hand: re-run the script.",
        "# Key: the code as OceanBase returns it internally (negative).",
        "",
    ]
    for code in sorted(set(en) | set(zh), reverse=True):
        e, z = en.get(code, {}), zh.get(code, {})
        out.append(f'["{code}"]')
        out.append(f"message = {_toml_str(e.get('message') or z.get('message', ''))}")
        for key in ("cause", "solution"):
            out.append(f"{key} = [{', '.join(_toml_str(s) for s in e.get(key, []))}]")
        for key in ("cause", "solution"):
            out.append(f"{key}_zh = [{', '.join(_toml_str(s) for s in z.get(key, []))}]")
        since = e.get("since") or z.get("since")
        if since:
            out.append(f"since = {_toml_str(since)}")
        if e.get("note"):
            out.append(f"note = {_toml_str(e['note'])}")
        cases = e.get("cases") or z.get("cases") or []
        if cases:
            out.append("cases = [" + ", ".join(
                f"{{ title = {_toml_str(c['title'])}, url = {_toml_str(c['url'])} }}" for c in cases) + "]")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    docs_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DOCS
    parsed = {}
    for lang, name in SOURCES.items():
        path = docs_dir / name
        if not path.is_file():
            print(f"missing {path}", file=sys.stderr)
            return 2
        parsed[lang] = parse(path.read_text(encoding="utf-8"))
    OUT.write_text(render(parsed["en"], parsed["zh"]), encoding="utf-8")
    with_cause = sum(1 for d in parsed["en"].values() if d["cause"])
    print(f"{OUT.relative_to(ROOT)}: {len(set(parsed['en']) | set(parsed['zh']))} codes "
          f"({len(parsed['en'])} en, {len(parsed['zh'])} zh, {with_cause} with an English cause)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
