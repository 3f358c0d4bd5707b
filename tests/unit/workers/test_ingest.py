"""The ingest queue's whole-batch actions, against a real Valkey: a job deleted since its
batch listed it is skipped, and the rest of the batch is still acted on."""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry

from shared.batches import Batch, batch_job_id
from shared.celery_app import create_celery
from shared.models import ErrorInfo, Job, JobOptions, JobStatus, Stage, StageStatus
from shared.queue_depth import priority_list
from shared.settings import Settings
from shared.storage import LocalStorage
from shared.task_messages import BATCH_PRIORITY
from tests.factories import wav_input_meta
from workers.context import WorkerContext
from workers.ingest import cancel_unfinished, discard_objects, resume_failed


class _App:
    """Records what would be queued."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[str], str]] = []

    def send_task(self, name: str, args: list[str], queue: str, priority: int = 0) -> Any:
        self.sent.append((name, args, queue))
        return type("Result", (), {"id": "t"})()


def _queued_job(ctx: WorkerContext, batch: Batch, index: int) -> Job:
    job = Job(
        options=JobOptions(stages=[Stage.STT, Stage.LLM]),
        input=wav_input_meta(key=f"in/{index}.wav"),
        batch_id=batch.id,
        batch_index=index,
    )
    ctx.jobs.create(job)
    return job


def _failed_job(ctx: WorkerContext, batch: Batch, index: int) -> Job:
    job = Job(
        options=JobOptions(stages=[Stage.STT, Stage.LLM]),
        input=wav_input_meta(key=f"in/{index}.wav"),
        batch_id=batch.id,
        batch_index=index,
    )
    ctx.jobs.create(job)

    def failed(stored: Job) -> bool:
        stored.status = JobStatus.FAILED
        stored.failed_stage = Stage.STT
        stored.stages[Stage.STT].status = StageStatus.FAILED
        stored.error = ErrorInfo(code="stt.provider_unavailable", message="The vendor was down.")
        return True

    # Through an update, as a stage fails it: that is what files it under the batch's failed.
    job = ctx.jobs.update(job.id, failed)
    return job


def test_retrying_a_batch_skips_a_failed_job_deleted_since_and_runs_the_others(
    ctx: WorkerContext,
) -> None:
    batch = Batch(tenant="default", source="manifest", options=JobOptions())
    ctx.batches.create(batch, [])
    deleted, kept = _failed_job(ctx, batch, 0), _failed_job(ctx, batch, 1)
    ctx.jobs.delete(deleted)
    app = create_celery(ctx.settings)

    resumed = resume_failed(ctx, app, batch.id)

    assert resumed == 1
    assert _stage_messages(ctx, Stage.STT) == [[kept.id]]
    assert ctx.jobs.get(kept.id).status == JobStatus.QUEUED


def _stage_messages(ctx: WorkerContext, stage: Stage) -> list[list[str]]:
    """The args of each message waiting in ``stage``'s queue, on its list for batch jobs."""
    raws = ctx.jobs.redis.lrange(priority_list(stage.value, BATCH_PRIORITY), 0, -1)
    return [json.loads(base64.b64decode(json.loads(raw)["body"]))[0] for raw in raws]


