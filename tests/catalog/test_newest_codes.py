"""Issue 15 item 6: the newest codes of ob_errno.tsv (rows only the newest source has: oceanbase
@1af450cb and seekdb 2025-11) in the object-storage, shared-storage and backup/restore families are
explained by ``explain`` with a meaning, not only their message; their retry behaviour follows
the newest source (ob_enums.md section 2)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from obdoctor.catalog import errors
from obdoctor.catalog.data_files import data_text

_FAMILIES = re.compile(r"OBJECT_STORAGE|OBJECT_NOT_EXIST|_SS_|_S2_|BACKUP|RESTORE|ARCHIVE|KMS")


def _newest() -> list[tuple[int, str]]:
    rows = csv.DictReader(io.StringIO(data_text("ob_errno.tsv")), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [(int(r["code"]), r["name"]) for r in rows
            if "seekdb" in (r["source"] or "") and _FAMILIES.search(r["name"]) and -9999 <= int(r["code"]) <= -9000]


def test_the_families_have_newest_codes() -> None:
    names = {n for _, n in _newest()}
    assert {"OB_OBJECT_STORAGE_OBJECT_LOCKED_BY_WORM", "OB_SS_MICRO_CACHE_DISABLED", "OB_NO_LS_REPLICA_CAN_DO_BACKUP"} <= names


@pytest.mark.parametrize(("code", "name"), _newest())
def test_every_newest_code_is_explained(code: int, name: str, run_cli) -> None:
    result = run_cli("explain", str(code))
    assert result.code == 0, result.err
    assert result.out.startswith(f"{code} {name}\n")
    assert "in this context:" in result.out and "    meaning:" in result.out, result.out
    assert "the code is newer" in result.out  # not "only 9000-9499 are documented": it is in that range


@pytest.mark.parametrize("code", [-9120, -9136, -9140, -9142])
def test_codes_only_the_newest_source_has_are_not_retried(code: int, run_cli) -> None:
    assert errors.is_retried_by_backup(code) is False
    assert "not retried" in run_cli("explain", str(code)).out


def test_a_code_4x_retries_but_the_newest_source_does_not(run_cli) -> None:
    assert errors.is_retried_by_backup(-4070) and errors.not_retried_by_newest(-4070)
    assert "retried by 4.x releases up to 4.3.5; not by the newest source" in run_cli("explain", "-4070").out
    assert not errors.not_retried_by_newest(-4012)


def test_shared_storage_codes_are_not_sent_to_the_destination_diagnosis(run_cli) -> None:
    out = run_cli("explain", "-9125").out
    assert "shared-storage-cache" in out and "dest_unreachable" not in out
