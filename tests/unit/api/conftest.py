"""Fixtures of the API's unit tests: an S3 endpoint that is there and never answers (the
storage-outage tests), and the official OpenAI SDK against the app (the OpenAI-compatible
routes' tests)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from shared.settings import Settings
from tests.conftest import ValkeyProcess


class HungStore(str):
    """The endpoint's URL, and how many connections it has been asked for."""

    taken: list[socket.socket]

    @property
    def connections(self) -> int:
        return len(self.taken)


@pytest.fixture
def hung_store() -> Iterator[HungStore]:
    """An endpoint that takes every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def take() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    url = HungStore(f"http://127.0.0.1:{server.getsockname()[1]}")
    url.taken = held
    yield url
    stop.set()
    taker.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def sdk(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[openai.OpenAI]:
    """The official SDK against the app in this process (no workers: nothing is spoken)."""
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, storage={"local_dir": tmp_path / "objects"}
    )
    with TestClient(create_app(settings)) as http:
        yield openai.OpenAI(
            base_url="http://testserver/v1", api_key="unused", max_retries=0, http_client=http
        )
