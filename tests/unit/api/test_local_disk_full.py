"""A local storage directory that cannot be written (a full disk, a read-only mount): every
submission is a 503 storage_unavailable saying nothing was kept, never a 500."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from shared.audio import encode_pcm
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess


def _wav() -> bytes:
    t = np.arange(16_000) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


@pytest.fixture(params=[errno.ENOSPC, errno.EROFS])
def http(
    tmp_path: Path,
    valkey: ValkeyProcess,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> TestClient:
    def refused(self: LocalStorage, key: str, data: bytes, content_type: str = "") -> None:
        raise OSError(request.param, "cannot write")

    monkeypatch.setattr(LocalStorage, "put", refused)
    settings = Settings(data_dir=tmp_path, broker={"url": valkey.url})
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.mark.parametrize(
    "submit",
    [
        {"url": "/v1/jobs", "files": {"file": ("vm.wav", _wav(), "audio/wav")}},
        {"url": "/v1/batches", "files": [("file", ("vm.wav", _wav(), "audio/wav"))]},
        {"url": "/v1/batches", "json": {"items": [{"text": "Call me back"}]}},
    ],
    ids=["job", "batch-parts", "batch-texts"],
)
def test_a_submission_to_a_local_store_that_cannot_be_written_is_a_503_not_a_500(
    http: TestClient, submit: dict[str, object]
) -> None:
    answer = http.post(**submit)  # type: ignore[arg-type]

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert "Retry-After" in answer.headers


def test_a_local_store_that_cannot_be_written_is_named_as_such_not_as_unreachable(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Object storage is not reachable" sent an operator to look at a network for a full disk.
    def full(self: LocalStorage, key: str, data: bytes, content_type: str = "") -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LocalStorage, "put", full)
    http = TestClient(create_app(Settings(data_dir=tmp_path, broker={"url": valkey.url})))

    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")})

    assert answer.status_code == 503
    message = answer.json()["error"]["message"]
    assert "No space left on device" in message
    assert "not reachable" not in message
    assert "nothing was queued" in message
