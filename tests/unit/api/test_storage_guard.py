"""The API's storage breaker: which failures count, how long it refuses, and that it asks
again after the cool-down."""

from __future__ import annotations

import builtins
import logging
import time
from pathlib import Path

import pytest
import redis
from botocore.exceptions import ClientError, EndpointConnectionError

from api.storage_guard import GuardedStorage, api_storage
from shared.errors import StorageKeyNotFound, StorageUnavailable
from shared.metrics_store import MetricsStore
from shared.settings import Settings
from shared.storage import LocalStorage, ObjectStorage
from tests.conftest import ValkeyProcess


class FlakyStore(ObjectStorage):
    """A store whose next ``down`` calls fail as a store that is unreachable fails."""

    def __init__(self) -> None:
        self.down = 0
        self.asked = 0
        self.objects: dict[str, bytes] = {}

    def _ask(self) -> None:
        self.asked += 1
        if self.down:
            self.down -= 1
            raise EndpointConnectionError(endpoint_url="http://s3.test")

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._ask()
        self.objects[key] = data

    def get(self, key: str) -> bytes:
        self._ask()
        if key not in self.objects:
            raise StorageKeyNotFound(f"no object at {key}")
        return self.objects[key]

    def exists(self, key: str) -> bool:
        self._ask()
        return key in self.objects

    def delete(self, key: str) -> None:
        self._ask()
        self.objects.pop(key, None)

    def list(self, prefix: str = "") -> builtins.list[str]:
        self._ask()
        return sorted(k for k in self.objects if k.startswith(prefix))

    def ping(self) -> None:
        self._ask()


def _failing(guarded: GuardedStorage, store: FlakyStore, times: int) -> None:
    store.down = times
    for _ in range(times):
        with pytest.raises(StorageUnavailable):
            guarded.put("k", b"x")


def test_failures_in_a_row_open_the_breaker_and_it_refuses_without_asking() -> None:
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=3, cool_down_s=60)
    _failing(guarded, store, 3)
    asked = store.asked

    with pytest.raises(StorageUnavailable) as refused:
        guarded.get("k")

    assert store.asked == asked
    assert guarded.open
    assert 59 <= refused.value.retry_after_s <= 60


def test_a_success_between_failures_starts_the_count_again() -> None:
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=3, cool_down_s=60)
    _failing(guarded, store, 2)
    guarded.put("k", b"x")
    _failing(guarded, store, 2)

    assert not guarded.open
    assert guarded.get("k") == b"x"


def test_a_missing_object_is_an_answer_not_a_failure() -> None:
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=2, cool_down_s=60)
    for _ in range(3):
        with pytest.raises(StorageKeyNotFound):
            guarded.get("absent")

    assert not guarded.open


def test_an_error_the_store_answers_counts_unless_it_says_the_key_is_not_there() -> None:
    def answering(code: str) -> None:
        raise ClientError({"Error": {"Code": code, "Message": code}}, "GetObject")

    guarded = GuardedStorage(FlakyStore(), failures=1, cool_down_s=60)
    with pytest.raises(ClientError):
        guarded._call(answering, "NoSuchKey")
    assert not guarded.open

    with pytest.raises(StorageUnavailable):
        guarded._call(answering, "AccessDenied")
    assert guarded.open


def test_after_the_cool_down_the_store_is_asked_again_and_one_success_closes_it() -> None:
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=2, cool_down_s=0.2)
    _failing(guarded, store, 2)
    assert guarded.open

    time.sleep(0.3)
    guarded.put("k", b"back")

    assert not guarded.open
    assert guarded.get("k") == b"back"


def test_a_failure_after_the_cool_down_opens_it_again_at_once() -> None:
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=2, cool_down_s=0.2)
    _failing(guarded, store, 2)
    time.sleep(0.3)
    _failing(guarded, store, 1)
    asked = store.asked

    with pytest.raises(StorageUnavailable):
        guarded.put("k", b"x")
    assert store.asked == asked


def test_only_s3_storage_is_put_behind_the_breaker(tmp_path: Path) -> None:
    local = api_storage(Settings(data_dir=tmp_path))
    s3 = api_storage(Settings(data_dir=tmp_path, storage={"backend": "s3"}))

    assert isinstance(local, LocalStorage)
    assert isinstance(s3, GuardedStorage)


def test_an_open_breaker_and_its_refusals_are_noted_for_metrics_until_it_closes(
    valkey: ValkeyProcess,
) -> None:
    figures = MetricsStore(redis.Redis.from_url(valkey.url))
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=2, cool_down_s=0.3, figures=figures)
    _failing(guarded, store, 2)
    for _ in range(3):
        with pytest.raises(StorageUnavailable):
            guarded.get("k")

    assert figures.open_breakers(time.time()) == 1
    assert figures.counter("storage_breaker_refusals") == {(): 3}

    time.sleep(0.4)
    guarded.put("k", b"back")

    assert figures.open_breakers(time.time()) == 0
    assert figures.counter("storage_breaker_refusals") == {(): 3}


def test_a_process_that_died_with_its_breaker_open_stops_counting_after_the_cool_down(
    valkey: ValkeyProcess,
) -> None:
    figures = MetricsStore(redis.Redis.from_url(valkey.url))
    figures.note_breaker_open("gone:1", until=1_000.0)

    assert figures.open_breakers(now=999.0) == 1
    assert figures.open_breakers(now=1_001.0) == 0


def test_an_outage_is_logged_once_when_it_opens_and_once_when_it_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FlakyStore()
    guarded = GuardedStorage(store, failures=2, cool_down_s=0.2)
    with caplog.at_level(logging.WARNING, logger="voicepipe.api.storage"):
        _failing(guarded, store, 2)
        for _ in range(2):  # two trials after a cool-down, each failing and opening it again
            time.sleep(0.3)
            _failing(guarded, store, 1)
        time.sleep(0.3)
        guarded.put("k", b"back")
        guarded.put("k", b"again")

    lines = [r.getMessage() for r in caplog.records]
    assert [r.levelno for r in caplog.records] == [logging.WARNING] * 2
    assert "breaker opened after 2 failed requests" in lines[0]
    assert "EndpointConnectionError" in lines[0]
    assert "breaker closed" in lines[1]
    assert not any("s3.test" in line for line in lines), "no endpoint (or credentials) logged"
