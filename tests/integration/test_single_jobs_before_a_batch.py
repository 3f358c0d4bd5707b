"""A voicemail submitted on its own while a batch import waits in the stt queue is
transcribed before most of the batch, and its next stage's message waits ahead of the batch's
too: batch jobs' stage messages go on a lower-priority list that a worker reads only once no
single job's message waits (shared/task_messages.py).

A real Valkey and a real stt worker (Celery prefork, one slot, the pool's own command line)
on an instant transcriber (tests/plugins/gated_stt.py with no gate). The backlog and the
single job are queued by the paths the product uses (a batch item's ``enqueue`` after
``create_batch_job``, a single job's ``create_and_queue``) while no worker runs; then the
worker starts and the order the jobs finish in is read from their records.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli.child_env import child_env
from api.cli.commands import worker_command
from shared import provider_catalog as catalog
from shared.batches import Batch, batch_job_id
from shared.batchstore import BatchStore
from shared.celery_app import create_celery
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.models import Job, JobOptions, Stage, StageStatus
from shared.pipeline import create_and_queue, enqueue
from shared.queue_depth import priority_list, priority_lists
from shared.redis_keys import connect
from shared.settings import BrokerSettings, Settings
from shared.storage import LocalStorage
from shared.task_messages import BATCH_PRIORITY
from tests.audio_factory import encode_samples, tone
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "tests.plugins.gated_stt"
BACKLOG = 20
# The worker's first BRPOP may already be on its way when the single job is queued behind the
# whole backlog; "within the first few" allows for that, not for the backlog's length.
FIRST_FEW = 3


@pytest.fixture
def settings(valkey: ValkeyProcess, tmp_path: Path) -> Iterator[Settings]:
    # The plugin registers its provider when imported: a test before this one may have
    # imported it and unregistered the provider, so it is imported afresh.
    sys.modules.pop(PLUGIN, None)
    try:
        yield Settings(
            data_dir=tmp_path / "data",
            broker=BrokerSettings(url=valkey.url),
            providers={"plugins": [PLUGIN], "stt": "gated"},  # type: ignore[arg-type]
            workers={"stt": {"pool": "prefork", "concurrency": 1, "processes": 1}},  # type: ignore[arg-type]
        )
    finally:
        catalog.unregister("stt", "gated")
        sys.modules.pop(PLUGIN, None)


def _job(storage: LocalStorage, audio: bytes, batch: Batch | None = None, index: int = 0) -> Job:
    of_batch = {"id": batch_job_id(batch.id, index), "batch_id": batch.id} if batch else {}
    job = Job(
        options=JobOptions(stages=[Stage.STT, Stage.LLM]),
        input=wav_input_meta(key="pending", size_bytes=len(audio)),
        batch_index=index if batch else None,
        **of_batch,  # type: ignore[arg-type]
    )
    job.input.key = job.object_key("input.wav")
    storage.put(job.input.key, audio, "audio/wav")
    return job


@pytest.fixture
def stt_worker(settings: Settings) -> Iterator[Path]:
    """Starts the stt worker when the test asks (``next``); its log's path."""
    log_path = settings.data_dir / "worker-stt.log"
    env = {**child_env(settings), "PYTHONPATH": str(ROOT)}
    process: subprocess.Popen[bytes] | None = None
    try:
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                worker_command(settings, Stage.STT),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        yield log_path
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _transcribed_in_order(jobs: JobStore, ids: list[str], log: Path, timeout_s: float) -> list[str]:
    """The jobs by the end of their stt stage, once every one has handed on to llm."""
    deadline = time.monotonic() + timeout_s
    while True:
        handed_on = sum(int(jobs.redis.llen(name)) for name in priority_lists(Stage.LLM.value))
        if handed_on == len(ids):
            break
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
        time.sleep(0.2)
    found = [job for job in jobs.get_many(ids) if job is not None]
    assert [job.stages[Stage.STT].status for job in found] == [StageStatus.SUCCEEDED] * len(ids)
    ended = {job.id: job.stages[Stage.STT].finished_at for job in found}
    return sorted(ids, key=lambda job_id: ended[job_id])  # type: ignore[arg-type, return-value]


def _waiting(jobs: JobStore, name: str) -> list[str]:
    raws = jobs.redis.lrange(name, 0, -1)
    return [json.loads(base64.b64decode(json.loads(raw)["body"]))[0][0] for raw in raws]


def test_a_single_voicemail_queued_behind_a_batch_backlog_is_transcribed_among_the_first(
    settings: Settings, request: pytest.FixtureRequest
) -> None:
    client = connect(settings.broker.url)
    jobs = JobStore(client, deadline_function(settings))
    batches = BatchStore(client)
    storage = LocalStorage(settings.objects_dir)
    app = create_celery(settings)
    audio = encode_samples(tone(1.0), "wav", 16000)

    batch = Batch(tenant="default", source="manifest", options=JobOptions())
    batches.create(batch, [])
    backlog = [_job(storage, audio, batch, index) for index in range(BACKLOG)]
    for job in backlog:  # as the ingest pool makes each item's job (workers/batch_items.py)
        assert jobs.create_batch_job(job)
        enqueue(app, job)
    single = _job(storage, audio)
    create_and_queue(jobs, app, single)  # as POST /v1/jobs does, in one script

    log = request.getfixturevalue("stt_worker")  # the stt pool comes up now
    order = _transcribed_in_order(jobs, [j.id for j in [*backlog, single]], log, timeout_s=180)

    position = order.index(single.id)
    assert position < FIRST_FEW, f"the single job finished {position + 1}th of {len(order)}"
    # The batch itself still runs first-in, first-out among its own jobs.
    batch_order = [job_id for job_id in order if job_id != single.id]
    assert batch_order == [job.id for job in backlog]
    # Each job's next stage waits on its own list too: the llm pool takes the single job first.
    assert _waiting(jobs, "llm") == [single.id]
    assert sorted(_waiting(jobs, priority_list("llm", BATCH_PRIORITY))) == sorted(batch_order)
