"""Cancel, idempotent submission, and silent voicemails, on the running stack."""

from __future__ import annotations

import time

import pytest

from tests import audio_factory as af
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


def test_a_repeated_idempotency_key_returns_the_same_job(light_stack: RunningStack) -> None:
    audio = af.encode("wav", 1.0, seed=11)
    headers = {"Idempotency-Key": "voicemail-7731"}

    first = light_stack.http.post("/v1/jobs", files={"file": ("a.wav", audio)}, headers=headers)
    again = light_stack.http.post("/v1/jobs", files={"file": ("a.wav", audio)}, headers=headers)

    assert first.status_code == 202
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    light_stack.wait(first.json()["id"])


def test_the_same_idempotency_key_with_another_file_is_a_conflict(
    light_stack: RunningStack,
) -> None:
    headers = {"Idempotency-Key": "voicemail-9000"}
    light_stack.http.post(
        "/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0, seed=1))}, headers=headers
    )
    jobs_before = light_stack.jobs.all_ids()

    response = light_stack.http.post(
        "/v1/jobs", files={"file": ("b.wav", af.encode("wav", 1.0, seed=2))}, headers=headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert light_stack.jobs.all_ids() == jobs_before


def test_a_silent_voicemail_fails_fast_as_empty_media(light_stack: RunningStack) -> None:
    silence = af.encode_samples(af.silence(3.0), "wav", 16000)

    created = light_stack.http.post("/v1/jobs", files={"file": ("hangup.wav", silence)})
    job = light_stack.wait(created.json()["id"])

    assert job["status"] == "failed"
    assert job["error"]["code"] == "stt.empty_media"
    assert "silence" in job["error"]["message"]
    assert job["stages"]["llm"]["status"] == "pending", "no later stage ran"


def test_canceling_stops_later_stages_and_is_repeatable(light_stack: RunningStack) -> None:
    created = light_stack.http.post(
        "/v1/jobs", files={"file": ("long.wav", af.encode("wav", 30.0, seed=5))}
    ).json()

    canceled = light_stack.http.post(f"/v1/jobs/{created['id']}/cancel")
    again = light_stack.http.post(f"/v1/jobs/{created['id']}/cancel")
    job = light_stack.wait(created["id"])
    keys = light_stack.storage.list(f"default/jobs/{created['id']}/")

    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    assert again.status_code == 200
    assert job["status"] == "canceled"
    assert job["error"]["code"] == "canceled"
    assert job["results"]["reply_audio_key"] is None
    assert [k.rsplit("/", 1)[1] for k in keys] == ["input.wav"], "no stage output was kept"


def test_deleting_a_finished_job_deletes_its_objects_and_its_record(
    light_stack: RunningStack,
) -> None:
    created = light_stack.http.post(
        "/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0, seed=3))}
    ).json()
    finished = light_stack.wait(created["id"])
    before = light_stack.storage.list(f"default/jobs/{created['id']}/")

    response = light_stack.http.delete(f"/v1/jobs/{created['id']}")
    again = light_stack.http.delete(f"/v1/jobs/{created['id']}")

    assert finished["status"] in {"succeeded", "failed"}
    assert before, "the finished job had objects to delete"
    assert response.status_code == 204
    assert again.status_code == 404
    assert light_stack.storage.list(f"default/jobs/{created['id']}/") == []
    for path in ("", "/transcript", "/reply", "/webhooks"):
        gone = light_stack.http.get(f"/v1/jobs/{created['id']}{path}")
        assert gone.status_code == 404, path
        assert gone.json()["error"]["code"] == "job_not_found"
    listed = light_stack.http.get("/v1/jobs", params={"limit": 200}).json()
    assert created["id"] not in {job["id"] for job in listed["jobs"]}


def test_deleting_a_running_job_leaves_no_object_behind(light_stack: RunningStack) -> None:
    created = light_stack.http.post(
        "/v1/jobs", files={"file": ("long.wav", af.encode("wav", 20.0, seed=6))}
    ).json()
    deadline = time.monotonic() + 60
    while light_stack.http.get(f"/v1/jobs/{created['id']}").json()["status"] == "queued":
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)

    response = light_stack.http.delete(f"/v1/jobs/{created['id']}")
    # The stage that was running finishes on its own time, finds no job and drops its output.
    _wait_for_the_stage_to_drop_its_result(light_stack, created["id"])

    assert response.status_code == 204
    assert light_stack.http.get(f"/v1/jobs/{created['id']}").status_code == 404
    assert light_stack.storage.list(f"default/jobs/{created['id']}/") == []


def test_only_failed_or_canceled_jobs_can_be_retried(light_stack: RunningStack) -> None:
    created = light_stack.http.post(
        "/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0, seed=4))}
    ).json()
    light_stack.wait(created["id"])

    response = light_stack.http.post(f"/v1/jobs/{created['id']}/retry")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_retryable"


def _wait_for_the_stage_to_drop_its_result(stack: RunningStack, job_id: str) -> None:
    """Until the worker says the running stage finished without its job (workers.stage logs
    that after deleting what it stored), instead of a fixed wait longer than the stage."""
    deadline = time.monotonic() + 60
    while True:
        for log in stack.stack.logs_dir.glob("worker-*.log"):
            for line in log.read_text(errors="replace").splitlines():
                if f"job {job_id}" in line and "dropped" in line:
                    return
        assert time.monotonic() < deadline, "the running stage never said it dropped its result"
        time.sleep(0.1)
