"""Stage 3: the spoken reply (queue ``tts``)."""

from __future__ import annotations

from celery import Task, shared_task

from shared.celery_app import TASK_NAMES
from shared.models import REPLY_OBJECT, Job, JobResults, Reply, Stage
from workers.context import WorkerContext
from workers.providers.registry import tts_provider
from workers.stage import (
    StageOutput,
    provider_name,
    recorded_output_key,
    run_stage,
    succeeded,
)


def reply_text(job: Job, ctx: WorkerContext) -> str:
    """The words to speak: from the job record once the reply stage succeeded (no storage
    read per job), else from the stored reply."""
    if job.results.reply is not None and succeeded(job, Stage.LLM):
        return job.results.reply
    key = recorded_output_key(job, Stage.LLM, REPLY_OBJECT)
    return Reply.model_validate_json(ctx.storage.get(key)).text


def synthesize_job(job: Job, ctx: WorkerContext) -> StageOutput:
    text = reply_text(job, ctx)
    provider = tts_provider(provider_name(job, Stage.TTS, ctx), ctx.settings)
    fmt = job.options.output_format or ctx.settings.providers.output_format
    voice = job.options.voice or ctx.settings.providers.tts_voice
    audio = provider.synthesize(text, voice, fmt)
    key = job.object_key(f"reply.{audio.extension}")

    def record(results: JobResults, stored_as: str) -> None:
        results.reply_audio_key = stored_as
        results.reply_audio_media_type = audio.media_type
        results.reply_audio_duration_s = round(audio.duration_s, 3)

    return StageOutput(key, audio.data, audio.media_type, record)


@shared_task(name=TASK_NAMES[Stage.TTS], bind=True)  # type: ignore[untyped-decorator]
def synthesize(self: Task, job_id: str) -> None:
    run_stage(self, job_id, Stage.TTS, synthesize_job)
