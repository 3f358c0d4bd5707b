"""The stage runner called directly (as in test_stage_runner) on what a stage reads and what it
stores: a recording damaged past its start, a quiet one, a constant level with no sound, the
input's hash, a vendor's message."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from celery.exceptions import Ignore

import workers.stage
import workers.stt
from shared.models import Job, JobStatus, Stage, Transcript
from shared.settings.providers import OpenAISettings
from tests.audio_factory import AudioFormat, encode, encode_samples, silence, tone
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.integration.stage_runner_helpers import FakeTask, direct_context, transcribed_job
from workers.context import WorkerContext
from workers.providers.base import AudioInput
from workers.providers.errors import ProviderError
from workers.stage import run_stage
from workers.stage_output import StageOutput
from workers.stt import transcribe_job

pytestmark = pytest.mark.integration


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    with direct_context(valkey.url, tmp_path, monkeypatch) as context:
        yield context


@pytest.mark.parametrize("fmt", ["amr", "3gp", "aac"])
def test_a_recording_damaged_past_its_start_fails_as_undecodable_without_a_traceback(
    ctx: WorkerContext, caplog: pytest.LogCaptureFixture, fmt: AudioFormat
) -> None:
    # Intake decodes only the first quarter second, so 2,000 random bytes mid-file pass it.
    data = bytearray(encode(fmt, 8.0))
    middle = len(data) // 2 - 1000
    data[middle : middle + 2000] = np.random.default_rng(0).bytes(2000)
    job = Job(input=wav_input_meta(key="pending", size_bytes=len(data)))
    job.input.key = job.object_key(f"input.{fmt}")
    ctx.storage.put(job.input.key, bytes(data))
    ctx.jobs.create(job)

    with caplog.at_level(logging.INFO), pytest.raises(Ignore):
        run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    after = ctx.jobs.get(job.id)
    assert after.status == JobStatus.FAILED
    assert after.error is not None
    assert after.error.code == "stt.undecodable"
    assert "could not be decoded" in after.error.message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


class _HeardOnce:
    name = "heard-once"

    def transcribe(self, audio: object) -> Transcript:
        return Transcript(text="hello this is dana", provider=self.name)


def _stored_recording(
    ctx: WorkerContext, sha256: str | None, data: bytes | None = None
) -> tuple[Job, bytes]:
    data = encode("wav", 2.0) if data is None else data
    job = Job(input=wav_input_meta(key="pending", size_bytes=len(data)))
    job.input.key = job.object_key("input.wav")
    job.input.sha256 = sha256
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)
    return job, data


def test_the_transcription_stage_records_the_hash_intake_left_to_it(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # POST /v1/jobs stores a recording without hashing it (api.intake): the stage that
    # reads it hashes it, and the job shows the hash from then on.
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: _HeardOnce())
    job, data = _stored_recording(ctx, sha256=None)

    run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    after = ctx.jobs.get(job.id)
    assert after.results.transcript == "hello this is dana"
    assert after.input.sha256 == hashlib.sha256(data).hexdigest()


def test_a_hash_intake_made_is_kept_by_the_transcription_stage(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: _HeardOnce())
    job, _ = _stored_recording(ctx, sha256="ab" * 32)

    run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    assert ctx.jobs.get(job.id).input.sha256 == "ab" * 32


def test_a_caller_far_from_the_phone_is_transcribed_not_failed_as_silence(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: _HeardOnce())
    # Words and the pauses between them, as a real voicemail has.
    words = [np.concatenate([tone(0.5, seed=i), silence(0.4)]) for i in range(4)]
    loud = np.concatenate(words).astype(np.float64)
    level = np.sqrt(np.mean((loud[loud != 0] / 32768) ** 2))
    quiet = np.round(loud * 10 ** (-50 / 20) / level)
    job, _ = _stored_recording(ctx, None, encode_samples(quiet.astype(np.int16), "wav", 16000))

    run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    after = ctx.jobs.get(job.id)
    assert after.results.transcript == "hello this is dana"
    assert after.results.analysis is not None
    assert after.results.analysis.audio is not None
    assert after.results.analysis.audio.loudness_dbfs == pytest.approx(-50, abs=1)


def test_a_constant_level_with_no_sound_fails_as_empty_media_before_any_engine(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    engines: list[str] = []
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: engines.append(name))
    biased = np.full(3 * 16000, 300, dtype=np.int16)  # a muted line on a biased input
    job, _ = _stored_recording(ctx, None, encode_samples(biased, "wav", 16000))

    with pytest.raises(Ignore):
        run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    after = ctx.jobs.get(job.id)
    assert after.error is not None
    assert after.error.code == "stt.empty_media"
    assert engines == []


KEY = "sk-proj-Zq8vN3tLw0Xb5Rk2Pd7Hs1Mf4Yc6Ja9E"


class _RetryingTask(FakeTask):
    class Retried(Exception):
        pass

    def retry(self, countdown: float) -> Exception:
        return self.Retried(countdown)


def _failing(error: ProviderError) -> Callable[[Job, WorkerContext], StageOutput]:
    def work(job: Job, ctx: WorkerContext) -> StageOutput:
        raise error

    return work


@pytest.mark.parametrize("code", ["auth_failed", "rate_limited"])
def test_a_vendor_message_quoting_our_api_key_is_stored_on_the_job_without_it(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    # What an OpenAI-compatible gateway answers a key it does not know.
    settings = ctx.settings.model_copy(update={"openai": OpenAISettings(api_key=KEY)})
    keyed = dataclasses.replace(ctx, settings=settings)
    monkeypatch.setattr(workers.stage, "get_context", lambda: keyed)
    job = transcribed_job(keyed)
    error = ProviderError(code, f"OpenAI answered 401: Invalid token. Received API Key = {KEY}")

    with pytest.raises((Ignore, _RetryingTask.Retried)):
        run_stage(_RetryingTask("t-1", keyed), job.id, Stage.LLM, _failing(error))

    after = keyed.jobs.get(job.id)
    stored = after.error if code == "auth_failed" else after.stages[Stage.LLM].error
    assert stored is not None
    assert "Received API Key = [redacted]" in stored.message
    assert KEY not in after.model_dump_json()


class _Listening:
    name = "listening"

    def __init__(self) -> None:
        self.heard: list[AudioInput] = []

    def transcribe(self, audio: AudioInput) -> Transcript:
        self.heard.append(audio)
        return Transcript(text="hello this is dana", provider=self.name)


def test_joined_amr_files_reach_the_engine_whole_as_one_file(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some voicemail systems export a message as two .amr files concatenated.
    engine = _Listening()
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: engine)
    parts = [encode("amr", 2.0, seed=0), encode("amr", 3.0, seed=1)]
    data = b"".join(parts)
    job = Job(input=wav_input_meta(key="pending", size_bytes=len(data)))
    job.input.container = "amr"
    job.input.key = job.object_key("input.amr")
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)

    run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    assert ctx.jobs.get(job.id).results.transcript == "hello this is dana"
    (heard,) = engine.heard
    assert heard.data.count(b"#!AMR\n") == 1
    assert len(heard.data) == len(data) - len(b"#!AMR\n")
    assert len(heard.pcm16k) / 16000 == pytest.approx(5.04, abs=0.001)
