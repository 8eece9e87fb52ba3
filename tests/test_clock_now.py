""""Now" against the evidence (red team): a bundle's ``collected_at`` is the cluster's clock when
it was collected. When it is behind the evidence (a server's clock skewed back, a manifest
written by hand), a row started "after now" has no age: no report may say a job ran for a
negative time, nor call a job 'not yet stuck' from one. Every example is tried with its
collection time moved back a day."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from obdoctor.engine import diagnose
from obdoctor.evidence import Evidence
from obdoctor.evidence.clock import elapsed
from obdoctor.report.markdown import render
from obdoctor.sources.bundle import Bundle

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "manifest.toml").is_file())
NEGATIVE = re.compile(r"-\d+(?:\.\d+)?\s*(?:h\b|hours?|min|minutes?|m\d|s\b)|for -|\(\?\s*before")


def test_elapsed() -> None:
    now = datetime(2023, 9, 26, 15)
    assert elapsed(now, datetime(2023, 9, 26, 13)) == timedelta(hours=2)
    assert elapsed(now, datetime(2023, 9, 26, 15, 2)) == timedelta(0)  # two servers' clocks differ a little
    assert elapsed(now, datetime(2023, 9, 26, 18)) is None  # after "now": cannot be told
    assert elapsed(None, now) is None and elapsed(now, None) is None


@pytest.mark.parametrize("example", EXAMPLES)
def test_now_a_day_before_the_evidence_gives_no_negative_age(example: str, tmp_path: Path) -> None:
    bundle = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, bundle)
    manifest = bundle / "manifest.toml"
    text = manifest.read_text()
    m = re.search(r"collected_at = (\S+)", text)
    if not m:
        pytest.skip("no collected_at")
    earlier = datetime.fromisoformat(m[1]) - timedelta(days=1)
    manifest.write_text(text.replace(m[0], f"collected_at = {earlier.isoformat()}"))
    with Bundle(bundle) as b:
        report = diagnose(Evidence(b))
    text = render(report)
    bad = [line for line in text.splitlines() if NEGATIVE.search(line)]
    assert not bad, bad
