"""A job's usage survives retention: deleting what the recording said leaves what it cost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis

from shared.jobstore import JobStore
from shared.models import Job, Usage
from shared.redis_keys import key
from shared.retention import purge
from shared.settings import Settings
from shared.storage import LocalStorage
from shared.usage import job_usage
from tests.usage_factories import finished_job

SONNET = "claude-sonnet-4-6"
SAID = "Hi, this is Zebediah Quux, call me on 312 555 0199"


def _claude_heard() -> Job:
    return finished_job(
        providers=("claude", "claude", "openai"),
        transcription={
            "engine": "claude",
            "model": SONNET,
            "usage": {"input_tokens": 2000, "output_tokens": 100},
        },
        usage=Usage(input_tokens=1000, output_tokens=500, model="claude-haiku-4-5"),
    )


def _hybrid() -> Job:
    return finished_job(
        providers=("hybrid", "claude", "local"),
        transcription={
            "mode": "hybrid",
            "engine": "hybrid",
            "engines_used": ["whisper", "claude"],
            "transcripts": {"whisper": SAID, "claude": SAID},
            "engine_usage": {"claude": {"input_tokens": 900, "output_tokens": 40, "model": None}},
            "reconciled": SAID,
            "reconcile_usage": {"input_tokens": 300, "output_tokens": 50, "model": SONNET},
        },
    )


def _fell_back() -> Job:
    return finished_job(
        audio_s=120.0,
        providers=("claude", "local", "elevenlabs"),
        transcription={
            "engine": "whisper",
            "fallback": {"from": "claude", "to": "whisper", "reason": "no audio"},
            "engine_details": {"model": "gpt-4o-mini-transcribe", "segments": [{"text": SAID}]},
        },
    )


def _silent() -> Job:
    return finished_job(
        providers=("whisper", "local", "local"),
        transcription={"engine": "whisper", "model": "whisper-1", "skipped": "silent audio"},
    )


@pytest.mark.parametrize("made", [_claude_heard, _hybrid, _fell_back, _silent])
def test_a_purged_job_reports_the_same_usage_and_cost_as_before_retention(
    client: redis.Redis, tmp_path: Path, made: Any
) -> None:
    job: Job = made()
    job.results.spoken_characters = 1234
    job.results.reply = SAID
    jobs = JobStore(client)
    jobs.create(job)
    settings = Settings(prices={"cpu_per_hour": 0.04})
    before = job_usage(jobs.get(job.id), settings)

    purged = purge(jobs, LocalStorage(tmp_path), job.id)

    assert purged.objects_deleted_at is not None
    after = job_usage(jobs.get(job.id), settings)
    assert after.totals == before.totals
    assert after.lines == before.lines


def test_a_purged_job_keeps_its_meters_but_nothing_the_recording_said(
    client: redis.Redis, tmp_path: Path
) -> None:
    jobs = JobStore(client)
    for job in (_hybrid(), _fell_back()):
        job.results.reply = SAID
        jobs.create(job)

        purge(jobs, LocalStorage(tmp_path), job.id)

        stored = jobs.get(job.id)
        assert b"Zebediah" not in (client.get(key("job", job.id)) or b"")
        assert stored.results.transcript is None
        assert stored.results.reply is None
