"""Batches on the running stack: every way in, counters, paging, exports, cancel and retry."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest

from shared.batches import Batch
from shared.batchstore import BatchStore
from shared.celery_app import create_celery
from shared.queues import INGEST, INGEST_TASKS
from tests import audio_factory as af
from tests.integration.conftest import WEBHOOK_SECRET, RunningStack
from tests.local_http import LocalServer, WebhookReceiver

pytestmark = pytest.mark.integration

TERMINAL = {"completed", "canceled"}


def wait_batch(stack: RunningStack, batch_id: str, timeout_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        batch: dict[str, Any] = stack.http.get(f"/v1/batches/{batch_id}").json()
        if batch["status"] in TERMINAL:
            return batch
        time.sleep(0.25)
    raise TimeoutError(f"batch {batch_id} did not complete in {timeout_s} s")


def upload(stack: RunningStack, parts: list[tuple[str, bytes]], **fields: str) -> dict[str, Any]:
    files = [("file", (name, data)) for name, data in parts]
    response = stack.http.post("/v1/batches", files=files, data=fields)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def rows(stack: RunningStack, batch_id: str, fmt: str) -> list[dict[str, Any]]:
    response = stack.http.get(f"/v1/batches/{batch_id}/results", params={"format": fmt})
    assert response.status_code == 200
    if fmt == "jsonl":
        assert response.headers["content-type"] == "application/x-ndjson"
        return [json.loads(line) for line in response.text.splitlines()]
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_multipart_batch_makes_a_job_per_part_and_records_the_part_that_is_not_audio(
    light_stack: RunningStack,
) -> None:
    parts = [(f"vm{i}.wav", af.encode("wav", 1.0, seed=i)) for i in range(4)]
    parts.insert(2, ("notes.wav", af.text_as_wav()))

    created = upload(light_stack, parts, stages="stt")
    batch = wait_batch(light_stack, created["id"])

    assert created["status"] in {"expanding", "running", "completed"}
    assert batch["status"] == "completed"
    assert batch["items"] == 5
    assert batch["created"] == 4
    assert batch["rejected"] == 1
    assert batch["rejected_by_code"] == {"unsupported_format": 1}
    assert sum(batch["counts"].values()) == 4
    assert batch["progress"] == 1.0
    assert batch["finished_at"] is not None
    staged = light_stack.storage.list(f"default/batches/{created['id']}/")
    assert staged == [], "staged parts are deleted once their items are handled"


def test_the_results_export_has_one_complete_row_per_item_matching_its_job(
    light_stack: RunningStack,
) -> None:
    parts = [(f"m{i}.wav", af.encode("wav", 1.0, seed=20 + i)) for i in range(3)]
    parts.append(("=cmd.wav", af.text_as_wav()))
    batch_id = upload(light_stack, parts, stages="stt")["id"]
    wait_batch(light_stack, batch_id)

    for fmt in ("csv", "jsonl"):
        table = rows(light_stack, batch_id, fmt)
        assert [int(r["item_index"]) for r in table] == [0, 1, 2, 3]
        for row in table[:3]:
            job = light_stack.http.get(f"/v1/jobs/{row['job_id']}").json()
            assert row["status"] == job["status"]
            assert row["source"] == job["source"]
            assert float(row["duration_s"]) == job["input"]["duration_s"]
            assert (row["transcript"] or "") == (job["results"]["transcript"] or "")
            assert row["transcript_url"].endswith(f"/v1/jobs/{job['id']}/transcript")
        rejected = table[3]
        assert rejected["status"] == "rejected"
        assert rejected["failure_code"] == "unsupported_format"
        assert rejected["failure_message"]
        # A spreadsheet must not run the file name as a formula.
        assert rejected["source"] == ("'=cmd.wav" if fmt == "csv" else "=cmd.wav")


def test_a_manifest_keeps_each_items_metadata_and_records_each_refused_url(
    light_stack: RunningStack,
) -> None:
    folder = light_stack.settings.imports_dir / "default" / "mailbox"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.wav").write_bytes(af.encode("wav", 1.0, seed=31))
    with LocalServer() as files:
        files.routes["/b.mp3"] = (200, {"Content-Type": "audio/mpeg"}, af.encode("mp3", 1.0))
        files.routes["/to-private"] = (302, {"Location": "http://10.0.0.1/x.wav"}, b"")
        files.routes["/huge.wav"] = (200, {"Content-Length": str(30 * 1024 * 1024)}, b"RIFF")
        items: list[dict[str, Any]] = [
            {"key": "mailbox/a.wav", "metadata": {"caller_id": "+13125550100", "mailbox": "7"}},
            {"url": f"{files.url}/b.mp3", "metadata": {"received_at": "2026-11-30T09:00:00Z"}},
            {"url": "http://127.0.0.2/c.wav"},
            {"url": "http://10.0.0.1/d.wav"},
            {"url": "http://169.254.169.254/latest/meta-data"},
            {"url": "ftp://example.com/e.wav"},
            {"url": f"{files.url}/to-private"},
            {"url": f"{files.url}/huge.wav"},
            {"key": "mailbox/missing.wav"},
        ]
        response = light_stack.http.post("/v1/batches", json={"items": items, "stages": "stt"})
        assert response.status_code == 202, response.text
        batch = wait_batch(light_stack, response.json()["id"])

    table = rows(light_stack, batch["id"], "jsonl")
    codes = [row["failure_code"] for row in table]
    assert codes == [
        None,
        None,
        "url_refused",  # loopback other than the one allowed address
        "url_refused",  # private range
        "url_refused",  # link-local (cloud metadata)
        "url_refused",  # not HTTP
        "url_refused",  # a redirect to a private address
        "too_large",
        "object_not_found",
    ]
    assert table[0]["metadata"] == {"caller_id": "+13125550100", "mailbox": "7"}
    assert table[1]["metadata"] == {"received_at": "2026-11-30T09:00:00Z"}
    assert [r["status"] for r in table[:2]] == ["succeeded", "succeeded"]
    job = light_stack.http.get(f"/v1/jobs/{table[0]['job_id']}").json()
    assert job["metadata"] == {"caller_id": "+13125550100", "mailbox": "7"}
    assert job["batch_id"] == batch["id"]
    assert batch["rejected_by_code"] == {"object_not_found": 1, "too_large": 1, "url_refused": 5}
    assert not any(path == "/to-private" and m != "GET" for m, path, _, _ in files.requests)


def test_a_prefix_batch_takes_every_object_under_it_and_nothing_else(
    light_stack: RunningStack,
) -> None:
    base = light_stack.settings.imports_dir / "default"
    for name in ("day1/x.wav", "day1/y.ogg", "day1/sub/z.flac", "day2/other.wav"):
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(af.encode(name.rsplit(".", 1)[1], 1.0, seed=len(name)))  # type: ignore[arg-type]

    response = light_stack.http.post(
        "/v1/batches", json={"prefix": {"prefix": "day1/"}, "stages": "stt"}
    )
    batch = wait_batch(light_stack, response.json()["id"])

    assert batch["source"] == "prefix"
    assert batch["items"] == 3
    assert [r["source"] for r in rows(light_stack, batch["id"], "jsonl")] == [
        "day1/sub/z.flac",
        "day1/x.wav",
        "day1/y.ogg",
    ]


def test_jobs_of_a_batch_page_by_cursor_and_filter_by_status(light_stack: RunningStack) -> None:
    parts = [(f"p{i}.wav", af.encode("wav", 1.0, seed=40 + i)) for i in range(5)]
    batch_id = upload(light_stack, parts, stages="stt")["id"]
    wait_batch(light_stack, batch_id)

    seen: list[str] = []
    cursor = -1
    while True:
        page = light_stack.http.get(
            f"/v1/batches/{batch_id}/jobs", params={"limit": 2, "cursor": cursor}
        ).json()
        seen.extend(job["id"] for job in page["jobs"])
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    failed = light_stack.http.get(f"/v1/batches/{batch_id}/jobs", params={"status": "failed"})

    assert len(seen) == len(set(seen)) == 5
    assert [j.batch_index for j in light_stack.jobs.get_many(seen) if j] == [0, 1, 2, 3, 4]
    assert failed.json()["jobs"] == []


def test_a_batch_callback_gets_a_verified_event_per_job_and_one_batch_completed(
    light_stack: RunningStack,
) -> None:
    receiver = WebhookReceiver(WEBHOOK_SECRET, statuses=[500])
    with LocalServer() as server:
        server.answer = receiver.answer
        parts = [(f"w{i}.wav", af.encode("wav", 1.0, seed=50 + i)) for i in range(3)]
        batch_id = upload(light_stack, parts, stages="stt", callback_url=f"{server.url}/hook")["id"]
        wait_batch(light_stack, batch_id)
        deadline = time.monotonic() + 30
        while len({r.webhook_id for r in receiver.accepted()}) < 4:
            assert time.monotonic() < deadline, receiver.received
            time.sleep(0.2)

    accepted = receiver.accepted()
    kinds = sorted(r.event["type"] for r in accepted if r.event)
    assert kinds == ["batch.completed", "job.succeeded", "job.succeeded", "job.succeeded"]
    assert all(r.verified for r in receiver.received)
    first = receiver.received[0]
    assert first.status == 500
    assert [r.webhook_id for r in receiver.received].count(first.webhook_id) == 2, (
        "the failed delivery came again under the same id"
    )
    assert len({r.webhook_id for r in accepted}) == len(accepted), "each event accepted once"
    done = next(r.event for r in accepted if r.event and r.event["type"] == "batch.completed")
    assert done["data"]["batch_id"] == batch_id
    assert done["data"]["succeeded"] == 3
    listed = light_stack.http.get(f"/v1/batches/{batch_id}/webhooks").json()["deliveries"]
    assert [d["state"] for d in listed] == ["delivered"]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://127.0.0.2/hook",
        "http://169.254.169.254/hook",
        "http://[::1]/hook",
        "ftp://example.com/hook",
        "file:///etc/passwd",
    ],
)
def test_callback_urls_to_private_addresses_or_other_schemes_are_refused(
    light_stack: RunningStack, url: str
) -> None:
    files = [("file", ("a.wav", af.encode("wav", 1.0)))]
    batch = light_stack.http.post("/v1/batches", files=files, data={"callback_url": url})
    job = light_stack.http.post("/v1/jobs", files=files, data={"callback_url": url})

    for response in (batch, job):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_callback_url"


def test_canceling_a_batch_cancels_its_unfinished_jobs_and_completes_it_as_canceled(
    light_stack: RunningStack,
) -> None:
    parts = [(f"c{i}.wav", af.encode("wav", 2.0, seed=60 + i)) for i in range(8)]
    batch_id = upload(light_stack, parts)["id"]

    response = light_stack.http.post(f"/v1/batches/{batch_id}/cancel")
    batch = wait_batch(light_stack, batch_id)

    assert response.status_code == 202
    assert batch["status"] == "canceled"
    done = sum(batch["counts"][s] for s in ("succeeded", "failed", "canceled"))
    assert done + batch["rejected"] == 8
    assert batch["counts"]["canceled"] + batch["rejected_by_code"].get("batch_canceled", 0) > 0
    again = light_stack.http.post(f"/v1/batches/{batch_id}/cancel")
    assert again.status_code == 409


def test_retrying_a_batch_runs_only_its_failed_jobs_again_and_counts_each_job_once(
    light_stack: RunningStack,
) -> None:
    silent = af.encode_samples(af.silence(2.0), "wav", 16000)
    parts = [("quiet.wav", silent), ("tone.wav", af.encode("wav", 1.0, seed=70))]
    batch_id = upload(light_stack, parts, stages="stt")["id"]
    first = wait_batch(light_stack, batch_id)
    assert first["failed_by_code"] == {"stt.empty_media": 1}, first

    response = light_stack.http.post(f"/v1/batches/{batch_id}/retry")
    deadline = time.monotonic() + 60
    while True:
        again = light_stack.http.get(f"/v1/batches/{batch_id}").json()
        quiet = light_stack.jobs.get_many(
            [light_stack.http.get(f"/v1/batches/{batch_id}/jobs").json()["jobs"][0]["id"]]
        )[0]
        if again["status"] == "completed" and quiet and quiet.stages["stt"].attempts == 2:
            break
        assert time.monotonic() < deadline, again
        time.sleep(0.25)

    assert response.status_code == 202
    assert again["counts"] == first["counts"]
    assert again["failed_by_code"] == {"stt.empty_media": 1}
    nothing = light_stack.http.post(f"/v1/batches/{batch_id}/retry")
    assert nothing.status_code == 202 or nothing.json()["error"]["code"] == "nothing_to_retry"


def test_batch_requests_that_cannot_be_read_get_a_clear_4xx(light_stack: RunningStack) -> None:
    cases = [
        ({"content": b"x", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"json": {"items": []}}, 400),
        ({"json": {"items": [{"url": "https://a/b.wav", "key": "k"}]}}, 400),
        ({"json": {"items": [{"key": "k"}], "prefix": {"prefix": "p/"}}}, 400),
        ({"json": {"prefix": {"bucket": "someone-elses", "prefix": "p/"}}}, 400),
        ({"json": {"items": [{"key": "k"}], "stages": "tts"}}, 400),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
    ]
    for request, status in cases:
        response = light_stack.http.post("/v1/batches", **request)  # type: ignore[arg-type]
        assert response.status_code == status, (request, response.text)
        assert response.json()["error"]["message"]


def test_a_part_over_the_upload_limit_is_refused_as_its_item_without_being_stored(
    light_stack: RunningStack,
) -> None:
    limit = light_stack.settings.api.max_upload_bytes
    parts = [("ok.wav", af.encode("wav", 1.0, seed=80)), ("huge.wav", b"\0" * (limit + 1))]

    batch = wait_batch(light_stack, upload(light_stack, parts, stages="stt")["id"])

    assert batch["rejected_by_code"] == {"too_large": 1}
    assert batch["counts"]["succeeded"] == 1
    table = rows(light_stack, batch["id"], "jsonl")
    assert [(r["source"], r["failure_code"]) for r in table] == [
        ("ok.wav", None),
        ("huge.wav", "too_large"),
    ]


def test_a_recorded_prefix_batch_whose_prefix_lists_nothing_completes_empty(
    light_stack: RunningStack,
) -> None:
    # The API refuses such a prefix now; one recorded before it did must still finish
    # rather than be planned again and again by the sweeper.
    batch = Batch(source="prefix", prefix="../")
    BatchStore(light_stack.jobs.redis).create(batch, None)
    create_celery(light_stack.settings).send_task(
        INGEST_TASKS["plan"], args=[batch.id], queue=INGEST
    )

    finished = wait_batch(light_stack, batch.id, timeout_s=30)

    assert finished["status"] == "completed"
    assert finished["items"] == 0


def test_staged_objects_handed_to_the_ingest_workers_are_deleted(
    light_stack: RunningStack,
) -> None:
    keys = [f"default/batches/bat_refused/uploads/{n:06d}" for n in range(2)]
    for key in keys:
        light_stack.storage.put(key, b"RIFF-part")
    create_celery(light_stack.settings).send_task(
        INGEST_TASKS["discard"], args=[keys], queue=INGEST
    )

    deadline = time.monotonic() + 30
    while light_stack.storage.list("default/batches/bat_refused/") and (
        time.monotonic() < deadline
    ):
        time.sleep(0.1)

    assert light_stack.storage.list("default/batches/bat_refused/") == []
