"""Issue 15 item 6, version currency: every status and stage name that some version from 4.0 to the
newest writes (reference ob_enums.md, the restore views' pages) is one the catalogue knows
(``catalog.statuses``), and the rules' and checks' own tables cover the archive round's. Reads
the shared reference beside the repository; skipped where it is not there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from obdoctor.catalog import statuses
from obdoctor.catalog.data_files import data_toml

ROOT = Path(__file__).resolve().parents[2]
_CANDIDATES = [p / "shared" / "reference" for p in (ROOT.parent, ROOT.parent.parent)]
REFERENCE = next((p for p in _CANDIDATES if (p / "ob_enums.md").is_file()), None)
pytestmark = pytest.mark.skipif(REFERENCE is None, reason="needs ../shared/reference beside the repository")
_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b(?:INIT|DOING|COMPLETED|FAILED|CANCELING|CANCELED|PENDING|FINISH"
                   r"|INVALID|PREPARE|BEGINNING|INTERRUPTED|STOPPING|STOP|SUSPENDING|SUSPEND|RESTORING|SUCCESS)\b")


def _section(number: int) -> str:
    text = (REFERENCE / "ob_enums.md").read_text(encoding="utf-8")
    m = re.search(rf"^## {number}\. .*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert m, f"ob_enums.md has no section {number}"
    return m.group(0)


def _names(text: str) -> set[str]:
    return set(_NAME.findall(text.replace("**", "")))


def _job_stage_lines() -> str:
    """The version table rows and the walks of section 1 (not its prose about functions)."""
    body = _section(1)
    rows = [l.split("|")[2] for l in body.splitlines() if l.startswith("| 4.") or l.startswith("| later")]
    walks = [l for l in body.splitlines() if "→" in l and l.strip().startswith("* 4.")]
    return "\n".join(rows + walks)


def test_every_job_and_set_task_stage_of_every_version_is_known() -> None:
    names = _names(_job_stage_lines()) - {"ARCHIVELOG"}
    for required in ("BACKUP_SYS_DATA", "BACKUP_USER_DATA", "BACKUP_FUSE_TABLET_META", "PREPARE_BACKUP_LOG",
                     "BEFORE_BACKUP_LOG", "BACKUP_META_FINISH", "BACKUP_DATA_MINOR"):
        assert required in names, f"the walk of ob_enums.md section 1 no longer names {required}"
    missing = names - set(statuses.KNOWN_STAGES) - set(statuses.TERMINAL)
    assert not missing, f"stages no rule knows: {sorted(missing)}"


def test_every_ls_task_and_clean_status_is_known() -> None:
    ls = _names(re.search(r"Values \(all versions.*?\*\*(.*?)\*\*", _section(2)).group(1))
    assert ls == set(statuses.LS_TASK_STATUSES)
    clean = _names(re.search(r"STATUS \(line \d+\): (.*)", _section(7)).group(1))
    assert clean == set(statuses.CLEAN_STATUSES)


def test_every_archive_round_status_is_known_and_handled() -> None:
    lists = [l for l in _section(8).splitlines() if l.startswith("* 4.")]
    names = set().union(*(_names(l.split(":", 1)[1]) for l in lists))
    assert {"SUSPEND", "SUSPENDING"} <= names
    assert names == set(statuses.ARCHIVE_ROUND_STATUSES)
    rules = data_toml("beyond_runbook.toml")["archive"]
    handled = {"DOING", "INTERRUPTED"} | set(rules["transition_states"]) | set(rules["stopped_states"])
    assert names <= handled, f"archive rule does not handle {sorted(names - handled)}"
    check = tomllib.loads((ROOT / "src" / "obdoctor" / "data" / "check.toml").read_text(encoding="utf-8"))["log_archive"]
    unmapped = names - set(check["status"])
    assert unmapped <= {"INVALID"}, f"check log_archive has no status for {sorted(unmapped)}"
    assert check["unknown_status"] in ("warning", "critical")  # INVALID is said, not taken for healthy


def test_schedule_task_types_in_order() -> None:
    m = re.search(r"`__all_virtual_backup_schedule_task.type`.*?\n\s*(0 .*?)\.\n", _section(6), re.DOTALL)
    found = re.findall(r"(\d) ([A-Z_]+)", m.group(1))
    assert [(int(n), name) for n, name in found] == list(enumerate(statuses.SCHEDULE_JOB_TYPES))
    assert statuses.schedule_job_type(1) == statuses.VALIDATE_JOB == "VALIDATE_JOB"
    assert statuses.schedule_job_type(9) == "type 9" and statuses.schedule_job_type(None) is None


def test_every_restore_status_of_the_views_is_known() -> None:
    progress = (REFERENCE / "views" / "cdb_ob_restore_progress.md").read_text(encoding="utf-8")
    row = next(l for l in progress.splitlines() if l.startswith("| STATUS "))
    names = set(re.findall(r"`([A-Z_]+)`", row)) - {"sys"}
    assert {"RESTORE_WAIT_LS", "WAIT_TENANT_RESTORE_FINISH", "RESTORE_FAIL"} <= names
    assert names <= set(statuses.RESTORE_PROGRESS_STATUSES), sorted(names - set(statuses.RESTORE_PROGRESS_STATUSES))
    history = (REFERENCE / "views" / "cdb_ob_restore_history.md").read_text(encoding="utf-8")
    row = next(l for l in history.splitlines() if l.startswith("| STATUS "))
    assert set(re.findall(r"`([A-Z_]+)`", row)) == set(statuses.RESTORE_HISTORY_STATUSES)
    doc = (REFERENCE / "docs" / "physical-restore-failed.v4.3.3.en.md").read_text(encoding="utf-8")
    assert "`RESTORING`" in doc and "RESTORING" in statuses.RESTORE_PROGRESS_STATUSES
