"""Parsers of outside input under random input (hypothesis): the SQL allow-list, the known_hosts
reader, server names as paths, and redaction never crash, and never admit what they must not."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obdoctor.security.redaction import MASK, Redactor
from obdoctor.sources.bundle import _address_of
from obdoctor.sources.known_hosts import KnownHosts
from obdoctor.sources.mysql import ReadOnlyViolation, catalogue_views, check_read_only, select

SQL_WORDS = st.sampled_from(["SELECT", " ", "*", "`", "FROM", "oceanbase.", "`CDB_OB_BACKUP_JOBS`", "WHERE", "=",
                             "'", "1", "AND", ";", "--", "/*", "*/", "(", ")", "sleep", "LIMIT", ",", "\\", "\n",
                             "`JOB_ID`", "ORDER BY", "DESC", "NEXT VALUE FOR", "GET_LOCK", "@@", "#", "0x41"])


@settings(max_examples=500, deadline=None)
@given(st.lists(SQL_WORDS, max_size=14).map("".join) | st.text(max_size=80))
def test_the_allow_list_admits_only_its_grammar(sql: str) -> None:
    try:
        statement = check_read_only(sql)
    except ReadOnlyViolation:
        return
    text = statement.sql
    assert not any(bad in text for bad in (";", "--", "#", "\\", "\n", "\x00", "(2", "NEXT VALUE", "GET_LOCK"))
    if statement.name.startswith("view:"):
        assert statement.name[5:].upper() in catalogue_views()
        assert "(" not in re.sub(r"/\*\+ QUERY_TIMEOUT\(\d+\) \*/", "", text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.one_of(st.integers(), st.text(max_size=20)))
def test_the_builder_refuses_or_writes_what_the_allow_list_admits(column: str, value) -> None:
    try:
        statement = select("CDB_OB_BACKUP_JOBS", [column], where={"TENANT_ID": value})
    except ReadOnlyViolation:
        return
    assert check_read_only(statement.sql) == statement


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_a_server_name_becomes_a_path_only_as_an_address(name: str) -> None:
    address = _address_of(name)
    if address is not None:
        assert "/" not in address and "\\" not in address and ".." not in address and "\x00" not in address


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60), max_size=6))
def test_random_known_hosts_never_crash_and_never_list_a_host_they_do_not_name(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "known_hosts"
        path.write_text("\n".join(lines), encoding="utf-8")
        known = KnownHosts(path)
        assert known.status("127.0.0.2", 22).state in ("unknown", "unreadable", "listed")
        if "127.0.0.2" not in "".join(lines) and "*" not in "".join(lines) and "?" not in "".join(lines) \
                and "|1|" not in "".join(lines):
            assert known.status("127.0.0.2", 22).state == "unknown"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_redaction_never_crashes_and_is_idempotent(text: str) -> None:
    redactor = Redactor()
    once = redactor.text(text)
    counted = sum(redactor.counts.values())
    assert redactor.text(once) == once
    assert sum(redactor.counts.values()) == counted
    assert (once == text) == (counted == 0) or MASK in text
