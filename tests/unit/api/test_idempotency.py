"""Idempotency-Key claims: one request's claim, sent again by the client after a lost reply,
is still that request's."""

from __future__ import annotations

import pytest

from api import idempotency
from api.errors import ApiError
from shared.jobstore import JobStore
from tests.conftest import ValkeyProcess


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
