"""The pasted forms of a scenario: the same evidence as a DBA hands it over, not as ``collect`` lays it out.

From a scenario (the rows and log lines its bundle holds) three forms are written, each view
in a rotating table shape (``SHAPES``):

* ``flat/``: one file per query, named as a DBA names it (``job_history.txt``), logs named
  ``<ip>-observer.log`` in the same folder, the version and moment in ``version.txt``
  (what the bundle's manifest says);
* ``session/``: every query of the session in one ``session.txt`` (obclient prompts), logs beside it;
* ``stdin.txt``: one paste holding every query output and every log line.

The corpus (which scenarios, ``scenarios/pasted/corpus.toml``) is declared once; its verdicts must
equal the pinned bundle's (tests/test_pasted_corpus.py).
"""

from __future__ import annotations

from pathlib import Path

from obdoctor.scenarios import render_sql
from obdoctor.scenarios.generator import log_text, sql_rows, write_log
from obdoctor.scenarios.model import Scenario

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


def _facts(scenario: Scenario) -> str:
    """``SELECT version(), now(), effective_tenant_id()`` as obclient prints it: what the pinned
    bundle's manifest says of the version, the moment and the DBA_ views' tenant."""
    values = {"version()": f"5.7.25-OceanBase-v{scenario.version}",
              "now()": scenario.collected_at.isoformat(sep=" ")}
    if scenario.dba_tenant_id is not None:
        values["effective_tenant_id()"] = str(scenario.dba_tenant_id)
    return f"{PROMPTS[0]}SELECT {', '.join(values)};\n" + render_sql.table(list(values), [values])


def write_forms(scenario: Scenario, out: Path, *, rotate: int = 0) -> dict[str, Path]:
    """Write the three forms of ``scenario`` under ``out``; ``rotate`` shifts which shape each view takes."""
    out.mkdir(parents=True, exist_ok=True)
    facts = _facts(scenario)
    queries = []
    for i, table in enumerate(sorted(scenario.sql, key=lambda t: t.view)):
        columns, rows = sql_rows(scenario, table.view, table.rows)
        shape = SHAPES[(i + rotate) % len(SHAPES)]
        prompt = PROMPTS[i % len(PROMPTS)]
        output = render(shape, columns, rows) if rows else "Empty set (0.01 sec)\n"  # what the client prints
        queries.append((table.view, f"{prompt}{statement(table.view, columns, shape)}\n{output}\n"))
    logs = [(spec, log_text(spec, scenario, index)) for index, spec in enumerate(scenario.logs)]
    flat, session = out / "flat", out / "session"
    for folder in (flat, session):
        folder.mkdir(exist_ok=True)
        for spec, text in logs:
            write_log(folder / f"{spec.server}-{spec.file_name}", text, spec.compress)
    for view, text in queries:
        (flat / dba_name(view)).write_text(text, encoding="utf-8")
    (flat / "version.txt").write_text(facts, encoding="utf-8")
    (session / "session.txt").write_text(facts + "".join(t for _, t in queries) + "Bye\n", encoding="utf-8")
    paste = facts + "".join(t for _, t in queries)
    for spec, text in logs:  # as a terminal shows them: a shell prompt on the server, then the lines
        name = spec.file_name.removesuffix(f".{spec.compress}") if spec.compress else spec.file_name
        paste += f"[admin@{spec.server} log]$ cat {name}\n{text}"
    (out / "stdin.txt").write_text(paste, encoding="utf-8")
    return {"flat": flat, "session": session, "stdin": out / "stdin.txt"}
