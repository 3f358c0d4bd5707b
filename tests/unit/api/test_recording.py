"""api.recording: a new job and its first message in one awaited script call."""

from __future__ import annotations

import asyncio

import pytest

from api.recording import JobRecorder
from shared.celery_app import create_celery
from shared.jobstore import JobStore
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job


def _recorder(valkey: ValkeyProcess) -> tuple[JobRecorder, JobStore]:
    store = JobStore.from_url(valkey.url)
    celery = create_celery(Settings(broker={"url": valkey.url}))
    return JobRecorder(valkey.url, store, celery), store


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
