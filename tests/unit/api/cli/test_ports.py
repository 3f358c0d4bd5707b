"""The port check `voicepipe up` runs before it starts anything."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from api.cli.ports import PortsTaken, hold_data_dir, refusal, taken_ports
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


def test_a_data_directory_held_by_a_stack_is_refused_to_a_second_one(tmp_path: Path) -> None:
    # Before, a second `voicepipe up` on other ports but this directory started a second
    # Valkey on the first one's files.
    first = hold_data_dir(tmp_path)

    with pytest.raises(PortsTaken, match=f"supervisor pid {os.getpid()}"):
        hold_data_dir(tmp_path)

    first.close()
    hold_data_dir(tmp_path).close()  # free once the holder lets go (or dies)


def test_a_held_data_directory_is_not_held_by_the_children_a_stack_starts(
    tmp_path: Path,
) -> None:
    held = hold_data_dir(tmp_path)
    child = subprocess.Popen(["sleep", "30"])
    try:
        held.close()  # the supervisor gone, its child still running

        hold_data_dir(tmp_path).close()
    finally:
        child.kill()
        child.wait()


def test_an_api_that_begins_listening_while_the_start_looks_is_not_taken_for_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The start looked at the port's listeners twice, once for ours and once for any: our
    # API beginning to listen between the two looks was refused as another stack's; and
    # within one look, as a listener psutil could not yet name.
    from types import SimpleNamespace

    import psutil

    from api.cli.processes import Child
    from api.cli.stack import Stack

    settings = _settings(free_port(), free_port())
    ours = SimpleNamespace(
        laddr=SimpleNamespace(port=settings.api.port), status=psutil.CONN_LISTEN, pid=os.getpid()
    )
    # psutil lists a socket opened while it reads /proc without its process (pid None).
    unnamed = SimpleNamespace(laddr=ours.laddr, status=psutil.CONN_LISTEN, pid=None)
    # A look that names another process once, then ours (a look gone wrong), is no refusal.
    once = SimpleNamespace(laddr=ours.laddr, status=psutil.CONN_LISTEN, pid=1)
    looks = iter([[], [unnamed], [ours], [once], [ours]])
    monkeypatch.setattr(psutil, "net_connections", lambda kind: next(looks))
    stack = Stack(settings, flower=False)
    api = Child("api", [], tmp_path / "api.log")
    api.process = SimpleNamespace(pid=os.getpid())  # type: ignore[assignment]
    stack.children.append(api)

    assert stack._api_serving() is False  # not listening yet
    assert stack._api_serving() is False  # listening, not yet named: look again
    assert stack._api_serving() is True
    assert stack._api_serving() is True


def test_a_listening_socket_its_holders_child_shares_is_named_by_the_holder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A child between fork and exec holds its parent's listening socket for a moment; with
    # pids wrapped it is listed first, and the refusal named it instead of the server.
    from api.cli import ports

    child = subprocess.Popen(["sleep", "30"])
    try:
        monkeypatch.setattr(ports, "listeners", lambda port: [child.pid, os.getpid()])

        assert ports.holder(free_port()).startswith(f"pid {os.getpid()} (")
    finally:
        child.kill()
        child.wait()
