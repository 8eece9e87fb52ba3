"""Signatures as data: every packaged signature fires on its cases and stays quiet on the others,
files are validated with the file and line named, user signatures are read and can override."""

from __future__ import annotations

import pytest

from obdoctor.catalog import error_docs, signatures
from obdoctor.catalog.signatures import SignatureError

CATALOGUE = signatures.load({})
SIGS = {s.id: s for s in CATALOGUE.signatures}


def _context(case):
    text = signatures.normalize(case.text)
    return signatures.case_context(case, error_docs.codes_in(text), CATALOGUE)


def test_every_packaged_signature_has_fire_and_quiet_cases_and_citations() -> None:
    assert len(SIGS) >= 9
    for sig in SIGS.values():
        assert sig.fire and sig.quiet, sig.id
        assert sig.source and sig.field_case, sig.id
        assert any("http" in f or "obdoctor scenario" in f for f in sig.field_case), \
            f"{sig.id}: a field case is a public link or an obdoctor scenario"


@pytest.mark.parametrize("sig_id", sorted(SIGS))
def test_fires_on_its_cases(sig_id: str) -> None:
    sig = SIGS[sig_id]
    for case in sig.fire:
        assert signatures.matches(sig, _context(case)) is not None, (sig_id, case.text)


@pytest.mark.parametrize("sig_id", sorted(SIGS))
def test_quiet_on_its_other_cases(sig_id: str) -> None:
    sig = SIGS[sig_id]
    for case in sig.quiet:
        assert signatures.matches(sig, _context(case)) is None, (sig_id, case.text)


def test_the_statement_selects_the_meaning_of_a_generic_code() -> None:
    s3 = signatures.Context(codes=(-4012,), statement="set_log_archive_dest", scheme="s3")
    nfs = signatures.Context(codes=(-4012,), statement="set_log_archive_dest", scheme="file")
    query = signatures.Context(codes=(-4012,), statement=None)
    assert [m.signature.id for m in signatures.find(s3, CATALOGUE)][:1] == ["set-dest-timeout-object-storage"]
    assert "set-dest-timeout-object-storage" not in [m.signature.id for m in signatures.find(nfs, CATALOGUE)]
    assert signatures.find(query, CATALOGUE) == []


def test_statement_found_first_in_a_paste() -> None:
    text = "alter system restore t1 from 'file:///a' ;\nthen later: alter system archivelog"
    assert signatures.statement_of(text, CATALOGUE) == "restore"
    assert signatures.statement_of("select 1", CATALOGUE) is None
    assert signatures.scheme_of("LOCATION=S3://b/p") == "s3"


@pytest.mark.parametrize(("spec", "version", "inside"), [
    (">=4.0, <4.2.1", "4.1.0.2", True), (">=4.0, <4.2.1", "4.2.1", False), ("<3.1.1", "3.1.0", True),
    ("<3.1.1", None, None), (None, "4.0", True),
])
def test_version_ranges(spec, version, inside) -> None:
    assert signatures.version_in(spec, version) is inside


def _write(tmp_path, text: str, name: str = "mine.toml"):
    folder = tmp_path / "obdoctor" / "signatures"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return {"XDG_CONFIG_HOME": str(tmp_path)}


GOOD = '''
[[signature]]
id = "my-archivelog-io"
title = "Our NFS filer refuses ARCHIVELOG"
codes = [-4009]
statements = ["archivelog"]
meaning = "The filer's export is read-only on Sundays."
proof = ["the filer's calendar"]
next_steps = ["wait for Monday"]
source = ["our wiki"]
field_case = ["incident 42"]
'''


def test_user_signatures_are_read(tmp_path) -> None:
    catalogue = signatures.load(_write(tmp_path, GOOD))
    mine = [s for s in catalogue.signatures if s.id == "my-archivelog-io"]
    assert mine and mine[0].file.endswith("mine.toml") and mine[0].line == 2
    ctx = signatures.Context(codes=(-4009,), statement="archivelog")
    assert signatures.find(ctx, catalogue)[0].signature.id == "my-archivelog-io"


def test_user_signature_replaces_a_packaged_one(tmp_path) -> None:
    catalogue = signatures.load(_write(tmp_path, GOOD.replace("my-archivelog-io", "restore-tenant-exists")))
    sig = next(s for s in catalogue.signatures if s.id == "restore-tenant-exists")
    assert sig.title == "Our NFS filer refuses ARCHIVELOG"


@pytest.mark.parametrize(("mutation", "message", "line"), [
    (lambda t: t.replace('codes = [-4009]', 'codes = [-4009]\ncolour = "red"'), "unknown key 'colour'", 6),
    (lambda t: t.replace('codes = [-4009]', 'codes = [-123456]'), "not in the error catalogue", 5),
    (lambda t: t.replace('"archivelog"', '"archivelogs"'), "unknown statement kind 'archivelogs'", 6),
    (lambda t: t.replace('field_case = ["incident 42"]', ''), "has no 'field_case'", 2),
    (lambda t: t.replace('codes = [-4009]', 'codes = [-4009]\nregex = "(unclosed"'), "bad regex", 6),
    (lambda t: t.replace('codes = [-4009]', 'codes = [-4009]\nversions = "about 4"'), "versions", 6),
    (lambda t: t.replace('codes = [-4009]', 'codes = [-4009]\nschemes = ["ftp"]'), "unknown scheme 'ftp'", 6),
    (lambda t: t.replace('codes = [-4009]', 'codes = [-4009]\nstates = { "tenant.mood" = "happy" }'), "unknown state", 6),
    (lambda t: t.replace('codes = [-4009]', 'codes = [-4009]\ncause = "no_such_cause"'), "not defined", 6),
    (lambda t: t + t, "defined twice", 12),
    (lambda t: t.replace('title = ', 'title = = '), "not valid TOML", None),
])
def test_mistakes_name_file_and_line(tmp_path, mutation, message, line) -> None:
    env = _write(tmp_path, "\n" + mutation(GOOD.lstrip("\n")))
    with pytest.raises(SignatureError) as raised:
        signatures.load(env)
    text = str(raised.value)
    assert "mine.toml" in text and message in text, text
    if line is not None:
        assert f"mine.toml:{line}:" in text, text
    else:
        assert "line" in text, text


def test_the_docs_page_names_every_field_and_packaged_signature() -> None:
    from tests.conftest import ROOT

    page = (ROOT / "docs" / "signatures.md").read_text(encoding="utf-8")
    for key in signatures._SIG_KEYS:
        assert f"{key} =" in page, key
    for sig_id in SIGS:
        assert sig_id in page, sig_id
    for st in CATALOGUE.statements:
        assert f"`{st.kind}`" in page, st.kind


def test_causes_named_by_packaged_signatures_exist_and_list_their_codes() -> None:
    from obdoctor.catalog.causes import all_causes

    causes = all_causes()
    for sig in SIGS.values():
        assert sig.cause is None or sig.cause in causes, sig.id
    assert {"command_refused", "command_refused_unexplained", "restore_target_topology", "restore_tenant_exists"} <= set(causes)
