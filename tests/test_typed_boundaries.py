"""What a rule declares is checked when its class is made: a plain string, an unknown kind or log
family in ``needs`` fails at import, not in a strict run (nor silently in a lenient one)."""

from __future__ import annotations

import pytest

from obdoctor.evidence import LogFamily
from obdoctor.evidence.kinds import Kind
from obdoctor.logs.files import FAMILIES
from obdoctor.rules.base import Rule


def test_needs_of_kind_and_log_family_members_are_accepted() -> None:
    class Reads(Rule):
        id, name, needs = "T1", "reads", (Kind.JOBS, Kind.RS_EVENTS, LogFamily.ROOTSERVICE)

    assert Reads.needs == (Kind.JOBS, Kind.RS_EVENTS, LogFamily.ROOTSERVICE)


@pytest.mark.parametrize("needs, message", [
    (("jobs",), r"'jobs' is not a Kind or LogFamily member \(write Kind.JOBS\)"),
    (("logs:rootservice",), r"\(write LogFamily.ROOTSERVICE\)"),
    ((Kind.JOBS, "job_historyy"), r"'job_historyy' is not a Kind or LogFamily member$"),
    ((Kind.JOBS, 3), r"3 is not a Kind"),
    ([Kind.JOBS], r"must be a tuple"),
    (Kind.JOBS, r"must be a tuple"),
    ((Kind.JOBS, LogFamily.OBSERVER, Kind.JOBS), r"names jobs more than once"),
])
def test_a_wrong_need_fails_when_the_class_is_made(needs, message) -> None:
    with pytest.raises(TypeError, match=message):
        type("Broken", (Rule,), {"id": "T2", "name": "broken", "needs": needs})


def test_a_misspelt_kind_member_fails_at_once() -> None:
    with pytest.raises(AttributeError):
        class Misspelt(Rule):  # noqa: F841 - the class body is what is tested
            id, name, needs = "T3", "misspelt", (Kind.JOBZ,)


def test_log_families_are_the_log_engine_s() -> None:
    assert [f.value for f in LogFamily] == list(FAMILIES)


# -- cause ids: constants made from the cause data, checked when the module naming them loads ----

RULE_MODULE = '''
from obdoctor.catalog.cause_ids import {name}
from obdoctor.findings import Verdict
from obdoctor.rules.base import Chain, Rule


class Refused(Rule):
    id, name = "T9", "refused"

    def check(self, ctx):
        return [Chain(self.id).finding({name}, Verdict.LIKELY, "never reached by the misspelt module")]
'''


def _import_rule_module(tmp_path, monkeypatch, name: str):
    import importlib
    import sys

    (tmp_path / "t9_rule.py").write_text(RULE_MODULE.format(name=name), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("t9_rule", None)
    return importlib.import_module("t9_rule")


def test_a_misspelt_cause_fails_when_the_rule_module_is_imported(tmp_path, monkeypatch) -> None:
    with pytest.raises(ImportError, match="cannot import name 'BACKUP_DEST_NOT_ST'"):
        _import_rule_module(tmp_path, monkeypatch, "BACKUP_DEST_NOT_ST")


def test_a_cause_constant_is_its_id(tmp_path, monkeypatch) -> None:
    module = _import_rule_module(tmp_path, monkeypatch, "BACKUP_DEST_NOT_SET")
    finding = module.Refused().check(None)[0]
    assert finding.cause == "backup_dest_not_set" and type(finding.cause) is str  # the report sees a plain id


def test_every_cause_of_the_data_is_a_constant() -> None:
    from obdoctor.catalog import cause_ids
    from obdoctor.catalog.causes import CauseId, all_causes

    assert {c.value for c in CauseId} == set(all_causes())
    assert all(getattr(cause_ids, key.upper()) is CauseId(key) for key in all_causes())


def test_a_finding_refuses_a_cause_given_as_a_string() -> None:
    from obdoctor.findings import Verdict
    from obdoctor.rules.base import Chain

    with pytest.raises(TypeError, match="CauseId"):
        Chain("T").finding("backup_dest_not_set", Verdict.LIKELY, "a string skips the import-time check")


def test_causes_read_from_data_are_checked_as_the_data_loads() -> None:
    from obdoctor.catalog import signatures, storage_errors
    from obdoctor.catalog.causes import CauseId, named_cause

    assert all(s.cause is None or isinstance(s.cause, CauseId) for s in signatures.load({"HOME": "/nonexistent"}).signatures)
    details = storage_errors.decode("curl code 6, error_code=\"AccessDenied\"")
    assert len(details) == 2 and all(isinstance(d.cause, CauseId) for d in details)
    with pytest.raises(ValueError, match=r"storage_errors.toml \[curl\] 6: cause 'dest_unreachabel' is not defined"):
        named_cause("dest_unreachabel", "storage_errors.toml [curl] 6")


def test_a_rule_reaches_no_raw_table_and_keeps_the_source_s_facts() -> None:
    from obdoctor.evidence import Evidence
    from obdoctor.rules.base import RuleContext
    from obdoctor.sources.bundle import Bundle
    from tests.conftest import EXAMPLES

    class Reads(Rule):
        id, name, needs = "T4", "reads", (Kind.JOBS,)

    with Bundle(EXAMPLES / "failed-41-chain") as source:
        evidence = Evidence(source)
        seen = RuleContext(evidence).for_rule(Reads(), strict=True).evidence
        assert (seen.version, seen.collected_at, seen.log_servers) == (
            evidence.version, evidence.collected_at, evidence.log_servers)
        with pytest.raises(AttributeError, match="'table' is not one of the source's facts"):
            seen.table("CDB_OB_BACKUP_JOB_HISTORY")
        with pytest.raises(TypeError, match="Kind member"):
            seen.get("jobs")
