"""The seconds Whisper is charged for an answer OpenAI billed but we could not read are the
job's measure of the recording (job.input.duration_s), the one the ledger charges a used
answer and shared.run_billing a discarded one: a recording is never charged two lengths."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from shared.audio import decode_pcm16k
from shared.errors import StageFailed
from shared.models import Billed, Job, JobOptions, JobResults, Stage
from shared.run_billing import run_billed
from shared.settings.providers import OpenAISettings
from tests.factories import wav_input_meta
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import Fault
from workers.context import WorkerContext
from workers.providers.registry import clear_instances
from workers.providers.tts.local import PiperTts
from workers.stt import transcribe_job


@pytest.fixture
def fake() -> Iterator[OpenAIFake]:
    with OpenAIFake() as server:
        assert isinstance(server, OpenAIFake)
        clear_instances()
        yield server
    clear_instances()


def test_an_unreadable_whisper_answer_is_charged_the_seconds_a_discarded_one_would_be(
    ctx: WorkerContext, fake: OpenAIFake
) -> None:
    openai = OpenAISettings(api_key="sk-test", base_url=fake.base_url + "/v1")
    ctx = dataclasses.replace(ctx, settings=ctx.settings.model_copy(update={"openai": openai}))
    data = PiperTts().synthesize("Please call me back tomorrow morning.", None, "wav").data
    job = Job(
        options=JobOptions(stages=[Stage.STT], stt_provider="whisper"),
        input=wav_input_meta(key="input.wav", size_bytes=len(data)),
    )
    # The container's length as intake probed it, a little off the decoded samples' (as
    # an mp3's padding or a header's rounding leave it).
    probed = round(len(decode_pcm16k(data)) / 16_000 + 0.048, 3)
    job.input.duration_s = probed
    ctx.storage.put(job.input.key, data)
    fake.fail_next(Fault(status=200, body=b"<html>gateway</html>"))

    with pytest.raises(StageFailed) as caught:
        transcribe_job(job, ctx)

    heard = JobResults(transcription={"engine": "whisper", "model": openai.stt_model})
    discarded = run_billed(job, Stage.STT, "whisper", heard, ctx.settings)
    assert caught.value.charges == discarded
    assert discarded == [Billed(engine="whisper", model=openai.stt_model, audio_s=probed)]
