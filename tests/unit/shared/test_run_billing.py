"""What a vendor billed a run the job did not take (canceled meanwhile, a stale delivery):
its tokens, and the audio seconds a cloud transcriber or the characters a cloud voice billed,
charged to the job and counted by the usage ledger."""

from __future__ import annotations

import pytest

from shared import job_transitions as transitions
from shared.models import Job, JobResults, JobStatus, Stage, StageStatus
from shared.run_billing import run_billed
from shared.settings import Settings
from shared.usage import job_usage
from tests.usage_factories import finished_job


def _discarded(job: Job, stage: Stage, provider: str, results: JobResults) -> Job:
    """``job`` canceled while ``stage`` ran on ``provider``, whose output it then discarded."""
    record = job.stages[stage]
    record.status, record.provider = StageStatus.CANCELED, provider
    job.status = JobStatus.CANCELED
    transitions.charge(job, stage, run_billed(job, stage, provider, results, Settings()))
    # As the job store keeps it and every report reads it.
    return Job.model_validate_json(job.model_dump_json())


def _line(job: Job, meter: str) -> tuple[str, str | None, float, float]:
    (line,) = [line for line in job_usage(job, Settings()).lines if line.meter == meter]
    return line.engine, line.model, line.quantity, line.cost


def test_the_audio_seconds_whisper_billed_a_discarded_run_are_the_jobs_usage() -> None:
    job = finished_job(audio_s=90.0)
    results = JobResults(transcription={"engine": "whisper", "model": "whisper-1"})

    charged = _discarded(job, Stage.STT, "whisper", results)

    assert _line(charged, "audio_s") == ("whisper", "whisper-1", 90.0, pytest.approx(0.009))


def test_the_characters_a_cloud_voice_billed_a_discarded_run_are_the_jobs_usage() -> None:
    job = finished_job()
    results = JobResults(spoken_characters=1200)

    charged = _discarded(job, Stage.TTS, "elevenlabs", results)

    engine, model, quantity, cost = _line(charged, "characters")
    assert (engine, model, quantity) == ("elevenlabs", "eleven_multilingual_v2", 1200)
    assert cost == pytest.approx(0.12)


def test_an_offline_engines_discarded_run_bills_no_vendor() -> None:
    job = finished_job()

    transcribed = JobResults(transcription={"engine": "faster-whisper"})
    assert run_billed(job, Stage.STT, "local", transcribed, Settings()) == []
    spoken = JobResults(spoken_characters=1200)
    assert run_billed(job, Stage.TTS, "local", spoken, Settings()) == []


def test_a_hybrids_discarded_run_bills_the_seconds_of_its_cloud_engine_alone() -> None:
    job = finished_job(audio_s=30.0)
    results = JobResults(transcription={"engines_used": ["whisper", "local"]})

    billed = run_billed(job, Stage.STT, "hybrid", results, Settings())

    assert [(b.engine, b.audio_s) for b in billed] == [("whisper", 30.0)]
