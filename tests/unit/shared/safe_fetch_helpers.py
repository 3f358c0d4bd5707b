"""What the safe_fetch tests share: the address policies, a fetch with test limits, and a
guard that fails any connection attempt (an address rule must refuse before connecting)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from shared.fetch_address_policy import AddressPolicy, FetchRefused
from shared.safe_fetch import Fetched, fetch
from shared.settings.bulk import FetchSettings

LOCAL = AddressPolicy.from_settings(FetchSettings(allow_ranges=["127.0.0.1/32"]))
DEFAULT = AddressPolicy()


def block_connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records (and blocks) any connection attempt; the list must stay empty."""
    attempts: list[object] = []

    def refuse(address: object, *args: object, **kwargs: object) -> socket.socket:
        attempts.append(address)
        raise AssertionError(f"a connection to {address} was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def fetch_local(url: str, policy: AddressPolicy = LOCAL, **kwargs: Any) -> Fetched:
    options: dict[str, Any] = {"max_bytes": 1024 * 1024, "timeout_s": 5.0, "max_redirects": 3}
    return fetch(url, policy, **{**options, **kwargs})


def refused(url: str, policy: AddressPolicy = LOCAL, **kwargs: Any) -> FetchRefused:
    with pytest.raises(FetchRefused) as info:
        fetch_local(url, policy, **kwargs)
    return info.value
