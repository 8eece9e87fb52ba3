"""One "IP from addr:port" helper for rules, timeline, redaction and the live log search."""

from __future__ import annotations

from hypothesis import given, strategies as st

from obdoctor.addresses import server_ip


def test_the_forms_views_and_comments_print():
    assert server_ip("10.0.0.1:2882") == "10.0.0.1"
    assert server_ip('"10.0.0.1:2882"') == "10.0.0.1"
    assert server_ip("[::1]:2882") == "::1"
    assert server_ip("::1") == "::1"
    assert server_ip("obs-0.example") == "obs-0.example"


def test_strict_refuses_what_is_no_address_and_lenient_only_drops_the_port():
    for junk in ("/data/1", "10.0.0.1:2882:x", "10.0.0.1:port", "a..b", ""):
        assert server_ip(junk) is None, junk
    assert server_ip(None) is None and server_ip(None, strict=False) is None
    assert server_ip("10.0.0.1:port", strict=False) == "10.0.0.1"
    assert server_ip("/data/1", strict=False) == "/data/1"


@given(st.text(max_size=40))
def test_strict_is_lenient_or_nothing(text):
    strict = server_ip(text)
    assert strict is None or strict == server_ip(text, strict=False)
