"""Two `voicepipe up` started at the same moment on one API port: the one whose API loses
the port stops at once, names the holder, and leaves nothing of its own running."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from api.cli import stack as stack_module
from api.cli.ports import PortsTaken, TakenPort
from api.cli.stack import Stack
from tests.integration.conftest import stack_settings

pytestmark = pytest.mark.integration


class _Ready(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def other_api(tmp_path: Path) -> Iterator[int]:
    """The other stack's API: it answers /readyz, on a port of its own."""
    port = stack_settings(tmp_path).api.port
    server = ThreadingHTTPServer(("127.0.0.1", port), _Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    server.server_close()


def test_an_api_port_taken_by_a_stack_started_at_the_same_moment_stops_the_start(
    tmp_path: Path, other_api: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both stacks passed the port check before either bound the port. Before, this one
    # said "stack ready" (the other's API answered /readyz), then restarted its own API,
    # which could not bind, until "api exited 5 times in 60 s".
    def both_free(*_: object) -> list[TakenPort]:
        return []

    monkeypatch.setattr(stack_module, "taken_ports", both_free)
    settings = stack_settings(tmp_path / "data")
    settings = settings.model_copy(
        update={"api": settings.api.model_copy(update={"port": other_api})}
    )
    stack = Stack(settings, flower=False)

    with pytest.raises(PortsTaken) as refused, stack:
        pass

    said = str(refused.value)
    assert f"port {other_api} (API, 127.0.0.1) is held by pid {os.getpid()}" in said
    assert "VOICEPIPE_API__PORT" in said
    still_running = [c.name for c in stack.children if c.process and c.process.poll() is None]
    assert still_running == []
