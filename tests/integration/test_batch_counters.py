"""Batch counters, completion and job events on a real Valkey: exactly once, whatever races."""

from __future__ import annotations

import threading
import time

import pytest

from shared import retention
from shared.batch_keys import OPEN
from shared.batches import Batch, BatchItem, ItemRejection, batch_job_id
from shared.batchstore import RUNNING, TERMINAL, BatchStore
from shared.errors import BatchItemClosed
from shared.job_transitions import cancel, resume
from shared.jobstore import JobStore
from shared.models import ErrorInfo, Job, JobOptions, JobStatus, Stage, StageStatus, utcnow
from shared.storage import LocalStorage
from shared.webhook_models import DUE, WebhookDelivery, delivery_key, job_deliveries_key
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration

HOOK = "https://hooks.example.com/voicepipe"


def _batch(store: BatchStore, items: int, callback: str | None = None) -> Batch:
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT], callback_url=callback))
    store.create(batch, [BatchItem(key=f"k{i}") for i in range(items)])
    return batch


def _job(batch: Batch, index: int) -> Job:
    return Job(
        id=batch_job_id(batch.id, index),
        options=batch.options,
        input=wav_input_meta(),
        batch_id=batch.id,
        batch_index=index,
    )


def _one_job_batch(valkey: ValkeyProcess) -> tuple[JobStore, BatchStore, Batch, str]:
    """A batch with a webhook whose one job is made and whose planning is done."""
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    batch = _batch(batches, 1, callback=HOOK)
    jobs.create_batch_job(_job(batch, 0))
    batches.chunk_done(batch.id, 0, 1)
    return jobs, batches, batch, batch_job_id(batch.id, 0)


def _finish(job: Job, status: JobStatus = JobStatus.SUCCEEDED) -> bool:
    if job.status.terminal:
        return False
    job.status = status
    job.stages[Stage.STT].status = (
        StageStatus.SUCCEEDED if status == JobStatus.SUCCEEDED else StageStatus.FAILED
    )
    if status == JobStatus.FAILED:
        job.error = ErrorInfo(code="stt.timeout", message="too slow")
    job.finished_at = utcnow()
    return True


def _events(jobs: JobStore, kind: str) -> list[WebhookDelivery]:
    ids = [i.decode() for i in jobs.redis.zrange(DUE, 0, -1)]
    found = [WebhookDelivery.model_validate_json(jobs.redis.get(delivery_key(i))) for i in ids]
    return [event for event in found if event.type == kind]


def test_a_batch_item_job_is_made_and_counted_once_however_often_it_is_made(
    valkey: ValkeyProcess,
) -> None:
    jobs, batches = JobStore.from_url(valkey.url), BatchStore(JobStore.from_url(valkey.url).redis)
    batch = _batch(batches, 3)

    made = [jobs.create_batch_job(_job(batch, 0)) for _ in range(3)]
    jobs.create_batch_job(_job(batch, 1))

    state = batches.get(batch.id)
    assert made == [True, False, False]
    assert state.count("created") == 2
    assert state.count("status:queued") == 2
    assert [job_id for _, job_id in batches.page(batch.id, "queued", -1, 10)] == [
        batch_job_id(batch.id, 0),
        batch_job_id(batch.id, 1),
    ]


def test_a_batch_item_job_sent_again_after_a_lost_reply_is_made_and_counted_once(
    valkey: ValkeyProcess,
) -> None:
    # The client's retry sends the same script call again: the record there byte for byte is
    # that call's own, so the retry answers "made" and the ingest queues the job's first
    # stage, which it would otherwise leave to the sweeper.
    jobs, batches = JobStore.from_url(valkey.url), BatchStore(JobStore.from_url(valkey.url).redis)
    batch = _batch(batches, 1)
    job = _job(batch, 0)

    made = [jobs.create_batch_job(job), jobs.create_batch_job(job)]

    state = batches.get(batch.id)
    assert made == [True, True]
    assert state.count("created") == 1
    assert state.count("status:queued") == 1
    assert jobs.count_by_status()["queued"] == 1


