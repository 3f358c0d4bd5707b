"""A batch retry and a cancel of the same batch sent one after the other, on the running
stack: the cancel is accepted, nothing runs again, and the batch ends canceled once with
counters that add up; a canceled batch is not retried."""

from __future__ import annotations

import pytest

from tests import audio_factory as af
from tests.integration.conftest import RunningStack, paused_pool
from tests.integration.test_batches import upload, wait_batch

pytestmark = pytest.mark.integration


def test_a_cancel_sent_right_after_a_retry_cancels_the_batch_and_nothing_runs_again(
    light_stack: RunningStack,
) -> None:
    http = light_stack.http
    silent = af.encode_samples(af.silence(2.0), "wav", 16000)
    parts = [("quiet.wav", silent), ("tone.wav", af.encode("wav", 1.0, seed=71))]
    batch_id = upload(light_stack, parts, stages="stt")["id"]
    first = wait_batch(light_stack, batch_id)
    assert first["status"] == "completed"
    assert first["failed_by_code"] == {"stt.empty_media": 1}, first

    # The ingest pool takes neither task until both requests are answered: the retry has
    # resumed nothing yet when the cancel arrives.
    with paused_pool(light_stack, "ingest"):
        retried = http.post(f"/v1/batches/{batch_id}/retry")
        canceled = http.post(f"/v1/batches/{batch_id}/cancel")
        assert retried.status_code == 202, retried.text
        assert retried.json()["status"] == "running"
        assert canceled.status_code == 202, canceled.text
    batch = wait_batch(light_stack, batch_id)

    assert batch["status"] == "canceled"
    assert batch["counts"] == first["counts"]  # the failed job was not run again
    done = sum(batch["counts"][s] for s in ("succeeded", "failed", "canceled"))
    assert done + batch["rejected"] == batch["items"] == 2
    jobs = http.get(f"/v1/batches/{batch_id}/jobs", params={"status": "failed"}).json()["jobs"]
    assert [job["stages"]["stt"]["attempts"] for job in jobs] == [1]
    again = http.post(f"/v1/batches/{batch_id}/retry")
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "not_retryable"
    one = http.post(f"/v1/jobs/{jobs[0]['id']}/retry")
    assert one.status_code == 409, one.text
    assert http.get(f"/v1/batches/{batch_id}").json()["status"] == "canceled"
