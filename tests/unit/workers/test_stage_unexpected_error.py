"""A stage whose code raises what no provider error wraps (an engine's runtime breaking) fails
its job as internal, naming the exception's kind and a reference its log line holds; neither
the job's error nor the log line holds the exception's text, which quoted the words heard."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.logging import json_formatter, text_formatter
from shared.models import Job, JobOptions, JobStatus, Stage, Transcript
from tests.audio_factory import encode_samples, tone
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.provider_stubs import registered, stub
from tests.worker_context import local_worker_context
from workers import context, stt
from workers.context import WorkerContext
from workers.providers import registry
from workers.providers.base import AudioInput, SttProvider

HEARD = "Priscilla Okafor about her mother's insulin prescription"


class QuotingEngine(SttProvider):
    """An engine whose runtime error quotes what it was working on, as a parser's does."""

    name = "stub_quoting"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise RuntimeError(f"decoder state invalid after token 'call {HEARD}'")


@pytest.fixture
def worker(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    with registered(stub("stt", "stub_quoting", f"{__name__}:QuotingEngine")):
        made = local_worker_context(valkey.url, tmp_path)
        monkeypatch.setattr(context, "_context", made)
        yield made
        made.jobs.redis.close()
    registry.clear_instances()


def test_an_unexpected_exception_fails_the_job_by_its_kind_and_a_reference_not_its_text(
    worker: WorkerContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    data = encode_samples(tone(1.0), "wav", 16000)
    job = Job(
        options=JobOptions(stages=[Stage.STT], stt_provider="stub_quoting"),
        input=wav_input_meta(key="pending", size_bytes=len(data)),
    )
    job.input.key = job.object_key("input.wav")
    worker.storage.put(job.input.key, data)
    worker.jobs.create(job)

    stt.transcribe.apply(args=[job.id])
    after = worker.jobs.get(job.id)

    assert after.status == JobStatus.FAILED
    assert after.error is not None
    assert after.error.code == "stt.internal"
    assert "RuntimeError" in after.error.message
    found = re.search(r"reference (err_[0-9a-f]{16})", after.error.message)
    assert found, after.error.message
    (record,) = [r for r in caplog.records if found.group(1) in r.getMessage()]
    for formatter in (text_formatter(), json_formatter()):
        line = formatter.format(record)
        # What the operator debugs from: the frame that raised, and the kind.
        assert "in transcribe" in line
        assert "RuntimeError" in line
        assert "Okafor" not in line
        assert "insulin" not in line
    assert "Okafor" not in after.error.message
    assert "insulin" not in after.error.message