def test_a_batch_recorded_again_after_a_lost_reply_lists_each_item_once(
    valkey: ValkeyProcess,
) -> None:
    batches = BatchStore(JobStore.from_url(valkey.url).redis)
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    items = [BatchItem(key=f"k{i}") for i in range(3)]

    batches.create(batch, items)
    batches.create(batch, items)

    assert [item.key for item in batches.items(batch.id, 0, 10)] == ["k0", "k1", "k2"]
    assert batches.listed(batch.id) == 3


def test_a_listed_page_sent_again_after_a_lost_reply_is_appended_once(
    valkey: ValkeyProcess,
) -> None:
    # The client's retry sends the same call again (or a redelivered listing lists the same
    # page): the cursor has moved past the page, so nothing is appended twice.
    batches = BatchStore(JobStore.from_url(valkey.url).redis)
    batch = Batch(source="prefix", prefix="day1/", options=JobOptions(stages=[Stage.STT]))
    batches.create(batch, None)
    first = [BatchItem(key="day1/a.wav"), BatchItem(key="day1/b.wav")]
    last = [BatchItem(key="day1/c.wav")]

    batches.add_listed(batch.id, first, "", "day1/b.wav", done=False)
    batches.add_listed(batch.id, first, "", "day1/b.wav", done=False)
    batches.add_listed(batch.id, last, "day1/b.wav", "day1/c.wav", done=True)
    batches.add_listed(batch.id, last, "day1/b.wav", "day1/c.wav", done=True)

    assert [item.key for item in batches.items(batch.id, 0, 10)] == [
        "day1/a.wav",
        "day1/b.wav",
        "day1/c.wav",
    ]
    state = batches.get(batch.id)
    assert state.counters["items"] == "3"
    assert state.counters["listed_after"] == "day1/c.wav"


