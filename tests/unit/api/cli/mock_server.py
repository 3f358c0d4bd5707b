"""The CLI's API client answered by a function in place of a server, for the CLI's tests."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

import api.cli.batch_commands
from api.cli.client import VoicePipeClient

Answer = Callable[[httpx.Request], httpx.Response]


def serve(monkeypatch: pytest.MonkeyPatch, answer: Answer) -> None:
    """Every client the CLI opens sends its requests to ``answer`` (httpx's MockTransport)."""

    def open_client(url: str | None, api_key: str | None) -> VoicePipeClient:
        client = VoicePipeClient("http://api.test")
        transport = httpx.MockTransport(answer)
        client.http = httpx.Client(base_url="http://api.test", transport=transport)
        return client

    monkeypatch.setattr(api.cli.batch_commands, "open_client", open_client)
