"""An S3 endpoint that is there and never answers, for the API's storage-outage tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest


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