def test_retrying_a_batch_queues_each_job_with_its_message_in_one_write(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broker gone after a job is written queued (or the ingest worker killed there):
    # written first and sent after, the job stayed queued with no message, and the batch's
    # retry, finding it no longer failed, never queued it again.
    batch = Batch(tenant="default", source="manifest", options=JobOptions())
    ctx.batches.create(batch, [])
    failed = _failed_job(ctx, batch, 0)
    app = create_celery(ctx.settings)

    def gone(*_: object, **__: object) -> None:
        raise ConnectionError("the broker went away")

    monkeypatch.setattr(app, "send_task", gone)

    assert resume_failed(ctx, app, batch.id) == 1
    assert ctx.jobs.get(failed.id).status == JobStatus.QUEUED
    assert _stage_messages(ctx, Stage.STT) == [[failed.id]]


def test_canceling_a_batch_skips_a_job_deleted_since_and_cancels_the_others(
    ctx: WorkerContext,
) -> None:
    batch = Batch(tenant="default", source="manifest", options=JobOptions())
    ctx.batches.create(batch, [])
    deleted, kept = _queued_job(ctx, batch, 0), _queued_job(ctx, batch, 1)
    ctx.jobs.delete(deleted)

    cancel_unfinished(ctx, batch.id)

    assert ctx.jobs.get(kept.id).status == JobStatus.CANCELED


def _tone_wav(seconds: float = 3.0) -> bytes:
    import numpy as np

    from shared.audio import encode_pcm

    t = np.arange(int(16_000 * seconds)) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


def test_a_redacting_batchs_job_and_rejection_show_its_objects_name_without_the_number(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.batches import BatchItem
    from shared.redaction_policy import JobRedaction
    from workers import batch_items

    imports = LocalStorage(tmp_path / "imports")
    key = functools.partial(batch_items.import_key, ctx.settings, "default")
    imports.put(key("vm/+14155552671_Maria_Lopez.wav"), _tone_wav(), "audio/wav")
    imports.put(key("vm/from 415-555-2671.wav"), b"not audio", "audio/wav")
    monkeypatch.setattr(batch_items, "import_location", lambda settings: imports)
    batch = Batch(source="manifest", options=JobOptions(redact=JobRedaction()))
    items = [
        BatchItem(key="vm/+14155552671_Maria_Lopez.wav"),
        BatchItem(key="vm/from 415-555-2671.wav"),
    ]
    ctx.batches.create(batch, items)

    app: Any = _App()
    made = [batch_items.ingest_item(ctx, app, batch, i, item) for i, item in enumerate(items)]

    assert made == ["created", "rejected"]
    job = ctx.jobs.get(batch_job_id(batch.id, 0))
    assert job.input.filename == "[PHONE_NUMBER]_[PERSON_NAME].wav"
    assert job.source == "vm/[PHONE_NUMBER]_[PERSON_NAME].wav"
    assert [r.source for r in ctx.batches.rejections(batch.id, -1, 10)] == [
        "vm/from [PHONE_NUMBER].wav"
    ]


def test_a_batch_item_shorter_than_the_speech_minimum_is_rejected_as_too_short(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0.4 s, under WORKERS__MIN_SPEECH_S (0.5): its stt stage could only fail it.
    from shared.batches import BatchItem
    from workers import batch_items

    imports = LocalStorage(tmp_path / "imports")
    imports.put(
        batch_items.import_key(ctx.settings, "default", "vm/short.wav"),
        _tone_wav(0.4),
        "audio/wav",
    )
    monkeypatch.setattr(batch_items, "import_location", lambda settings: imports)
    batch = Batch(source="manifest", options=JobOptions())
    item = BatchItem(key="vm/short.wav")
    ctx.batches.create(batch, [item])

    assert batch_items.ingest_item(ctx, _App(), batch, 0, item) == "rejected"
    [rejection] = ctx.batches.rejections(batch.id, -1, 10)
    assert rejection.code == "too_short"


def test_a_batch_item_past_the_sample_rate_limit_is_rejected_naming_both(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 590 s of 7.1 at 655 kHz in ~200 kB: decoding it cost the stt stage ~19 s of CPU.
    from shared.batches import BatchItem
    from tests import hostile_audio as hostile
    from workers import batch_items

    imports = LocalStorage(tmp_path / "imports")
    flac = hostile.flac_silence(590, rate=655350, channels=8)
    imports.put(batch_items.import_key(ctx.settings, "default", "vm/hi.flac"), flac, "audio/flac")
    monkeypatch.setattr(batch_items, "import_location", lambda settings: imports)
    batch = Batch(source="manifest", options=JobOptions())
    item = BatchItem(key="vm/hi.flac")
    ctx.batches.create(batch, [item])

    assert batch_items.ingest_item(ctx, _App(), batch, 0, item) == "rejected"
    [rejection] = ctx.batches.rejections(batch.id, -1, 10)
    assert rejection.code == "sample_rate_too_high"
    assert "655,350 Hz" in rejection.message


def test_discarding_deletes_every_staged_object(ctx: WorkerContext) -> None:
    keys = [f"default/batches/b1/uploads/{n:06d}" for n in range(3)]
    for key in keys:
        ctx.storage.put(key, b"RIFF")

    assert discard_objects(ctx, [*keys, "default/batches/b1/uploads/gone"]) == []
    assert ctx.storage.list("default/batches/") == []


def test_discarding_stops_at_the_first_failure_and_returns_what_is_left(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [f"default/batches/b1/uploads/{n:06d}" for n in range(3)]
    for key in keys:
        ctx.storage.put(key, b"RIFF")
    delete = ctx.storage.delete

    def down_from_the_second(key: str) -> None:
        if key != keys[0]:
            raise OSError("storage down")
        delete(key)

    monkeypatch.setattr(ctx.storage, "delete", down_from_the_second)

    assert discard_objects(ctx, keys) == keys[1:]
    assert ctx.storage.list("default/batches/") == keys[1:]


def test_a_batch_item_longer_than_its_chosen_engine_finishes_in_time_is_rejected_as_too_long(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from shared.batches import BatchItem
    from workers import batch_items

    # A cloud default, unchecked at start-up, and a 1 s stt limit: the local engine, planned
    # at 0.54 s a second of audio, finishes at most 1 s of it; the item is 3 s.
    settings = Settings(
        data_dir=tmp_path,
        broker=ctx.settings.broker,
        providers={"stt": "whisper"},  # type: ignore[arg-type]
        openai={"api_key": "sk-" + "test" * 8},  # type: ignore[arg-type]
        workers={"stt": {"soft_time_limit_s": 1, "time_limit_s": 2}},  # type: ignore[arg-type]
    )
    ctx = dataclasses.replace(ctx, settings=settings)
    imports = LocalStorage(tmp_path / "imports")
    imports.put(batch_items.import_key(settings, "default", "vm.wav"), _tone_wav(), "audio/wav")
    monkeypatch.setattr(batch_items, "import_location", lambda settings: imports)
    batch = Batch(source="manifest", options=JobOptions(stt_provider="local"))
    items = [BatchItem(key="vm.wav")]
    ctx.batches.create(batch, items)

    made = batch_items.ingest_item(ctx, _App(), batch, 0, items[0])  # type: ignore[arg-type]

    assert made == "rejected"
    (rejection,) = ctx.batches.rejections(batch.id, -1, 10)
    assert rejection.code == "too_long"
    assert "'local'" in rejection.message
    assert not ctx.jobs.exists(batch_job_id(batch.id, 0))


def _staged_upload_batch(ctx: WorkerContext) -> tuple[Batch, Any]:
    """A batch of one uploaded part, staged as the API stages it."""
    from shared.batches import BatchItem

    batch = Batch(source="upload", options=JobOptions(stages=[Stage.STT]))
    upload = f"default/batches/{batch.id}/uploads/000000"
    ctx.storage.put(upload, _tone_wav(), "audio/wav")
    item = BatchItem(upload=upload, filename="vm.wav")
    ctx.batches.create(batch, [item])
    return batch, item


def test_an_item_whose_job_was_made_is_never_also_rejected_when_its_chunk_gives_up(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers import batch_items, context, ingest

    batch, item = _staged_upload_batch(ctx)
    queued: list[str] = []
    monkeypatch.setattr(batch_items, "enqueue", lambda app, job, start=None: queued.append(job.id))
    discarded: list[str] = []
    monkeypatch.setattr(
        ingest, "_send_discard", lambda app, keys: discarded.extend(keys), raising=False
    )
    monkeypatch.setattr(context, "_context", ctx)

    # The job is made and queued, then the staged part cannot be deleted (object storage
    # went down): the chunk fails on every try, and gives the item up on the last.
    def storage_down(key: str) -> None:
        raise OSError("storage down")

    monkeypatch.setattr(ctx.storage, "delete", storage_down)
    for _ in range(3):
        try:
            ingest.chunk.run(batch.id, 0)
        except Retry:  # what self.retry raises when a task is run directly
            continue

    state = ctx.batches.get(batch.id)
    assert set(queued) == {batch_job_id(batch.id, 0)}  # queued again on each try: harmless
    assert state.count("created") + state.count("rejected") == state.items == 1
    assert state.count("rejected") == 0
    assert state.status == "running"  # its one job is still queued: not completed
    assert [row for row, _ in ctx.batches.rows(batch.id)] == [0]
    assert discarded == [item.upload]  # the staged part is left to the discard task


def test_a_batch_canceled_while_an_item_is_being_fetched_gets_no_job_from_that_item(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workers import batch_items

    batch, item = _staged_upload_batch(ctx)
    queued: list[str] = []
    monkeypatch.setattr(batch_items, "enqueue", lambda app, job, start=None: queued.append(job.id))
    obtain = batch_items._obtain

    def canceled_meanwhile(*args: Any) -> Any:
        # POST /v1/batches/{id}/cancel and its ingest task, while the item is fetched.
        fetched = obtain(*args)
        ctx.batches.mark_canceled(batch.id)
        cancel_unfinished(ctx, batch.id)
        return fetched

    monkeypatch.setattr(batch_items, "_obtain", canceled_meanwhile)

    made = batch_items.ingest_item(ctx, _App(), batch, 0, item)  # type: ignore[arg-type]

    assert made == "rejected"
    assert queued == []
    assert not ctx.jobs.exists(batch_job_id(batch.id, 0))
    (rejection,) = ctx.batches.rejections(batch.id, -1, 10)
    assert rejection.code == "batch_canceled"
    ctx.batches.chunk_done(batch.id, 0, 1)
    assert ctx.batches.get(batch.id).status == "canceled"
    assert ctx.storage.list("default/") == []  # neither the staged part nor a job's input


@pytest.mark.parametrize("part_still_staged", [False, True])
def test_an_item_whose_job_was_deleted_is_neither_made_again_nor_rejected_when_its_chunk_reruns(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, part_still_staged: bool
) -> None:
    from workers import batch_items

    batch, item = _staged_upload_batch(ctx)
    queued: list[str] = []
    monkeypatch.setattr(batch_items, "enqueue", lambda app, job, start=None: queued.append(job.id))
    staged = ctx.storage.get(item.upload)
    batch_items.ingest_item(ctx, _App(), batch, 0, item)  # type: ignore[arg-type]
    made = ctx.jobs.get(batch_job_id(batch.id, 0))
    ctx.jobs.delete(made)  # DELETE /v1/jobs/{id}: the record, then its objects
    assert made.input.key is not None
    ctx.storage.delete(made.input.key)
    # The chunk runs again (a later item of it failed, or its message was delivered twice),
    # the part gone or still staged (its deletion had failed).
    if part_still_staged:
        ctx.storage.put(item.upload, staged, "audio/wav")

    again = batch_items.ingest_item(ctx, _App(), batch, 0, item)  # type: ignore[arg-type]
    ctx.batches.chunk_done(batch.id, 0, 1)

    state = ctx.batches.get(batch.id)
    assert again == "done"
    assert len(queued) == 1
    assert not ctx.jobs.exists(batch_job_id(batch.id, 0))
    assert (state.count("created"), state.count("status:canceled")) == (1, 1)
    assert (state.count("status:queued"), state.count("rejected")) == (0, 0)
    assert state.status == "completed"
    assert ctx.storage.list("default/") == []
