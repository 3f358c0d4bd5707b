"""A batch given a thread_id: its jobs see the thread's earlier voicemails, not its later
ones nor one another, and the thread's later voicemails see its jobs (one list entry per
batch, read as its jobs: shared.thread_pages)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shared import thread_pages
from shared.batch_keys import batch_key, jobs_key
from shared.batches import Batch, BatchItem, batch_job_id
from shared.batchstore import BatchStore
from shared.jobstore import JobStore
from shared.models import Job, JobOptions, Stage, utcnow
from shared.thread_pages import thread_key
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration

OPTIONS = JobOptions(stages=[Stage.STT, Stage.LLM], thread_id="caller-7")
START = utcnow()


def _at(seconds: int) -> datetime:
    return START + timedelta(seconds=seconds)


def _voicemail(jobs: JobStore, seconds: int) -> Job:
    job = Job(input=wav_input_meta(), options=OPTIONS, created_at=_at(seconds))
    jobs.create(job)
    return job


def _batch(jobs: JobStore, items: int, seconds: int) -> tuple[Batch, list[Job]]:
    """A batch of the thread made at ``seconds``, its jobs made one a second after it."""
    batch = Batch(source="manifest", options=OPTIONS, created_at=_at(seconds))
    BatchStore(jobs.redis).create(batch, [BatchItem(key=f"k{n}") for n in range(items)])
    made = []
    for n in range(items):
        job = Job(
            id=batch_job_id(batch.id, n),
            input=wav_input_meta(),
            options=OPTIONS,
            batch_id=batch.id,
            batch_index=n,
            created_at=_at(seconds + 1 + n),
        )
        jobs.create_batch_job(job)
        made.append(job)
    return batch, made


def _ids(found: list[Job]) -> list[str]:
    return [j.id for j in found]


def test_a_voicemail_left_after_a_batch_of_its_thread_is_given_the_batch_s_jobs(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    before = _voicemail(jobs, 0)
    _, items = _batch(jobs, 2, 10)
    after = _voicemail(jobs, 20)

    assert _ids(jobs.thread_before(after)) == [before.id, items[0].id, items[1].id]


def test_a_batch_s_jobs_see_the_voicemails_before_them_not_one_another_nor_those_after(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    before = _voicemail(jobs, 0)
    _, items = _batch(jobs, 3, 10)
    _voicemail(jobs, 20)

    for item in items:
        assert _ids(jobs.thread_before(item)) == [before.id]


def test_a_later_batch_s_jobs_see_an_earlier_batch_s_jobs(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    _, first = _batch(jobs, 2, 0)
    between = _voicemail(jobs, 10)
    _, second = _batch(jobs, 2, 20)

    expected = [first[0].id, first[1].id, between.id]
    assert [_ids(jobs.thread_before(j)) for j in second] == [expected, expected]


def test_a_batch_job_made_after_a_voicemail_is_not_in_that_voicemail_s_history(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    _, items = _batch(jobs, 1, 0)
    # Left while the batch's later items were still being fetched.
    voicemail = _voicemail(jobs, 5)
    late = Job(
        id=batch_job_id(items[0].batch_id or "", 1),
        input=wav_input_meta(),
        options=OPTIONS,
        batch_id=items[0].batch_id,
        batch_index=1,
        created_at=_at(6),
    )
    jobs.create_batch_job(late)

    assert _ids(jobs.thread_before(voicemail)) == [items[0].id]


def test_where_and_limit_hold_across_a_batch_read_as_its_jobs(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    before = _voicemail(jobs, 0)
    _, items = _batch(jobs, 6, 10)
    after = _voicemail(jobs, 30)
    kept = {before.id, *(j.id for j in items[::2])}

    def where(job: Job) -> bool:
        return job.id in kept

    assert _ids(jobs.thread_before(after, limit=2, where=where)) == [items[2].id, items[4].id]
    assert _ids(jobs.thread_before(after, limit=9, where=where)) == [
        before.id,
        items[0].id,
        items[2].id,
        items[4].id,
    ]


def test_a_batch_entry_is_read_no_further_than_its_bound(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = JobStore.from_url(valkey.url)
    before = _voicemail(jobs, 0)
    _, items = _batch(jobs, 6, 10)
    after = _voicemail(jobs, 30)
    monkeypatch.setattr(thread_pages, "BATCH_READS", 3)

    # Its three newest items are read, left out, and the batch is not read further.
    assert _ids(jobs.thread_before(after, where=lambda j: j.id != items[5].id)) == [
        before.id,
        items[3].id,
        items[4].id,
    ]
    assert _ids(jobs.thread_before(after, where=lambda j: j.id == items[0].id)) == []


def test_a_discarded_batch_leaves_its_thread(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    batch = Batch(source="manifest", options=OPTIONS, created_at=_at(0))
    batches.create(batch, [BatchItem(key="k0")])
    listed = jobs.redis.lrange(thread_key("default", "caller-7"), 0, -1)
    assert listed == [batch.id.encode()]

    batches.discard(batch)

    assert jobs.redis.lrange(thread_key("default", "caller-7"), 0, -1) == []
    assert jobs.thread_before(_voicemail(jobs, 10)) == []


def test_a_batch_or_batch_jobs_gone_give_nothing(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    first, _ = _batch(jobs, 2, 0)
    _, kept = _batch(jobs, 2, 10)
    jobs.delete(kept[0])
    jobs.redis.delete(batch_key(first.id), jobs_key(first.id))
    after = _voicemail(jobs, 20)

    # The first batch's jobs are still stored: its entry, its batch gone, reads none of them.
    assert _ids(jobs.thread_before(after)) == [kept[1].id]
