"""`GET /metrics` scraped and parsed with prometheus-client's own parser, on the running
stack: queue depth while a batch's work waits, a latency histogram for every stage, and the
refusals of bad uploads."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import audio_factory as af
from tests.integration.conftest import RunningStack, paused_pool

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
    assert (text.status_code, empty.status_code) == (415, 400)

    after = scrape(running_stack)
    for code in ("unsupported_format", "missing_file"):
        name = "voicepipe_intake_rejections_total"
        assert value(after, name, code=code) == value(before, name, code=code) + 1
