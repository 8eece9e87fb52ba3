"""Attacks on obdoctor: the live fixtures (MariaDB, sshd) come from tests/live."""

from tests.live.conftest import scenarios, simdb  # noqa: F401  (fixtures)
from tests.live.simssh import simssh  # noqa: F401  (fixture)
