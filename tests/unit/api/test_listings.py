"""GET /v1/jobs and GET /v1/batches while records come and go: a job or batch deleted between
the listing of its tenant's index and the read of its record is left out, not the whole
page answered 404, and paging goes on past it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.batch_keys import tenant_batches_key
from shared.job_listing import index_key
from tests import audio_factory as af
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def _job(http: TestClient, seed: int) -> str:
    answer = http.post("/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0, seed=seed))})
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["id"]
    return job_id


def _batch(http: TestClient) -> str:
    answer = http.post("/v1/batches", files=[("file", ("a.wav", af.encode("wav", 1.0)))])
    assert answer.status_code == 202, answer.text
    batch_id: str = answer.json()["id"]
    return batch_id


def test_a_job_deleted_after_it_was_listed_is_left_out_of_the_page(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = [_job(http, 1), _job(http, 2)]
    store = services_of(http).jobs
    listed = store.offset_page

    def listed_then_one_deleted(
        tenant: str, limit: int, offset: int
    ) -> tuple[list[str], tuple[float, str] | None]:
        # What a DELETE or the retention sweep leaves between the two reads.
        ids, position = listed(tenant, limit, offset)
        return ["job_deleted_meanwhile", *ids], position

    monkeypatch.setattr(store, "offset_page", listed_then_one_deleted)

    answer = http.get("/v1/jobs")

    assert answer.status_code == 200, answer.text
    assert [job["id"] for job in answer.json()["jobs"]] == kept[::-1]


def test_paging_jobs_by_cursor_lists_each_job_once_while_new_ones_arrive(
    http: TestClient,
) -> None:
    made = [_job(http, seed) for seed in range(3)]

    first = http.get("/v1/jobs", params={"limit": 2})
    arrived = _job(http, 9)
    second = http.get("/v1/jobs", params={"limit": 2, "cursor": first.json()["next_cursor"]})

    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    listed = [job["id"] for page in (first, second) for job in page.json()["jobs"]]
    assert listed == made[::-1]
    assert arrived not in listed
    assert second.json()["next_cursor"] is None
    assert second.json()["total"] == 4


def test_a_page_by_offset_gives_the_cursor_that_continues_it(http: TestClient) -> None:
    made = [_job(http, seed) for seed in range(3)]

    first = http.get("/v1/jobs", params={"limit": 1, "offset": 1})
    rest = http.get("/v1/jobs", params={"cursor": first.json()["next_cursor"]})

    assert [job["id"] for job in first.json()["jobs"]] == [made[1]]
    assert [job["id"] for job in rest.json()["jobs"]] == [made[0]]


def test_an_offset_with_a_cursor_skips_that_many_jobs_past_the_cursor(
    http: TestClient,
) -> None:
    made = [_job(http, n) for n in range(1, 5)]  # oldest first
    cursor = http.get("/v1/jobs", params={"limit": 1}).json()["next_cursor"]

    # Both are within the query's schema, so a client sending both gets a page, not a 400.
    skipped = http.get("/v1/jobs", params={"cursor": cursor, "offset": 1, "limit": 2})
    # Offset 0, the default a generated client may send with every call, skips nothing.
    default = http.get("/v1/jobs", params={"cursor": cursor, "offset": 0, "limit": 1})

    assert skipped.status_code == 200, skipped.text
    assert [job["id"] for job in skipped.json()["jobs"]] == [made[1], made[0]]
    assert [job["id"] for job in default.json()["jobs"]] == [made[2]]


def test_two_jobs_created_in_the_same_microsecond_at_a_page_boundary_are_both_listed(
    http: TestClient,
) -> None:
    made = {_job(http, 1), _job(http, 2)}
    store = services_of(http).jobs
    store.redis.zadd(index_key("default"), dict.fromkeys(made, 1_700_000_000.123456))

    first = http.get("/v1/jobs", params={"limit": 1})
    second = http.get("/v1/jobs", params={"limit": 1, "cursor": first.json()["next_cursor"]})

    listed = [job["id"] for page in (first, second) for job in page.json()["jobs"]]
    assert sorted(listed) == sorted(made)


def test_a_batch_gone_from_the_store_but_still_indexed_is_left_out_and_paging_goes_on(
    http: TestClient,
) -> None:
    kept = _batch(http)
    store = services_of(http).batches
    newest = store.get(kept).batch.created_at.timestamp() + 1
    store.redis.zadd(tenant_batches_key("default"), {"batch_discarded_meanwhile": newest})

    whole = http.get("/v1/batches")
    first = http.get("/v1/batches", params={"limit": 1})
    cursor = first.json()["next_cursor"]
    second = http.get("/v1/batches", params={"limit": 1, "cursor": cursor})

    assert whole.status_code == 200, whole.text
    assert [b["id"] for b in whole.json()["batches"]] == [kept]
    assert first.status_code == 200, first.text
    assert first.json()["batches"] == []
    assert cursor == f"{newest!r}:batch_discarded_meanwhile"
    assert [b["id"] for b in second.json()["batches"]] == [kept]


def test_two_batches_created_in_the_same_microsecond_at_a_page_boundary_are_both_listed(
    http: TestClient,
) -> None:
    made = {_batch(http), _batch(http)}
    store = services_of(http).batches
    # What two intakes in the same microsecond leave: one creation time in the index.
    store.redis.zadd(tenant_batches_key("default"), dict.fromkeys(made, 1_700_000_000.123456))

    first = http.get("/v1/batches", params={"limit": 1})
    second = http.get("/v1/batches", params={"limit": 1, "cursor": first.json()["next_cursor"]})

    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    listed = [b["id"] for page in (first, second) for b in page.json()["batches"]]
    assert sorted(listed) == sorted(made)


def test_a_cursor_of_a_creation_time_alone_still_lists_the_batches_created_before_it(
    http: TestClient,
) -> None:
    older, newer = _batch(http), _batch(http)
    store = services_of(http).batches
    times = {older: 1_700_000_000.5, newer: 1_700_000_001.5}
    store.redis.zadd(tenant_batches_key("default"), times)

    answer = http.get("/v1/batches", params={"cursor": "1700000001.5"})

    assert answer.status_code == 200, answer.text
    assert [b["id"] for b in answer.json()["batches"]] == [older]


@pytest.mark.parametrize("path", ["/v1/jobs", "/v1/batches", "/v1/inbox"])
@pytest.mark.parametrize("cursor", ["", "page2"])
def test_a_cursor_that_is_none_says_what_a_cursor_is_and_where_to_get_one(
    http: TestClient, path: str, cursor: str
) -> None:
    # An empty cursor= was answered with the pattern's regex, which names neither.
    answer = http.get(path, params={"cursor": cursor})

    assert answer.status_code == 422, answer.text
    message = answer.json()["error"]["message"]
    assert "pattern" not in message
    assert "^" not in message
    assert "next_cursor" in message
    assert "leave cursor out" in message


@pytest.mark.parametrize(
    ("path", "takes"),
    [
        ("/v1/jobs", "limit, offset, cursor"),
        ("/v1/batches", "limit, cursor"),
        ("/v1/inbox", "intent, urgency"),
    ],
)
def test_a_listing_refuses_a_filter_it_does_not_have_naming_those_it_takes(
    http: TestClient, path: str, takes: str
) -> None:
    _job(http, 1)

    # thread_id was ignored: every job of the tenant came back, as if the thread's.
    answer = http.get(path, params={"thread_id": "+15551234567", "limit": 5})

    assert answer.status_code == 422, answer.text
    body = answer.json()["error"]
    assert body["code"] == "invalid_request"
    assert "'thread_id'" in body["message"]
    assert takes in body["message"]


def test_a_batch_s_job_listing_refuses_a_filter_it_does_not_have(http: TestClient) -> None:
    batch = _batch(http)

    answer = http.get(f"/v1/batches/{batch}/jobs", params={"state": "failed"})

    assert answer.status_code == 422, answer.text
    message = answer.json()["error"]["message"]
    assert "'state'" in message
    assert "status, cursor, limit" in message
