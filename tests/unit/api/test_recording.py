"""api.recording: a new job and its first message in one awaited script call."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from api.recording import JobRecorder
from shared.broker_clock import BrokerClock, TooLate
from shared.celery_app import create_celery
from shared.jobstore import JobStore
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job


def _recorder(valkey: ValkeyProcess, budget_s: float = 3.0) -> tuple[JobRecorder, JobStore]:
    store = JobStore.from_url(valkey.url)
    celery = create_celery(Settings(broker={"url": valkey.url}))
    return JobRecorder(valkey.url, store, celery, BrokerClock(budget_s)), store


def test_a_job_is_recorded_with_its_first_stage_queued(valkey: ValkeyProcess) -> None:
    recorder, store = _recorder(valkey)
    job = voicemail_job()

    asyncio.run(recorder.create_and_queue(job))

    assert store.get(job.id) == job
    assert store.redis.llen("stt") == 1
    assert store.count_by_status()[job.status.value] == 1


def test_each_event_loop_gets_a_client_of_its_own(valkey: ValkeyProcess) -> None:
    # Connections opened on one loop cannot be used from another (a test client per test,
    # a server restarting its loop): the second run would fail if they were shared.
    recorder, store = _recorder(valkey)
    first, second = voicemail_job(), voicemail_job()

    asyncio.run(recorder.create_and_queue(first))
    asyncio.run(recorder.create_and_queue(second))

    assert sorted(store.list_ids(first.tenant)) == sorted([first.id, second.id])


def test_an_id_taken_by_another_record_is_refused(valkey: ValkeyProcess) -> None:
    recorder, store = _recorder(valkey)
    job = voicemail_job()
    store.create(job)

    with pytest.raises(ValueError, match="already exists"):
        asyncio.run(recorder.create_and_queue(job.model_copy(update={"tenant": "other"})))
    assert store.redis.llen("stt") == 0


def test_a_creation_the_broker_runs_after_its_fence_makes_nothing_and_the_next_one_works(
    valkey: ValkeyProcess,
) -> None:
    # As if the broker's clock had been stepped 30 s ahead since this process read it: the
    # fence it is sent has passed by the broker's clock when the script runs.
    recorder, store = _recorder(valkey)
    late, next_one = voicemail_job(), voicemail_job()

    async def run() -> None:
        await recorder.create_and_queue(voicemail_job())
        clock = recorder._clock
        offset, read_at = clock._offset or (0.0, 0.0)
        clock._offset = (offset - 30, read_at)
        with pytest.raises(TooLate):
            await recorder.create_and_queue(late)
        # The refusal has the broker's clock read again.
        await recorder.create_and_queue(next_one)

    asyncio.run(run())

    assert not store.redis.exists(f"vp:job:{late.id}")
    assert late.id not in store.list_ids(late.tenant)
    assert store.get(next_one.id) == next_one
    assert store.redis.llen("stt") == 2


def test_a_creation_sent_to_a_stopped_broker_gives_up_in_its_budget_and_never_runs(
    valkey: ValkeyProcess,
) -> None:
    # A stopped (SIGSTOP) broker keeps the call in its socket and runs it when it resumes:
    # by then the API has answered 503 and deleted the input. The fence makes it run as
    # nothing; without it the job was made, its input gone.
    recorder, store = _recorder(valkey, budget_s=1.0)
    assert valkey.process is not None
    stuck = voicemail_job()

    async def run() -> float:
        await recorder.create_and_queue(voicemail_job())  # a connection open and ready
        os.kill(valkey.process.pid, signal.SIGSTOP)  # type: ignore[union-attr]
        began = time.monotonic()
        try:
            with pytest.raises(TimeoutError):
                await recorder.create_and_queue(stuck)
            return time.monotonic() - began
        finally:
            os.kill(valkey.process.pid, signal.SIGCONT)  # type: ignore[union-attr]

    waited = asyncio.run(run())

    assert waited < 5
    # What was sent before the pause runs as soon as the broker resumes, before it reads a
    # command from a connection it has yet to accept; a little more time for good measure.
    store.redis.ping()
    time.sleep(0.2)
    assert not store.redis.exists(f"vp:job:{stuck.id}")
    assert store.redis.llen("stt") == 1
