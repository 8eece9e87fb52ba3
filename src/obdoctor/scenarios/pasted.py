"""The pasted forms of a scenario: the same evidence as a DBA hands it over, not as ``collect`` lays it out.

From a built scenario bundle (``sql/<VIEW>.*``, ``logs/<ip>/``, ``manifest.toml``) three forms
are written, each view in a rotating table shape (``SHAPES``):

* ``flat/``: one file per query, named as a DBA names it (``job_history.txt``), logs named
  ``<ip>-observer.log`` in the same folder, the version and moment in ``version.txt``;
* ``session/``: every query of the session in one ``session.txt`` (obclient prompts), logs beside it;
* ``stdin.txt``: one paste holding every query output and every log line.

The corpus (which scenarios, ``scenarios/pasted-forms.toml``) is declared once; its verdicts must
equal the pinned bundle's (tests/test_pasted_corpus.py).
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from obdoctor.scenarios import render_sql
from obdoctor.sources.bundle import decode_text
from obdoctor.sources.sqltext import parse_by_extension

SHAPES = ("table", "tab", "vertical", "pipe", "csv", "pipe-rule", "silent", "csv-bare")
PROMPTS = ("obclient [oceanbase]> ", "MySQL [oceanbase]> ", "mysql> ")


def render(shape: str, columns: list[str], rows: list[dict]) -> str:
    """Rows as one of the shapes a DBA pastes (``SHAPES``)."""
    if shape in ("table", "vertical"):
        return render_sql.render(shape, columns, rows)[1]
    if shape == "tab":
        return render_sql.delimited(columns, rows, "\t")
    if shape == "silent":  # mysql -s: no header
        return render_sql.delimited(columns, rows, "\t").split("\n", 1)[1]
    if shape == "csv":
        return render_sql.delimited(columns, rows, ",")
    if shape == "csv-bare":
        return render_sql.delimited(columns, rows, ",").split("\n", 1)[1]
    if shape in ("pipe", "pipe-rule"):
        def line(cells):
            return "| " + " | ".join(cells) + " |"
        out = [line(columns)]
        if shape == "pipe-rule":
            out.append("|" + "|".join("---" for _ in columns) + "|")
        out += [line([render_sql._text(r.get(c)) for c in columns]) for r in rows]
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown shape {shape}")


def statement(view: str, columns: list[str], shape: str) -> str:
    """The echoed statement: ``*`` unless the shape has no header (the select list then names the columns)."""
    listed = ", ".join(columns) if shape in ("silent", "csv-bare") else "*"
    end = "\\G" if shape == "vertical" else ";"
    return f"SELECT {listed} FROM oceanbase.{view}{end}"


def dba_name(view: str) -> str:
    """``CDB_OB_BACKUP_JOB_HISTORY`` -> ``backup_job_history.txt`` (what a person calls the file)."""
    name = view.lower()
    for prefix in ("cdb_ob_", "dba_ob_", "gv$ob_", "v$ob_", "__all_virtual_", "__all_"):
        name = name.removeprefix(prefix)
    return f"{name}.txt"


def _views(bundle: Path) -> list[tuple[str, list[str], list[dict]]]:
    out = []
    for file in sorted((bundle / "sql").iterdir()):
        text, _ = decode_text(file.read_bytes())
        rows, _ = parse_by_extension(text, file.suffix[1:])
        columns = list(dict.fromkeys(k for _, r in rows for k in r))
        out.append((file.stem, columns, [r for _, r in rows]))
    return out


def _facts(bundle: Path) -> str:
    """``SELECT version(), now()`` as obclient prints it: what the manifest says of version and moment."""
    manifest = tomllib.loads((bundle / "manifest.toml").read_text(encoding="utf-8"))
    cluster = manifest.get("cluster", {})
    values = {}
    if cluster.get("version"):
        values["version()"] = f"5.7.25-OceanBase-v{cluster['version']}"
    if cluster.get("collected_at"):
        values["now()"] = str(cluster["collected_at"]).replace("T", " ")
    if cluster.get("dba_tenant_id"):
        values["effective_tenant_id()"] = str(cluster["dba_tenant_id"])
    if not values:
        return ""
    return f"{PROMPTS[0]}SELECT {', '.join(values)};\n" + render_sql.table(list(values), [values])


def _logs(bundle: Path) -> list[tuple[str, Path]]:
    logs = bundle / "logs"
    if not logs.is_dir():
        return []
    return [(server.name, f) for server in sorted(logs.iterdir()) if server.is_dir()
            for f in sorted(server.rglob("*")) if f.is_file()]


def write_forms(bundle: Path, out: Path, *, rotate: int = 0) -> dict[str, Path]:
    """Write the three forms of ``bundle`` under ``out``; ``rotate`` shifts which shape each view takes."""
    out.mkdir(parents=True, exist_ok=True)
    facts = _facts(bundle)
    queries = []
    for i, (view, columns, rows) in enumerate(_views(bundle)):
        shape = SHAPES[(i + rotate) % len(SHAPES)]
        if shape in ("silent", "csv-bare") and not rows:
            shape = "table"  # an empty result prints no rows to match: keep "Empty set"
        prompt = PROMPTS[i % len(PROMPTS)]
        output = render(shape, columns, rows) if rows or columns else "Empty set (0.01 sec)\n"
        queries.append((view, f"{prompt}{statement(view, columns, shape)}\n{output}\n"))
    flat, session = out / "flat", out / "session"
    for folder in (flat, session):
        folder.mkdir(exist_ok=True)
        for server, log in _logs(bundle):
            shutil.copyfile(log, folder / f"{server}-{log.name}")
    for view, text in queries:
        (flat / dba_name(view)).write_text(text, encoding="utf-8")
    if facts:
        (flat / "version.txt").write_text(facts, encoding="utf-8")
    (session / "session.txt").write_text(facts + "".join(t for _, t in queries) + "Bye\n", encoding="utf-8")
    paste = facts + "".join(t for _, t in queries)
    for server, log in _logs(bundle):  # as a terminal shows them: a shell prompt on the server, then the lines
        if not log.name.endswith((".gz", ".zst")):
            paste += f"[admin@{server} log]$ cat {log.name}\n" + decode_text(log.read_bytes())[0]
    (out / "stdin.txt").write_text(paste, encoding="utf-8")
    return {"flat": flat, "session": session, "stdin": out / "stdin.txt"}
