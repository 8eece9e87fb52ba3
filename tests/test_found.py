"""``Found``: a kind's records narrowed on the ``Found`` itself, never by a second way into the evidence."""

from __future__ import annotations

import pytest

from obdoctor.evidence import Evidence, Found
from obdoctor.evidence.kinds import Kind
from obdoctor.sources.bundle import Bundle
from tests.conftest import EXAMPLES


def test_where_keeps_the_view_and_its_availability() -> None:
    missing = Found([], "DBA_OB_ROOTSERVICE_EVENT_HISTORY", available=False, reason="not in the bundle")
    narrowed = missing.where(module="backup_data")
    assert (narrowed.source, narrowed.available, narrowed.reason) == (missing.source, False, "not in the bundle")


def test_where_and_first_match_every_field_given() -> None:
    with Bundle(EXAMPLES / "failed-41-chain") as source:
        evidence = Evidence(source)
        events = evidence.get(Kind.RS_EVENTS)
        archive = events.where(module="backup_data")
        assert archive and all(e.module == "backup_data" for e in archive)
        assert len(archive) == sum(1 for e in events if e.module == "backup_data")
        one = archive.items[0]
        assert list(events.where(module="backup_data", event=one.event)) == [
            e for e in events if e.module == "backup_data" and e.event == one.event]
        assert not events.where(module="backup_data", event="no such event")
        tenant = evidence.get(Kind.TENANTS).items[0]
        assert evidence.get(Kind.TENANTS).first(tenant_id=tenant.tenant_id) is tenant
        assert evidence.get(Kind.TENANTS).first(tenant_id=-1) is None


def test_a_misspelt_field_raises_rather_than_matching_nothing() -> None:
    with Bundle(EXAMPLES / "failed-41-chain") as source:
        events = Evidence(source).get(Kind.RS_EVENTS)
        assert events
        with pytest.raises(AttributeError):
            events.where(modul="log_archive")


def test_a_kind_is_read_by_member_only() -> None:
    with Bundle(EXAMPLES / "failed-41-chain") as source:
        with pytest.raises(TypeError, match="Kind member"):
            Evidence(source).get("rs_events")
