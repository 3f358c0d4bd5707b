"""A cloud voice's reply spoken in parts that failed at a later part was billed the parts
before it: the stage runner records their characters once per run in stages.tts.billed,
with the retry (the retry speaks, and buys, every part again), and the usage ledger charges
them beside the characters of the run that succeeded (workers.providers.tts.billing)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.models import Billed, InputMeta, Job, JobOptions, JobStatus, Stage
from shared.settings import RetrySettings
from shared.settings.providers import ElevenLabsSettings
from shared.usage import job_usage
from tests.conftest import ValkeyProcess
from tests.fakes.elevenlabs import API_KEY, ElevenLabsFake
from tests.fakes.server import Fault
from tests.worker_context import local_worker_context
from workers import context, tts
from workers.context import WorkerContext
from workers.providers import registry
from workers.providers.tts import elevenlabs

SENTENCE = "Thanks for calling, we will ring you back today."
TEXT = f"{SENTENCE} {SENTENCE}"  # two parts under a 60-character limit
PATH = "/v1/text-to-speech"


@pytest.fixture
def voiced(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[WorkerContext, ElevenLabsFake]]:
    fake = ElevenLabsFake()
    fake.speech.pcm(SENTENCE, 24000)  # the piper voice loaded before any client timeout
    with fake:
        made = local_worker_context(valkey.url, tmp_path)
        update = {
            "elevenlabs": ElevenLabsSettings(api_key=API_KEY, base_url=fake.base_url),
            "retries": RetrySettings(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01),
        }
        made = dataclasses.replace(made, settings=made.settings.model_copy(update=update))
        monkeypatch.setattr(context, "_context", made)
        model = made.settings.elevenlabs.model_id
        monkeypatch.setitem(elevenlabs.CHARACTER_LIMITS, model, 60)
        registry.clear_instances()
        yield made, fake
        made.jobs.redis.close()
    registry.clear_instances()


def _spoken(ctx: WorkerContext) -> Job:
    data = TEXT.encode()
    meta = InputMeta(
        kind="text", media_type="text/plain", container="txt", codec="utf-8",
        size_bytes=len(data), duration_s=0, sample_rate=0, channels=0, key="pending",
    )  # fmt: skip
    job = Job(options=JobOptions(stages=[Stage.TTS], tts_provider="elevenlabs"), input=meta)
    job.input.key = job.object_key("input.txt")
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)
    tts.synthesize.apply(args=[job.id])
    return ctx.jobs.get(job.id)


@pytest.mark.parametrize("second_part", ["error", "cut"])
def test_the_parts_a_failed_run_was_billed_are_charged_once_beside_the_retry_that_succeeded(
    voiced: tuple[WorkerContext, ElevenLabsFake], second_part: str
) -> None:
    ctx, fake = voiced
    fault = (
        Fault(status=503, body=b"{}", after=1)
        if second_part == "error"
        else fake.cut_answer(at=40, after=1)
    )
    fake.fail_next(fault.on(PATH))

    after = _spoken(ctx)

    assert after.status == JobStatus.SUCCEEDED
    assert len(fake.calls(PATH)) == 4  # two parts, then both again
    model = ctx.settings.elevenlabs.model_id
    first_run = len(SENTENCE) if second_part == "error" else 2 * len(SENTENCE)
    assert after.stages[Stage.TTS].billed == [
        Billed(engine="elevenlabs", model=model, characters=first_run)
    ]
    charged = [
        line.quantity
        for line in job_usage(after, ctx.settings).lines
        if line.stage == Stage.TTS and line.meter == "characters"
    ]
    # One line for the voice and model: the run that was used and the one that failed.
    assert charged == [first_run + (after.results.spoken_characters or 0)]
