"""Decoding the detail an object storage catch-all error carries."""

from __future__ import annotations

import pytest

from obdoctor.catalog import storage_errors


@pytest.mark.parametrize("line, kind, code, cause", [
    ('oss info (aos_ret->code=-990, aos_ret->error_code="", aos_ret->error_msg="Couldn\'t resolve host name")',
     "curl", "6", "object_storage_unreachable"),
    ("failed to put object(ret=-9105, curl code 7)", "curl", "7", "object_storage_unreachable"),
    ('oss info (aos_ret->code=403, aos_ret->error_code="InvalidAccessKeyId")', "service", "InvalidAccessKeyId",
     "object_storage_access_denied"),
    ("s3 request failed(http_code=404, exception=NoSuchBucket)", "service", "NoSuchBucket", "object_storage_not_found"),
    ("oss info (aos_ret->code=-998)", "aos", "-998", "object_storage_unreachable"),
    ("status_code=503", "http", "503", "object_storage_error"),
    # the S3 (AWS SDK) status line and its curl failure text
    ('S3 info(request_id="", code=403, exception="SignatureDoesNotMatch", err_msg="")', "service", "SignatureDoesNotMatch",
     "object_storage_access_denied"),
    ('S3 info(request_id="", code=-1, exception="", err_msg="curlCode: 6, Couldn\'t resolve host name")', "curl", "6",
     "object_storage_unreachable"),
    # the COS wrapper logs the SDK status on separate lines
    ("status->code: -990", "aos", "-990", "object_storage_unreachable"),
    ("status->code: 404", "http", "404", "object_storage_not_found"),
])
def test_decode(line: str, kind: str, code: str, cause: str) -> None:
    details = storage_errors.decode(line)
    assert details, line
    assert (details[0].kind, details[0].code, details[0].cause) == (kind, code, cause)


def test_nothing_to_decode() -> None:
    assert storage_errors.decode("failed to write macro block data(ret=-9082, errcode=-9082)") == []


def test_storage_kind() -> None:
    assert storage_errors.storage_kind("file:///data/nfs/backup") == "nfs"
    assert storage_errors.storage_kind("oss://bucket/p?host=h&access_id=a") == "oss"
    assert storage_errors.storage_kind(None) is None


def test_nfs_requirements_are_the_documented_ones_for_every_version() -> None:
    """OceanBase's Deploy NFS page asks for NFS 4.1+ on every 4.x edition; nothing claims NFSv3."""
    for version in ("4.1.0.2", "4.2.1.0", "4.3.5.0", None):
        texts = storage_errors.nfs_requirements(version)
        assert any("nfsvers=4.1 or later" in t for t in texts)
        assert not any("NFSv3" in t or "nfsvers=3" in t for t in texts)
        assert len(texts) == 3


def test_nfs_requirements_are_written_from_the_mount_checks() -> None:
    """One source: every option the mount check requires is in the prose, named required; the
    recommended ones are named recommended; storage_errors.toml holds no NFS facts of its own."""
    from obdoctor.catalog.data_files import data_toml

    facts = data_toml("nfs_mounts.toml")
    required, practice, recommended = storage_errors.nfs_requirements(None)
    for req in facts["requirement"]:
        assert req["shown"] in (required if req["level"] == "required" else recommended)
    assert required.startswith("Mount with") and recommended.startswith("Recommended")
    assert "hard" in required and "hard" not in recommended.split(";")[0]
    assert practice == facts["practice"][0]["text"]
    assert "nfs" not in data_toml("storage_errors.toml")
