from datetime import datetime

import pytest

from obdoctor.watch.store import History
from tests.watch.fakes import FakeCluster, TestClock


@pytest.fixture
def cluster():
    fake = FakeCluster()
    fake.tables["CDB_OB_BACKUP_JOB_HISTORY"] = []
    yield fake
    fake.close()


@pytest.fixture
def clock():
    return TestClock(datetime(2023, 9, 26, 14, 31))


@pytest.fixture
def history(tmp_path):
    with History(tmp_path / "watch.sqlite") as h:
        yield h
