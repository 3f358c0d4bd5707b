"""The OpenAI-compatible routes' own logic: sentences for streamed speech, model names onto
engines, and the bounded wait for a job."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from api.errors import ApiError
from api.openai_compat.engines import engine_for, model_ids
from api.openai_compat.speech import sentences, voice_spoken
from api.openai_compat.transcriptions import _transcript
from api.openai_compat.waiting import failure, finished
from shared.models import ErrorInfo, InputMeta, Job, JobStatus, Stage, StageRecord, StageStatus
from shared.settings import Settings


def _job(status: JobStatus = JobStatus.QUEUED) -> Job:
    meta = InputMeta(
        media_type="audio/wav", container="wav", codec="pcm_s16le", size_bytes=1,
        duration_s=1.0, sample_rate=16000, channels=1, sha256="0" * 64, key="k",
    )  # fmt: skip
    return Job(input=meta, status=status)


class _Jobs:
    """A job store whose job moves to ``then`` after ``reads`` reads."""

    def __init__(self, job: Job, reads: int, then: JobStatus) -> None:
        self.job, self.reads, self.then = job, reads, then

    def get(self, job_id: str, tenant: str) -> Job:
        self.reads -= 1
        if self.reads <= 0:
            return self.job.model_copy(update={"status": self.then})
        return self.job


def _services(jobs: _Jobs) -> Any:
    settings = Settings(api={"public_url": "http://api.test"})
    return SimpleNamespace(jobs=jobs, settings=settings)


def test_streamed_speech_is_cut_at_sentence_ends_and_short_sentences_ride_with_the_next() -> None:
    text = "Hi. Thanks for your call about the boiler! We can come on Friday morning. Okay?"

    assert sentences(text) == [
        "Hi. Thanks for your call about the boiler!",
        "We can come on Friday morning. Okay?",
    ]
    assert sentences("no punctuation at all") == ["no punctuation at all"]


def test_openai_model_names_run_on_the_default_and_ours_choose_an_engine() -> None:
    settings = Settings()

    assert engine_for(settings, Stage.STT, "whisper-1") is None
    assert engine_for(settings, Stage.TTS, "gpt-4o-mini-tts") is None
    assert engine_for(settings, Stage.STT, "voicepipe-hybrid") == "hybrid"
    assert engine_for(settings, Stage.TTS, "voicepipe-local") == "local"


@pytest.mark.parametrize(
    ("stage", "model"), [(Stage.TTS, "voicepipe-whisper"), (Stage.STT, "voicepipe-x")]
)
def test_an_unknown_model_is_404_offering_only_the_models_that_would_run(
    stage: Stage, model: str
) -> None:
    # ElevenLabs has its key; OpenAI, Claude and Google have none here.
    settings = Settings(elevenlabs={"api_key": "el-key"})

    with pytest.raises(ApiError) as refused:
        engine_for(settings, stage, model)

    assert refused.value.status_code == 404
    offered = refused.value.message.partition(" Use ")[2]
    assert "voicepipe-local" in offered
    for unconfigured in ("openai", "whisper", "claude", "google"):
        assert f"voicepipe-{unconfigured}" not in offered
    assert ("voicepipe-elevenlabs" in offered) == (stage == Stage.TTS)


def test_an_unknown_model_in_a_call_names_the_model_field_as_retrieving_it_does() -> None:
    # GET /v1/models/{model} said param "model"; the audio calls said null for the same 404.
    with pytest.raises(ApiError) as refused:
        engine_for(Settings(), Stage.STT, "voicepipe-nonesuch")

    assert (refused.value.code, refused.value.param) == ("model_not_found", "model")


def test_the_voice_header_names_the_voice_a_job_without_one_of_its_own_is_spoken_by() -> None:
    settings = Settings()

    assert voice_spoken(settings, "local", None) == "joe"
    assert voice_spoken(settings, "openai", None) == "alloy"
    assert voice_spoken(settings, "google", None) == "en-US-Neural2-F"
    assert voice_spoken(settings, "local", "joe") == "joe"
    deployment = Settings(providers={"tts": "openai", "tts_voice": "nova"}, openai={"api_key": "k"})
    assert voice_spoken(deployment, "openai", None) == "nova"
    # The deployment's voice is its default provider's: another speaks with its own.
    assert voice_spoken(deployment, "local", None) == "joe"


def test_the_model_list_offers_only_engines_the_deployment_is_configured_for() -> None:
    offered = model_ids(Settings())

    assert offered["voicepipe-local"] == [Stage.STT, Stage.LLM, Stage.TTS]
    assert "voicepipe-elevenlabs" not in offered  # no key set


def test_waiting_returns_the_job_once_it_has_ended() -> None:
    jobs = _Jobs(_job(), reads=3, then=JobStatus.SUCCEEDED)

    done = asyncio.run(finished(_services(jobs), jobs.job, timeout_s=5))

    assert done.status == JobStatus.SUCCEEDED


def test_a_wait_that_runs_out_names_the_job_to_poll_and_tells_the_sdk_not_to_retry() -> None:
    jobs = _Jobs(_job(), reads=10**9, then=JobStatus.SUCCEEDED)

    with pytest.raises(ApiError) as timed_out:
        asyncio.run(finished(_services(jobs), jobs.job, timeout_s=0.05))

    assert timed_out.value.status_code == 504
    assert jobs.job.id in timed_out.value.message
    assert timed_out.value.headers is not None
    assert timed_out.value.headers["x-should-retry"] == "false"
    assert timed_out.value.headers["Location"] == f"http://api.test/v1/jobs/{jobs.job.id}"


class _BrokerGone:
    def get(self, job_id: str, tenant: str) -> Job:
        raise redis.TimeoutError("Timeout reading from socket")


def test_a_broker_that_stops_answering_during_the_wait_is_a_503_the_sdk_does_not_retry() -> None:
    # Before, the route-wide 503 broker_unavailable had no x-should-retry: the SDK sent the
    # recording again, and the first job ran (and was billed) beside the second.
    job = _job()

    with pytest.raises(ApiError) as refused:
        asyncio.run(finished(_services(_BrokerGone()), job, timeout_s=5))  # type: ignore[arg-type]

    assert (refused.value.status_code, refused.value.code) == (503, "broker_unavailable")
    assert refused.value.headers is not None
    assert refused.value.headers["x-should-retry"] == "false"
    assert refused.value.headers["Location"] == f"http://api.test/v1/jobs/{job.id}"
    assert job.id in refused.value.message


def test_storage_that_fails_reading_a_finished_transcript_is_a_503_not_to_retry() -> None:
    def unreachable(key: str) -> bytes:
        raise OSError("connection refused")

    job = _job(JobStatus.SUCCEEDED)
    job.stages[Stage.STT] = StageRecord(status=StageStatus.SUCCEEDED, output_key="k")
    services = SimpleNamespace(
        storage=SimpleNamespace(get=unreachable), settings=Settings(api={"public_url": "http://a"})
    )

    with pytest.raises(ApiError) as refused:
        asyncio.run(_transcript(services, job))  # type: ignore[arg-type]

    assert (refused.value.status_code, refused.value.code) == (503, "storage_unavailable")
    assert refused.value.headers is not None
    assert refused.value.headers["x-should-retry"] == "false"


def test_a_failed_job_is_the_clients_error_only_when_its_input_caused_it() -> None:
    silent = _job(JobStatus.FAILED)
    silent.error = ErrorInfo(code="empty_media", message="The recording has no speech.")
    vendor = _job(JobStatus.FAILED)
    vendor.error = ErrorInfo(code="provider_unavailable", message="The vendor is down.")

    damaged = _job(JobStatus.FAILED)
    damaged.error = ErrorInfo(code="stt.undecodable", message="It could not be decoded.")

    assert failure(silent).status_code == 400
    assert failure(damaged).status_code == 400
    assert failure(vendor).status_code == 502
    assert silent.id in failure(silent).message
    assert failure(_job(JobStatus.CANCELED)).status_code == 409
