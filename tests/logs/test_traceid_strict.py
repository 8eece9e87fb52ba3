"""A trace id is validated whole: nothing may ride along (it goes into remote shell commands)."""

import pytest

from obdoctor.logs.traceid import is_trace_id


@pytest.mark.parametrize("value", ["YB42AC1E0B5C-00060F1A2B3C4D5E-0-0\n", "YB42AC1E0B5C-00060F1A2B3C4D5E-0-0\nrm -rf /",
                                   " YB42AC1E0B5C-00060F1A2B3C4D5E-0-0", "YB42AC1E0B5C-00060F1A2B3C4D5E-0-0;", ""])
def test_anything_beyond_the_id_is_refused(value):
    assert not is_trace_id(value)


def test_a_real_id_passes():
    assert is_trace_id("YB42AC1E0B5C-00060F1A2B3C4D5E-0-0")