def test_racing_transitions_count_every_job_once_and_complete_the_batch_once(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    batch = _batch(batches, 40, callback=HOOK)
    for index in range(40):
        jobs.create_batch_job(_job(batch, index))
    for start in range(0, 40, 10):
        batches.chunk_done(batch.id, start, 4)

    def work(offset: int) -> None:
        # Each job is finished by two writers at once (a stage and the sweeper, say), and
        # half of them are also canceled: only the first terminal transition may count.
        for index in range(offset, 40, 4):
            job_id = batch_job_id(batch.id, index)
            status = JobStatus.FAILED if index % 3 == 0 else JobStatus.SUCCEEDED
            jobs.update(job_id, lambda j, s=status: _finish(j, s))  # type: ignore[misc]
            jobs.update(job_id, cancel)

    threads = [threading.Thread(target=work, args=(i % 4,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    state = batches.get(batch.id)
    recount = {s: 0 for s in ("succeeded", "failed", "canceled")}
    for job in jobs.get_many([batch_job_id(batch.id, i) for i in range(40)]):
        assert job is not None
        recount[job.status.value] += 1
    assert {s: state.count(f"status:{s}") for s in recount} == recount
    assert sum(recount.values()) == 40
    assert state.count("status:queued") == 0
    assert state.status == "completed"
    assert state.by_prefix("failed:") == {"stt.timeout": recount["failed"]}
    assert len(_events(jobs, "batch.completed")) == 1
    job_events = [e for e in _events(jobs, "job.succeeded") + _events(jobs, "job.failed")]
    job_events += _events(jobs, "job.canceled")
    assert sorted(e.data["job_id"] for e in job_events) == sorted(
        batch_job_id(batch.id, i) for i in range(40)
    ), "one terminal event per job"


def test_a_rejected_item_counts_once_and_an_empty_expansion_completes_the_batch(
    valkey: ValkeyProcess,
) -> None:
    batches = BatchStore(JobStore.from_url(valkey.url).redis)
    batch = _batch(batches, 1, callback=HOOK)
    refusal = ItemRejection(index=0, source="k0", code="url_refused", message="private")

    job_key = JobStore.record_key(batch_job_id(batch.id, 0))
    first, second = (
        batches.reject(batch.id, refusal, job_key),
        batches.reject(batch.id, refusal, job_key),
    )
    before = batches.get(batch.id).status
    batches.chunk_done(batch.id, 0, 1)

    state = batches.get(batch.id)
    assert (first, second) == (True, False)
    assert before == "expanding", "not complete before every item is known"
    assert state.count("rejected") == 1
    assert state.by_prefix("rejected:") == {"url_refused": 1}
    assert state.status == "completed"


def test_a_retried_job_leaves_the_completed_batch_running_until_it_ends_again(
    valkey: ValkeyProcess,
) -> None:
    jobs, batches, batch, job_id = _one_job_batch(valkey)
    jobs.update(job_id, lambda j: _finish(j, JobStatus.FAILED))
    assert batches.get(batch.id).status == "completed"

    jobs.update(job_id, lambda j: resume(j) is not None)
    running = batches.get(batch.id)
    jobs.update(job_id, _finish)
    again = batches.get(batch.id)

    assert running.status == "running"
    assert running.count("status:failed") == 0
    assert running.by_prefix("failed:") == {}
    assert again.status == "completed"
    assert again.count("status:succeeded") == 1
    assert len(_events(jobs, "batch.completed")) == 2, "each completion is an event"


def test_stage_events_are_owed_only_when_asked_for(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    quiet = Job(input=wav_input_meta(), options=JobOptions(callback_url=HOOK))
    chatty = Job(input=wav_input_meta(), options=JobOptions(callback_url=HOOK, stage_events=True))
    for job in (quiet, chatty):
        jobs.create(job)
        jobs.update(job.id, lambda j: setattr(j.stages[Stage.STT], "status", StageStatus.SUCCEEDED))

    def kinds(job: Job) -> list[str]:
        ids = [i.decode() for i in jobs.redis.lrange(job_deliveries_key(job.id), 0, -1)]
        return [
            WebhookDelivery.model_validate_json(jobs.redis.get(delivery_key(i))).type for i in ids
        ]

    assert kinds(quiet) == []
    assert kinds(chatty) == ["job.stage.succeeded"]


def test_an_ended_job_with_retention_is_purged_when_due_and_keeps_its_record(
    valkey: ValkeyProcess, tmp_path: object
) -> None:
    from pathlib import Path

    jobs = JobStore.from_url(valkey.url)
    storage = LocalStorage(Path(str(tmp_path)) / "objects")
    job = Job(input=wav_input_meta(), options=JobOptions(delete_after_seconds=60))
    job.input.key = job.object_key("input.wav")
    storage.put(job.input.key, b"RIFF")
    storage.put(job.object_key("transcript.json"), b"{}")
    jobs.create(job)
    not_yet = jobs.purge_due(time.time())

    jobs.update(job.id, _finish)
    due = jobs.purge_due(time.time() + 61)
    purged = retention.purge(jobs, storage, job.id)

    assert not_yet == []
    assert due == [job.id]
    assert storage.list(job.object_key("")) == []
    assert purged.objects_deleted_at is not None
    assert purged.status == JobStatus.SUCCEEDED
    assert jobs.purge_due(time.time() + 61) == [], "done once: out of the index"


def _settled(batches: BatchStore, batch: Batch) -> tuple[str, dict[str, int]]:
    state = batches.get(batch.id)
    counts = {
        s: state.count(f"status:{s}") for s in (*RUNNING, *TERMINAL) if state.count(f"status:{s}")
    }
    return state.status, counts


def test_a_canceled_batch_job_retried_while_its_delete_is_under_way_still_ends_its_batch(
    valkey: ValkeyProcess,
) -> None:
    # The race of a retry and a DELETE sent at once, in its bad order: the delete's cancel
    # finds the job already canceled, the retry moves it back to queued, then the delete
    # removes the record. The batch counted it queued for good and never ended.
    jobs, batches, batch, job_id = _one_job_batch(valkey)
    jobs.update(job_id, cancel)

    deleting = jobs.update(job_id, cancel)
    jobs.update(job_id, lambda j: resume(j) is not None)
    jobs.delete(deleting)
    jobs.delete(deleting)

    status, counts = _settled(batches, batch)
    assert status == "completed"
    assert counts == {"canceled": 1}
    assert batches.page(batch.id, "queued", -1, 10) == []
    assert [job for _, job in batches.page(batch.id, "canceled", -1, 10)] == [job_id]
    assert jobs.redis.zscore(OPEN, batch.id) is None
    assert len(_events(jobs, "batch.completed")) == 2, "it completed, ran again, completed"
    assert jobs.count_by_status().get("queued", 0) == 0


def test_an_unfinished_batch_job_deleted_counts_once_as_canceled_and_ends_its_batch(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    batch = _batch(batches, 3)
    for index in range(3):
        jobs.create_batch_job(_job(batch, index))
    batches.chunk_done(batch.id, 0, 1)
    jobs.update(batch_job_id(batch.id, 0), _finish)
    jobs.update(batch_job_id(batch.id, 1), lambda j: _finish(j, JobStatus.FAILED))
    queued = jobs.get(batch_job_id(batch.id, 2))

    jobs.delete(queued)
    jobs.delete(queued)
    jobs.delete(jobs.get(batch_job_id(batch.id, 0)))

    status, counts = _settled(batches, batch)
    assert status == "completed"
    assert counts == {"succeeded": 1, "failed": 1, "canceled": 1}, "an ended job keeps its count"
    assert batches.get(batch.id).done == 3


def test_an_item_that_is_a_job_cannot_be_rejected_nor_a_rejected_item_become_a_job(
    valkey: ValkeyProcess,
) -> None:
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    batch = _batch(batches, 2)
    jobs.create_batch_job(_job(batch, 0))
    refusal = ItemRejection(index=1, source="k1", code="url_refused", message="private")
    batches.reject(batch.id, refusal, JobStore.record_key(batch_job_id(batch.id, 1)))

    late_refusal = refusal.model_copy(update={"index": 0})
    refused = batches.reject(batch.id, late_refusal, JobStore.record_key(batch_job_id(batch.id, 0)))
    with pytest.raises(BatchItemClosed) as late_job:
        jobs.create_batch_job(_job(batch, 1))
    batches.chunk_done(batch.id, 0, 1)

    state = batches.get(batch.id)
    assert refused is False
    assert late_job.value.code == "item_rejected"
    assert not jobs.exists(batch_job_id(batch.id, 1))
    assert (state.count("created"), state.count("rejected"), state.items) == (1, 1, 2)
    assert state.status == "running"  # job 0 is still queued
    assert [index for index, _ in batches.rows(batch.id)] == [0, 1]


def test_a_canceled_batch_makes_no_more_jobs(valkey: ValkeyProcess) -> None:
    jobs = JobStore.from_url(valkey.url)
    batches = BatchStore(jobs.redis)
    batch = _batch(batches, 2)
    jobs.create_batch_job(_job(batch, 0))

    assert batches.mark_canceled(batch.id)
    with pytest.raises(BatchItemClosed) as refused:
        jobs.create_batch_job(_job(batch, 1))

    assert refused.value.code == "batch_canceled"
    assert not jobs.exists(batch_job_id(batch.id, 1))
    assert batches.get(batch.id).count("created") == 1


def test_a_batch_that_completed_is_not_marked_canceled_by_a_cancel_that_came_late(
    valkey: ValkeyProcess,
) -> None:
    jobs, batches, batch, job_id = _one_job_batch(valkey)
    jobs.update(job_id, _finish)

    marked = batches.mark_canceled(batch.id)

    state = batches.get(batch.id)
    assert marked is False
    assert state.status == "completed"
    assert [e.data["status"] for e in _events(jobs, "batch.completed")] == ["completed"]
