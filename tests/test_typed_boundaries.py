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
