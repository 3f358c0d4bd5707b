"""Outbound requests made for a client: the address rules against SSRF, each refusing before any
connection is attempted, and the checks of callback URLs."""

from __future__ import annotations

import socket

import pytest

from shared.fetch_address_policy import FetchRefused
from tests.unit.shared.safe_fetch_helpers import (
    DEFAULT,
    block_connections,
    refused,
)


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    return block_connections(monkeypatch)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://[::]/",
        "http://0.0.0.0/",
    ],
)
def test_loopback_and_numeric_spellings_are_refused_by_default(
    url: str, no_connect: list[object]
) -> None:
    assert refused(url, DEFAULT).code == "url_refused"
    assert no_connect == []


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/a.wav", "http://172.16.0.1/", "https://192.168.1.1/", "http://100.64.0.1/"],
)
def test_private_ranges_are_refused_without_any_connection_attempt(
    url: str, no_connect: list[object]
) -> None:
    error = refused(url)

    assert error.code == "url_refused"
    assert "private address" in error.message
    assert "VOICEPIPE_FETCH__ALLOW_RANGES" in error.message
    assert no_connect == []


def test_the_cloud_metadata_link_local_address_is_refused(no_connect: list[object]) -> None:
    error = refused("http://169.254.169.254/latest/meta-data/")

    assert error.code == "url_refused"
    assert "link-local" in error.message
    assert no_connect == []


# Ranges no public host is in that Python's is_global (3.11) calls global: the IETF
# protocol assignments block, IPv6 site-local (some networks still route it inside), the
# deprecated 6to4 relay anycast (RFC 7526: it reaches whichever relay is nearest, often the
# hosting network's own router), also in its 6to4 form, and IPv6 documentation (RFC 9637).
@pytest.mark.parametrize(
    "url",
    [
        "http://192.0.0.8/",
        "http://192.0.0.200/",
        "http://[fec0::1]/",
        "http://[fec1::5]/",
        "http://192.88.99.1/",
        "http://192.88.99.255/",
        "http://[2002:c058:6301::1]/",
        "http://[3fff::1]/",
        "http://[3fff:fff:ffff::1]/",
    ],
)
def test_special_purpose_ranges_python_calls_global_are_refused(
    url: str, no_connect: list[object]
) -> None:
    error = refused(url, DEFAULT)

    assert error.code == "url_refused"
    assert "not publicly routable" in error.message
    assert no_connect == []


# Special-purpose blocks IANA lists as globally reachable (AS112 DNS sinks, AMT relays) and
# the public addresses on either side of the refused ones are still fetched.
@pytest.mark.parametrize(
    "host", ["192.31.196.1", "192.175.48.1", "192.88.98.255", "192.88.100.1", "[3fff:1000::1]"]
)
def test_globally_reachable_neighbours_of_refused_ranges_are_taken(host: str) -> None:
    DEFAULT.check_url(f"http://{host}/a.wav")


@pytest.mark.parametrize(
    "url", ["http://[::ffff:10.0.0.1]/", "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/"]
)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_refused(
    url: str, no_connect: list[object]
) -> None:
    error = refused(url, DEFAULT)

    assert error.code == "url_refused"
    assert "form of" in error.message
    assert no_connect == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "gopher://x/"])
def test_schemes_other_than_http_and_https_are_refused(url: str, no_connect: list[object]) -> None:
    error = refused(url)

    assert error.code == "url_refused"
    assert "scheme" in error.message


def test_credentials_in_the_url_are_refused(no_connect: list[object]) -> None:
    error = refused("http://user:secret@127.0.0.1/ok")

    assert error.code == "url_refused"
    assert "secret" not in error.message


def test_check_url_validates_a_callback_without_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise AssertionError("check_url must not resolve names")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    DEFAULT.check_url("https://hooks.example.com/voicepipe")
    DEFAULT.check_url("http://8.8.8.8:8080/hook")
    for url in ["http://10.0.0.1/hook", "ftp://hooks.example.com/", "https:///hook"]:
        with pytest.raises(FetchRefused) as info:
            DEFAULT.check_url(url)
        assert info.value.code == "url_refused"


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/hook",
        "http://hooks.example.com:99999/hook",
        "http://hooks.example.com:0/hook",
        "http://hooks..example.com/hook",
        "http://-hooks.example.com/hook",
        f"http://{'a' * 64}.example.com/hook",
    ],
)
def test_a_callback_that_can_reach_no_server_is_refused_when_submitted(
    url: str, no_connect: list[object]
) -> None:
    with pytest.raises(FetchRefused) as info:
        DEFAULT.check_url(url)

    assert info.value.code == "url_refused"
    assert no_connect == []


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com./hook",
        "https://xn--r8jz45g.example:443/hook",
        "http://例え.テスト/hook",
        "http://in_ternal.example.com:65535/hook",
    ],
)
def test_unusual_but_reachable_host_names_and_ports_are_taken(url: str) -> None:
    DEFAULT.check_url(url)
