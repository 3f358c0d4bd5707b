"""Idempotency-Key claims: one request's claim, sent again by the client after a lost reply,
is still that request's."""

from __future__ import annotations

import pytest

from api import idempotency
from api.errors import ApiError
from shared.jobstore import JobStore
from shared.models import Job
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta


def test_a_claim_sent_again_after_a_lost_reply_is_still_this_requests(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)

    assert idempotency.claim(jobs, "acme", "vm-1", "job_a", "sha-1") is None
    # The client's retry of the same SET finds the claim there: its own.
    assert idempotency.claim(jobs, "acme", "vm-1", "job_a", "sha-1") is None


def test_another_request_with_the_key_waits_for_the_first(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    assert idempotency.claim(jobs, "acme", "vm-1", "job_a", "sha-1") is None

    with pytest.raises(ApiError) as caught:
        idempotency.claim(jobs, "acme", "vm-1", "job_b", "sha-1")

    assert caught.value.code == "idempotency_in_progress"
    with pytest.raises(ApiError) as other_file:
        idempotency.claim(jobs, "acme", "vm-1", "job_c", "sha-2")
    assert other_file.value.code == "idempotency_conflict"


def test_a_repeat_after_the_keys_job_was_deleted_is_told_so_not_to_wait(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    job = Job(tenant="acme", input=wav_input_meta(key="in/vm.wav"))
    assert idempotency.claim(jobs, "acme", "vm-1", job.id, "sha-1") is None
    jobs.create(job)
    jobs.delete(job)

    with pytest.raises(ApiError) as caught:
        idempotency.replay(jobs, "acme", "vm-1", "sha-1")

    # It answered "still being processed; retry in a moment" for the key's 24 hours.
    assert (caught.value.status_code, caught.value.code) == (410, "idempotency_job_deleted")
    assert f"created job {job.id}, which has been deleted" in caught.value.message
    assert "new key" in caught.value.message
