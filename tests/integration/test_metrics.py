"""`GET /metrics` scraped and parsed with prometheus-client's own parser, on the running
stack: queue depth, batch progress and jobs by status while a batch's work waits, a latency
histogram for every stage, provider errors, webhook outcomes, and the refusals of bad
uploads."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import audio_factory as af
from tests.integration.conftest import RunningStack, paused_pool
from tests.local_http import LocalServer

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(stack: RunningStack) -> Samples:
    response = stack.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_batch_waiting_for_its_stt_pool_shows_in_the_queue_depth(
    running_stack: RunningStack,
) -> None:
    with paused_pool(running_stack, "stt"):
        files = [("file", (f"vm{i}.wav", af.encode("wav", 1.0, seed=i))) for i in range(3)]
        batch = running_stack.http.post("/v1/batches", files=files)
        assert batch.status_code == 202, batch.text
        deadline = time.monotonic() + 30
        waiting = 0.0
        while time.monotonic() < deadline and waiting < 3:
            waiting = value(scrape(running_stack), "voicepipe_queue_messages", queue="stt",
                            state="waiting")  # fmt: skip
            time.sleep(0.2)
        assert waiting >= 3
        # The same scrape tells the batch's progress and the jobs waiting by status.
        during = scrape(running_stack)
        assert value(during, "voicepipe_batches_open") >= 1
        assert value(during, "voicepipe_batch_items") >= 3
        assert value(during, "voicepipe_batch_jobs", state="queued") >= 3
        assert value(during, "voicepipe_jobs", status="queued") >= 3
    link = f"/v1/batches/{batch.json()['id']}"
    deadline = time.monotonic() + 120
    while running_stack.http.get(link).json()["status"] != "completed":
        assert time.monotonic() < deadline, running_stack.http.get(link).json()
        time.sleep(0.3)


def test_every_stage_has_a_wait_and_a_run_histogram_after_a_job(
    running_stack: RunningStack,
) -> None:
    job = running_stack.http.post("/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0))})
    running_stack.wait(job.json()["id"])
    series = [
        {"stage": stage, "provider": "local", "phase": phase}
        for stage in ("stt", "llm", "tts")
        for phase in ("wait", "run")
    ]

    # Workers add their figures to Redis once a second (StageMetricsBuffer).
    deadline = time.monotonic() + 10
    while True:
        samples = scrape(running_stack)
        counts = [value(samples, "voicepipe_stage_seconds_count", **s) for s in series]
        if all(counts) or time.monotonic() > deadline:
            break
        time.sleep(0.25)

    for stage in ("stt", "llm", "tts"):
        for phase in ("wait", "run"):
            labels = {"stage": stage, "provider": "local", "phase": phase}
            count = value(samples, "voicepipe_stage_seconds_count", **labels)
            assert count >= 1, (stage, phase)
            assert value(samples, "voicepipe_stage_seconds_bucket", le="+Inf", **labels) == count
            assert value(samples, "voicepipe_stage_seconds_sum", **labels) > 0


def test_refused_uploads_are_counted_by_their_code(running_stack: RunningStack) -> None:
    before = scrape(running_stack)

    text = running_stack.http.post("/v1/jobs", files={"file": ("a.wav", b"not audio at all")})
    empty = running_stack.http.post("/v1/jobs", data={"voice": "x"})
    # Refused by the body-size limit, in front of the app.
    big = running_stack.http.post(
        "/v1/jobs", files={"file": ("big.wav", af.random_bytes(30 * 1024 * 1024, seed=2))}
    )
    assert (text.status_code, empty.status_code, big.status_code) == (415, 400, 413)

    after = scrape(running_stack)
    for code in ("unsupported_format", "missing_file", "too_large"):
        name = "voicepipe_intake_rejections_total"
        assert value(after, name, code=code) == value(before, name, code=code) + 1


def test_jobs_by_status_add_up_to_every_job_in_the_store(running_stack: RunningStack) -> None:
    job = running_stack.http.post("/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0))})
    running_stack.wait(job.json()["id"])
    deleted = running_stack.http.post("/v1/jobs", files={"file": ("b.wav", af.encode("wav", 1.0))})
    running_stack.wait(deleted.json()["id"])
    assert running_stack.http.delete(f"/v1/jobs/{deleted.json()['id']}").status_code == 204

    # Another test's batch may still be making jobs: compare once nothing moves.
    deadline = time.monotonic() + 30
    while True:
        samples = scrape(running_stack)
        counted = sum(v for (name, _), v in samples.items() if name == "voicepipe_jobs")
        stored = len(running_stack.jobs.all_ids())
        if counted == stored or time.monotonic() > deadline:
            break
        time.sleep(0.5)

    assert counted == stored
    assert value(samples, "voicepipe_jobs", status="succeeded") >= 1


def test_a_failing_stage_is_counted_by_provider_and_code(running_stack: RunningStack) -> None:
    before = scrape(running_stack)
    labels = {"stage": "stt", "provider": "local", "code": "empty_media"}

    silent = running_stack.http.post(
        "/v1/jobs", files={"file": ("quiet.wav", af.encode_samples(af.silence(2.0), "wav", 16000))}
    )
    job = running_stack.wait(silent.json()["id"])

    after = scrape(running_stack)
    assert job["error"]["code"] == "stt.empty_media"
    name = "voicepipe_provider_errors_total"
    assert value(after, name, **labels) == value(before, name, **labels) + 1


def test_webhook_deliveries_are_counted_by_outcome(running_stack: RunningStack) -> None:
    before = scrape(running_stack)
    with LocalServer() as receiver:
        receiver.routes["/hook"] = (200, {}, b"")
        created = running_stack.http.post(
            "/v1/jobs",
            files={"file": ("a.wav", af.encode("wav", 1.0))},
            data={"stages": "stt", "callback_url": f"{receiver.url}/hook"},
        )
        running_stack.wait(created.json()["id"])
        deadline = time.monotonic() + 30
        name = "voicepipe_webhook_deliveries_total"
        while True:
            after = scrape(running_stack)
            delivered = value(after, name, outcome="delivered")
            if delivered > value(before, name, outcome="delivered") or time.monotonic() > deadline:
                break
            time.sleep(0.25)

    assert delivered >= value(before, name, outcome="delivered") + 1
