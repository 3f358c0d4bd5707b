"""Finished job records with known usage, for the ledger's and the reports' tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.models import (
    Job,
    JobOptions,
    JobResults,
    JobStatus,
    Stage,
    StageRecord,
    StageStatus,
    Usage,
    utcnow,
)
from tests.factories import wav_input_meta


def finished_job(
    *,
    tenant: str = "default",
    created_at: datetime | None = None,
    audio_s: float = 60.0,
    providers: tuple[str, str, str] = ("local", "local", "local"),
    transcription: dict[str, Any] | None = None,
    usage: Usage | None = None,
    reply: str = "Thanks for calling, we will ring you back today.",
    cpu_s: tuple[float | None, float | None, float | None] = (2.0, 0.5, 1.5),
    run_s: tuple[float, float, float] = (3.0, 0.2, 1.0),
    failed_at: Stage | None = None,
    **fields: Any,
) -> Job:
    """A job whose three stages ran (up to ``failed_at``, which failed), as workers record it."""
    created = created_at or utcnow()
    meta = wav_input_meta(key=f"{tenant}/x")
    meta.duration_s = audio_s
    job = Job(tenant=tenant, created_at=created, input=meta, options=JobOptions(), **fields)
    clock = created
    for stage, provider, cpu, run in zip(Stage, providers, cpu_s, run_s, strict=True):
        if failed_at is not None and stage == failed_at:
            job.stages[stage] = StageRecord(status=StageStatus.FAILED, provider=provider)
            job.status = JobStatus.FAILED
            break
        started = clock + timedelta(seconds=0.1)
        clock = started + timedelta(seconds=run)
        job.stages[stage] = StageRecord(
            status=StageStatus.SUCCEEDED,
            provider=provider,
            attempts=1,
            started_at=started,
            finished_at=clock,
            duration_s=run,
            cpu_s=cpu,
            output_key=f"{tenant}/jobs/{job.id}/{stage.value}",
        )
    else:
        job.status = JobStatus.SUCCEEDED
    job.results = JobResults(
        transcript="hello, please call me back",
        transcription=transcription if transcription is not None else {"engine": providers[0]},
        reply=reply,
        usage=usage or Usage(),
    )
    return job
