"""Which code names which cause is cause data (``data/causes/*.toml`` ``codes``), not a rule's table."""

from __future__ import annotations


def test_a_code_alone_names_a_cause_only_through_the_cause_data():
    from obdoctor.catalog.causes import all_causes, sole_causes

    sole = sole_causes("destination")
    assert sole == {-9051: "nfs_not_mounted_everywhere", -9080: "dest_format_file_missing",
                    -9081: "dest_format_file_mismatch", -9082: "dest_out_of_space"}
    assert all(code in all_causes()[cause].codes for code, cause in sole.items())
