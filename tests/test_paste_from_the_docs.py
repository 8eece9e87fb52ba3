"""Outside input: the FAILED job that OceanBase's own troubleshooting page (data backup failed,
V4.3.3, English and Chinese, in ../shared/reference/docs) prints, pasted as a DBA copies it: with
the prompt line, with or without the ``*** 1. row ***`` line, CRLF. Its quirks are the page's,
not ours: RESULT printed positive (4016), END before START, ``COMMENT:(server)`` with no space,
a fullwidth comma in the Chinese page, a masked address (``11.xx.xx.xx``)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from obdoctor.cli.environment import Environment
from obdoctor.cli.main import main

DOCS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "docs"
PROMPT = "obclient [oceanbase]> SELECT * FROM oceanbase.CDB_OB_BACKUP_JOB_HISTORY WHERE STATUS = 'FAILED'\\G"


def _record(lang: str) -> list[str]:
    page = DOCS / f"data-backup-failed.v4.3.3.{lang}.md"
    if not page.is_file():
        pytest.skip("reference pages not beside the repository")
    lines = page.read_text(encoding="utf-8").splitlines()
    head = next(i for i, l in enumerate(lines) if re.match(r"^\*+ 1\. row \*+$", l.strip())
                and any("STATUS: FAILED" in x for x in lines[i:i + 20]))
    end = next(i for i in range(head, len(lines)) if "row in set" in lines[i])
    return lines[head:end + 1]


def _analyze(paste: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, env={}, color=False, stdin=io.StringIO(paste))
    code = main(["analyze", "-", "--format", "json"], env)
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("row_head", [True, False], ids=["as printed", "copied from the first field"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_the_documented_failed_job_is_diagnosed_from_a_paste(lang: str, row_head: bool, newline: str) -> None:
    record = _record(lang)
    paste = newline.join([PROMPT, *(record if row_head else record[1:])]) + newline
    code, report = _analyze(paste)
    assert code == 3, report["headline"]  # a failure found; -4016 without its line names no cause
    (finding,) = report["findings"]
    assert (finding["tenant_id"], finding["job_id"], finding["code"]) == (1004, 8, -4016)
    assert finding["trace_ids"] == ["YFA40BA2D90B-005FA487348F363-0-0"]
    assert finding["servers"] == ["11.xx.xx.xx"]  # the COMMENT's addr, as the page masks it; never a path
    assert finding["verdict"] == "unknown"  # no log line of the failure is in the paste


def test_the_same_fields_without_a_statement_are_not_guessed() -> None:
    """Jobs and job history have the same columns: with no SELECT line the paste cannot say which,
    and obdoctor says so (exit 3) instead of picking one."""
    code, report = _analyze("\n".join(_record("en")[1:]) + "\n")
    assert code == 3 and not report["findings"]
    assert any("keep the SELECT line" in n for n in report["source"]["notes"])
