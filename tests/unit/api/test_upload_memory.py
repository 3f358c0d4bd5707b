"""Large uploads are read into memory a few at a time per API process, the others waiting
spooled on disk (api.upload_memory)."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.datastructures import UploadFile

from api.form_in_memory import IN_MEMORY_MAX_BYTES
from shared.audio import encode_pcm
from shared.storage import ObjectStorage
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

RATE = 16_000
_t = np.arange(40 * RATE) / RATE
LARGE = encode_pcm((3000 * np.sin(2 * np.pi * 220 * _t)).astype(np.int16), RATE, "wav")


class _SlowStore:
    """The app's store, noting each input it stores after taking a while to."""

    def __init__(self, store: ObjectStorage, events: list[str]) -> None:
        self._store = store
        self._events = events

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        time.sleep(0.3)
        self._store.put(key, data, content_type)
        self._events.append("stored")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_large_upload_stays_on_disk_until_a_slot_is_free(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(LARGE) > IN_MEMORY_MAX_BYTES  # spooled to disk by the form parser
    events: list[str] = []
    read = UploadFile.read

    async def noted_read(self: UploadFile, size: int = -1) -> bytes:
        data = await read(self, size)
        events.append("read")
        return data

    monkeypatch.setattr(UploadFile, "read", noted_read)
    http = app_client(tmp_path, valkey, api={"uploads_in_memory": 1})
    services = services_of(http)
    slow = _SlowStore(services.storage, events)
    http.app.state.services = dataclasses.replace(services, storage=slow)  # type: ignore[attr-defined]

    def upload(_: int) -> int:
        files = {"file": ("vm.wav", LARGE, "audio/wav")}
        return http.post("/v1/jobs", files=files, data={"stages": "stt"}).status_code

    with http, ThreadPoolExecutor(3) as senders:
        statuses = list(senders.map(upload, range(3)))

    assert statuses == [202, 202, 202]
    # Each upload read into memory only once the one before was stored.
    assert events == ["read", "stored"] * 3
