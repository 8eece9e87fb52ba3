"""The Markdown report: the order a support engineer reads, and text that survives pasting."""

from __future__ import annotations

import re

from obdoctor.report import markdown
from tests.report.helpers import cited_line
from tests.report.test_redaction import planted_report


def test_sections_in_reading_order() -> None:
    text = markdown.render(planted_report())
    order = ["\n## Verdict", "\n## 1. CONFIRMED", "\n### Evidence", "\n### Next steps", "\n### Could not check",
             "\n## Also checked", "\n## Could not check", "\n## Sources read"]
    positions = [text.index(h) for h in order]
    assert positions == sorted(positions), positions


def test_rows_are_tables_and_lines_are_fenced_with_their_origin() -> None:
    text = markdown.render(planted_report())
    assert re.search(r"^   \| job_id \| PASSWD \| PATH \| start \|$", text, re.M)
    assert "| 1 | \\*\\*\\* |" in text  # PASSWD masked, and the mask is not read as emphasis
    assert "server `10.9.8.7` · file `observer.log` · line 12" in text
    block = re.search(r"```text\n(.*?)\n   ```", text, re.S)
    assert block and "WDIAG [STORAGE]" in block.group(1)


def test_backticks_in_a_log_line_do_not_break_the_fence() -> None:
    report = planted_report()
    lines = report.findings[0].evidence[2].lines
    lines[0] = cited_line("[2023-09-26 14:37:36.700100] INFO x ``` not the end", lines[0].provenance)
    text = markdown.render(report)
    assert "   ````text\n   [2023-09-26 14:37:36.700100] INFO x ``` not the end\n   ````" in text


def test_table_cells_escape_pipes_and_newlines() -> None:
    report = planted_report()
    report.findings[0].evidence[0].rows[0].cells["comment"] = "a | b\nc"
    text = markdown.render(report)
    assert "a \\| b c" in text
