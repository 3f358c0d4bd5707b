"""/metrics tells the unacked stage messages no job needs any more (a killed worker's, once
the sweeper re-drove its stage) from those a worker holds for work still to do."""

from __future__ import annotations

import json
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from shared.models import Job, JobOptions, JobStatus, Stage, StageStatus
from shared.task_messages import stage_message
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.unit.api.app_client import app_client, services_of


def _job(stage_status: StageStatus, owner: str | None, status: JobStatus) -> Job:
    job = Job(input=wav_input_meta(), options=JobOptions(stages=[Stage.STT]), status=status)
    job.stages[Stage.STT].status = stage_status
    job.stages[Stage.STT].task_id = owner
    return job


def test_unacked_messages_their_jobs_no_longer_need_are_counted_apart(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    running, pending, done = JobStatus.TRANSCRIBING, JobStatus.QUEUED, JobStatus.SUCCEEDED
    # (the job as stored, or None for one deleted; whether the message's task owns the stage)
    held = [
        (_job(StageStatus.RUNNING, "another-delivery", running), False),  # re-driven: stale
        (_job(StageStatus.RUNNING, None, running), True),  # its own run (or not yet re-driven)
        (_job(StageStatus.PENDING, None, pending), True),  # prefetched, not started
        (_job(StageStatus.SUCCEEDED, None, done), False),  # done by the re-driven run: stale
        (None, False),  # deleted since: stale
    ]
    for n, (job, owns) in enumerate(held):
        # A deleted job's message names a job never stored.
        sent_for = job or _job(StageStatus.PENDING, None, pending)
        message = stage_message(services.celery, Stage.STT, sent_for)
        if job is not None:
            if owns and job.stages[Stage.STT].status == StageStatus.RUNNING:
                job.stages[Stage.STT].task_id = message.task_id
            services.jobs.create(job)
        # As kombu's Redis transport keeps a delivered message until its ack.
        entry = json.dumps([json.loads(message.payload), "", "stt"])
        services.jobs.redis.hset("unacked", f"tag-{n}", entry)

    answer = http.get("/metrics")

    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    queued = {
        (s.labels["queue"], s.labels["state"]): s.value
        for s in families["voicepipe_queue_messages"].samples
    }
    stale = {s.labels["queue"]: s.value for s in families["voicepipe_queue_unacked_stale"].samples}
    assert queued[("stt", "unacked")] == 5
    assert stale == {"stt": 3, "llm": 0, "tts": 0}
    assert "killed worker" in families["voicepipe_queue_unacked_stale"].documentation
