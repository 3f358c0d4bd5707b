"""The port check `voicepipe up` runs before it starts anything."""

from __future__ import annotations

import os
import socket

from api.cli.ports import refusal, taken_ports
from shared.settings import Settings
from tests.conftest import free_port


def _settings(api_port: int, broker_port: int) -> Settings:
    return Settings(api={"port": api_port}, broker={"url": f"redis://127.0.0.1:{broker_port}/0"})


def test_free_ports_are_not_reported() -> None:
    assert taken_ports(_settings(free_port(), free_port()), flower=False) == []


def test_a_taken_port_is_reported_with_its_role_and_the_listening_process() -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()

        taken = taken_ports(_settings(port, free_port()), flower=False)

    assert [(t.role, t.port) for t in taken] == [("API", port)]
    assert taken[0].holder.startswith(f"pid {os.getpid()} (")
    message = refusal(taken)
    assert f"port {port} (API, 127.0.0.1) is held by pid {os.getpid()}" in message
    assert "VOICEPIPE_API__PORT" in message


def test_the_broker_port_counts_only_when_the_broker_is_embedded() -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        external = Settings(broker={"url": f"redis://127.0.0.1:{port}/0", "embedded": False})
        embedded = _settings(free_port(), port)

        assert taken_ports(external, flower=False) == []
        assert [t.role for t in taken_ports(embedded, flower=False)] == ["broker"]
