""""Now" against the evidence (red team): a bundle's ``collected_at`` is the cluster's clock when
it was collected. When it is behind the evidence (a server's clock skewed back, a manifest
written by hand), a row started "after now" has no age: no report may say a job ran for a
negative time, nor call a job 'not yet stuck' from one. Every example is tried with its
collection time moved back a day."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
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


def _copy(example: str, tmp_path: Path) -> tuple[Path, Callable[[], None]]:
    """A copy of ``example`` and the call that moves its collection time a day back."""
    bundle = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, bundle)
    manifest = bundle / "manifest.toml"
    text = manifest.read_text()
    m = re.search(r"collected_at = (\S+)", text)
    if not m:
        pytest.skip("no collected_at")
    earlier = datetime.fromisoformat(m[1]) - timedelta(days=1)
    return bundle, lambda: manifest.write_text(text.replace(m[0], f"collected_at = {earlier.isoformat()}"))


@pytest.mark.parametrize("example", EXAMPLES)
def test_now_a_day_before_the_evidence_gives_no_negative_age(example: str, tmp_path: Path) -> None:
    bundle, move = _copy(example, tmp_path)
    move()
    with Bundle(bundle) as b:
        report = diagnose(Evidence(b))
    text = render(report)
    bad = [line for line in text.splitlines() if NEGATIVE.search(line)]
    assert not bad, bad


def test_a_check_is_not_ok_from_an_age_measured_after_now(tmp_path: Path) -> None:
    """``obdoctor check`` on archive-lagging (tenant 1002 archive 3 h behind: CRITICAL) with the
    collection time a day before the checkpoint: the lag cannot be told, so the check is UNKNOWN,
    not OK with 'checkpoint 0 seconds behind'."""
    from obdoctor.check.runner import run_checks

    bundle = tmp_path / "b"
    shutil.copytree(ROOT / "examples" / "archive-lagging", bundle)
    manifest = bundle / "manifest.toml"
    manifest.write_text(manifest.read_text().replace("collected_at = 2024-07-01T15:00:00", "collected_at = 2024-06-30T15:00:00"))
    with Bundle(bundle) as b:
        report = run_checks(Evidence(b))
    archive = {r.tenant_id: r for r in report.results if r.check == "log_archive"}
    assert archive[1002].status.value == "unknown", archive[1002].summary
    assert "after the collection time" in archive[1002].summary and "0 seconds" not in archive[1002].summary


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_check_with_now_a_day_early_is_never_better_nor_a_crash(example: str, tmp_path: Path) -> None:
    """The same move of "now" for ``obdoctor check``: no check fails on a missing age (it did:
    TypeError comparing None), and none turns OK from WARNING or CRITICAL (a clean job started
    'after now' was no longer stuck)."""
    from obdoctor.check.runner import run_checks

    bundle, move = _copy(example, tmp_path)
    with Bundle(bundle) as b:
        before = {(r.check, r.tenant_id): r.status.value for r in run_checks(Evidence(b)).results}
    move()
    with Bundle(bundle) as b:
        after = run_checks(Evidence(b)).results
    assert not [r.summary for r in after if "a bug in obdoctor" in r.summary]
    assert not [(r.check, r.tenant_id, before[(r.check, r.tenant_id)], r.summary) for r in after
                if r.status.value == "ok" and before.get((r.check, r.tenant_id)) in ("warning", "critical")]
