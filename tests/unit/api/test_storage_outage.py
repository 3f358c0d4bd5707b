"""A store that accepts connections and never answers (a hung S3 or MinIO): the API answers
503 within its storage budget instead of holding each request for boto3's minutes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from shared.audio import encode_pcm
from shared.settings import Settings
from shared.storage import Patience, S3Storage
from tests.conftest import ValkeyProcess

BUDGET_S = 0.3


@pytest.fixture
def hung_store() -> Iterator[str]:
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
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    taker.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess, hung_store: str) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url},
        storage={
            "backend": "s3",
            "s3_endpoint_url": hung_store,
            "s3_access_key_id": "test",
            "s3_secret_access_key": "test",
            "api_timeout_s": BUDGET_S,
        },
    )
    return TestClient(create_app(settings))


def _wav() -> bytes:
    t = np.arange(16_000) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


@pytest.mark.timeout(30)
def test_an_upload_to_a_hung_store_is_refused_with_503_within_the_budget(
    http: TestClient,
) -> None:
    began = time.monotonic()
    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")})
    took = time.monotonic() - began

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    # Two attempts, each a connection and a wait for the answer (and botocore's backoff
    # between them): boto3's own patience held it for minutes.
    assert took < 4 * BUDGET_S + 2.0
    assert http.get("/v1/jobs").json()["total"] == 0, "nothing half made"


@pytest.mark.timeout(30)
def test_readiness_says_the_hung_store_is_unavailable_within_a_second(http: TestClient) -> None:
    began = time.monotonic()
    answer = http.get("/readyz")
    took = time.monotonic() - began

    assert answer.status_code == 503
    assert answer.json()["checks"]["storage"].startswith("unavailable")
    assert took < 2 * BUDGET_S + 1.0


@pytest.mark.timeout(30)
def test_the_workers_s3_client_keeps_its_patience_and_the_apis_is_bounded(
    hung_store: str,
) -> None:
    api = S3Storage("b", endpoint_url=hung_store, access_key_id="t", secret_access_key="t",
                    patience=Patience(BUDGET_S, 1))  # fmt: skip
    worker = S3Storage("b", endpoint_url=hung_store, access_key_id="t", secret_access_key="t")

    assert (api.client.meta.config.read_timeout, worker.client.meta.config.read_timeout) == (
        BUDGET_S,
        60.0,
    )
    began = time.monotonic()
    with pytest.raises(Exception, match=r"timed out|Read timeout"):
        api.put("k", b"x")
    assert time.monotonic() - began < BUDGET_S * 2 + 1.0
