"""Idempotency-Key claims: one request's claim, sent again by the client after a lost reply,
is still that request's."""

from __future__ import annotations

import time

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


def test_a_claim_whose_job_was_never_made_is_free_again_once_abandoned(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The request that claimed the key failed and could not release it (the broker went
    # away between the two): every retry was told "in progress" for the claim's 24 hours.
    jobs = JobStore.from_url(valkey.url)
    lost = Job(tenant="acme", input=wav_input_meta(key="in/vm.wav"))
    assert idempotency.claim(jobs, "acme", "vm-1", lost.id, "sha-1") is None
    with pytest.raises(ApiError) as waiting:
        idempotency.replay(jobs, "acme", "vm-1", "sha-1")
    assert waiting.value.code == "idempotency_in_progress"

    later = time.time() + idempotency.ABANDONED_S + 1
    monkeypatch.setattr(idempotency.time, "time", lambda: later)
    retry = Job(tenant="acme", input=wav_input_meta(key="in/vm.wav"))

    assert idempotency.replay(jobs, "acme", "vm-1", "sha-1") is None
    assert idempotency.claim(jobs, "acme", "vm-1", retry.id, "sha-1") is None
    jobs.create(retry)
    assert idempotency.replay(jobs, "acme", "vm-1", "sha-1") == retry
    # The abandoned claim named nothing: another file with the key is no conflict with it.
    assert idempotency.claim(jobs, "acme", "vm-2", lost.id, "sha-1") is None
    assert idempotency.claim(jobs, "acme", "vm-2", retry.id, "sha-2") is None


def test_a_claim_still_young_or_whose_job_was_deleted_is_not_taken_over(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = JobStore.from_url(valkey.url)
    young = Job(tenant="acme", input=wav_input_meta(key="in/vm.wav"))
    gone = Job(tenant="acme", input=wav_input_meta(key="in/vm.wav"))
    assert idempotency.claim(jobs, "acme", "vm-young", young.id, "sha-1") is None
    assert idempotency.claim(jobs, "acme", "vm-gone", gone.id, "sha-1") is None
    jobs.create(gone)
    jobs.delete(gone)
    later = time.time() + idempotency.ABANDONED_S + 1
    monkeypatch.setattr(idempotency.time, "time", lambda: later)

    with pytest.raises(ApiError) as deleted:
        idempotency.claim(jobs, "acme", "vm-gone", "job_new", "sha-1")
    assert deleted.value.code == "idempotency_job_deleted"
    monkeypatch.setattr(idempotency.time, "time", lambda: later - idempotency.ABANDONED_S)
    with pytest.raises(ApiError) as waiting:
        idempotency.claim(jobs, "acme", "vm-young", "job_new", "sha-1")
    assert waiting.value.code == "idempotency_in_progress"
