"""What the server says about itself, as it says it (issue 11 items 4 and 7): ``ob_version()``
verbatim, the product from ``version()`` (OceanBase, OceanBase_CE or seekdb), the session's and
the OS's zones. A scripted connection stands in for the server (tests/live has the real one)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from obdoctor.sources.config import ClusterConfig, Secret
from obdoctor.sources.mysql import OB_VERSION_QUERY, TIME_ZONE_QUERY, VERSION_QUERY, MySqlSource, check_read_only


class _Cursor:
    def __init__(self, answers: dict[str, list[tuple]]):
        self.answers, self.description, self._rows = answers, (), []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def mogrify(self, sql, args):
        return sql % tuple(repr(a) for a in args)

    def execute(self, sql):
        key = next((k for k in self.answers if k in sql), None)
        if key is None:
            import pymysql

            raise pymysql.err.ProgrammingError(1146, f"no answer scripted for {sql}")
        self._rows = self.answers[key]
        self.description = [("c",)] * (len(self._rows[0]) if self._rows else 1)

    def fetchall(self):
        return self._rows


class _Connection:
    def __init__(self, answers):
        self.answers = answers

    def cursor(self):
        return _Cursor(self.answers)

    def close(self):
        pass


def _source(answers: dict[str, list[tuple]]) -> MySqlSource:
    config = ClusterConfig(db_host="127.0.0.1", db_port=2881, db_password=Secret("x"))
    source = MySqlSource(config)
    source.reader._connect_fn = lambda **kw: _Connection(answers)
    return source


NOW = [(datetime(2023, 9, 26, 15, 0),)]


@pytest.mark.parametrize("version_text, ob_version, product, version", [
    ("5.7.25-OceanBase_CE-v4.2.1.0", "4.2.1.0", "OceanBase_CE", "4.2.1.0"),
    ("5.7.25-OceanBase-v4.3.5.1", "4.3.5.1", "OceanBase", "4.3.5.1"),
    ("5.7.25-SeekDB-v1.0.0.0", "1.0.0.0", "SeekDB", "1.0.0.0"),
    ("5.7.25-OceanBase-v3.2.4.5", None, "OceanBase", "3.2.4.5"),
])
def test_version_and_product_as_the_server_says(version_text, ob_version, product, version) -> None:
    answers = {"NOW(6)": NOW, VERSION_QUERY: [(version_text,)], TIME_ZONE_QUERY: [("+08:00", "UTC", 28800)]}
    if ob_version:
        answers[OB_VERSION_QUERY] = [(ob_version,)]
    info = _source(answers).info()
    assert (info.product, info.version) == (product, version)
    assert (info.time_zone, info.system_time_zone, info.utc_offset) == ("+08:00", "UTC", timedelta(hours=8))


def test_time_zones_not_readable_is_a_note_not_a_failure() -> None:
    info = _source({"NOW(6)": NOW, VERSION_QUERY: [("5.7.25-OceanBase-v4.2.1.0",)],
                    OB_VERSION_QUERY: [("4.2.1.0",)]}).info()
    assert info.version == "4.2.1.0" and info.utc_offset is None
    assert any("time zones not read" in n for n in info.notes)


def test_the_fixed_reads_pass_the_read_only_guard() -> None:
    for sql in (TIME_ZONE_QUERY, VERSION_QUERY, OB_VERSION_QUERY):
        assert check_read_only(sql).sql == sql
