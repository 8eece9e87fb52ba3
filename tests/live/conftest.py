"""Fixtures of the simulated cluster: a real MariaDB as the sys tenant (``simdb``).

Every test in ``tests/live/`` is marked ``live``. When MariaDB is not installed the tests that
need it are skipped with the reason (``scripts/test`` installs it when it can).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from obdoctor.scenarios import model
from tests.conftest import SCENARIOS
from tests.live.simdb import SimulatedDatabase, find_binaries, running

LIVE_DIR = Path(__file__).resolve().parent
SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if LIVE_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.live)


def require_mariadb() -> None:
    if find_binaries() is None:
        pytest.skip("MariaDB is not installed (mariadb-install-db/mariadbd): "
                    "apt-get install mariadb-server, or run scripts/test as root")


@pytest.fixture(scope="session")
def simdb(tmp_path_factory) -> SimulatedDatabase:
    """One MariaDB for the whole session; each test loads the scenario it needs."""
    require_mariadb()
    with running(tmp_path_factory.mktemp("simdb")) as database:
        yield database


@pytest.fixture
def private_simdb(tmp_path) -> SimulatedDatabase:
    """A MariaDB of the test's own, for tests that stop it."""
    require_mariadb()
    with running(tmp_path / "simdb") as database:
        yield database


@pytest.fixture(scope="session")
def scenarios() -> dict[str, model.Scenario]:
    return {s.name: s for s in (model.load(p) for p in SCENARIO_FILES)}
