"""A batch refused after some of its parts were stored leaves none of them in the bucket: they
are deleted before the answer, or, when the store will not delete them now (it went down
mid-upload), handed to the ingest workers to delete once it is back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.errors import StorageUnavailable
from shared.queues import INGEST, INGEST_TASKS
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of
from tests.unit.api.test_storage_outage import _wav


class _Outage:
    """The store goes down after ``stored`` writes; ``deletes`` says whether it deletes."""

    def __init__(self, http: TestClient, monkeypatch: pytest.MonkeyPatch, stored: int) -> None:
        self.storage = services_of(http).storage
        self.writes = 0
        self.stored = stored
        self.deletes = False
        self.sent: list[tuple[str, list[Any], str]] = []
        put, delete = self.storage.put, self.storage.delete

        def failing_put(key: str, data: bytes, content_type: str = "") -> None:
            self.writes += 1
            if self.writes > self.stored:
                raise StorageUnavailable("down", retry_after_s=10)
            put(key, data, content_type)

        def failing_delete(key: str) -> None:
            if not self.deletes:
                raise StorageUnavailable("down", retry_after_s=10)
            delete(key)

        def send_task(name: str, args: list[Any], queue: str) -> None:
            self.sent.append((name, args, queue))

        monkeypatch.setattr(self.storage, "put", failing_put)
        monkeypatch.setattr(self.storage, "delete", failing_delete)
        monkeypatch.setattr(services_of(http).celery, "send_task", send_task)

    def kept(self) -> list[str]:
        return [key for key in self.storage.list() if "/batches/" in key]


def _three_parts(http: TestClient) -> Any:
    parts = [("file", (f"vm{n}.wav", _wav(), "audio/wav")) for n in range(3)]
    return http.post("/v1/batches", files=parts)


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def test_parts_the_store_will_not_delete_are_handed_to_the_workers(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outage = _Outage(http, monkeypatch, stored=2)

    answer = _three_parts(http)

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert len(outage.kept()) == 2, "stored before the store went down"
    [(name, [keys], queue)] = outage.sent
    assert (name, queue) == (INGEST_TASKS["discard"], INGEST)
    assert set(outage.kept()) <= set(keys)
    assert all(key.startswith("default/batches/") for key in keys), "keys only, no names"


def test_parts_the_store_deletes_are_gone_before_the_answer_and_nothing_is_handed_over(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outage = _Outage(http, monkeypatch, stored=2)
    outage.deletes = True

    assert _three_parts(http).status_code == 503

    assert outage.kept() == []
    assert outage.sent == []


def test_typed_texts_of_a_refused_manifest_are_handed_over_as_well(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outage = _Outage(http, monkeypatch, stored=1)
    items = [{"text": f"Please call me back about order {n}."} for n in range(3)]

    answer = http.post("/v1/batches", json={"items": items})

    assert answer.status_code == 503, answer.text
    [stored] = outage.kept()
    [(_, [keys], _)] = outage.sent
    assert stored in keys


def test_an_upload_refused_by_the_job_store_is_deleted_later_if_the_store_fails_too(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    outage = _Outage(http, monkeypatch, stored=1)

    def refused(job: object) -> None:
        raise ConnectionError("broker gone")

    monkeypatch.setattr(services_of(http).recorder, "create_and_queue", refused)

    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")})

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "job_store_unavailable", "the cause, not the cleanup"
    [stored] = [key for key in outage.storage.list() if key.endswith("input.wav")]
    assert outage.sent == [(INGEST_TASKS["discard"], [[stored]], INGEST)]
