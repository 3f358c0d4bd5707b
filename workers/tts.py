"""Stage 3: the spoken reply (queue ``tts``)."""

from __future__ import annotations

import re

from celery import Task, shared_task

from shared.celery_app import TASK_NAMES
from shared.errors import StageFailed
from shared.language.said_numbers import said_numbers
from shared.models import REPLY_OBJECT, Job, JobResults, Reply, Stage
from shared.redaction.detect import TOKEN
from shared.redaction_policy import Entity
from shared.stt_languages import is_english
from shared.text_input import TEXT_MEDIA_TYPE
from workers.context import WorkerContext
from workers.providers.registry import tts_provider
from workers.redacting import ORIGINAL_TEXT, Redactor, keep_original
from workers.stage import run_stage
from workers.stage_output import StageOutput, provider_name, recorded_output_key, succeeded


def reply_text(job: Job, ctx: WorkerContext) -> str:
    """The words to speak: from the job record once the reply stage succeeded (no storage
    read per job), else from the stored reply."""
    if job.input.kind == "text" and Stage.LLM not in job.options.stages:
        # Text to speak as it is (OpenAI's speech call): there is no reply to wait for.
        return _spoken_text(job, ctx)
    if job.results.reply is not None and succeeded(job, Stage.LLM):
        return job.results.reply
    key = recorded_output_key(job, Stage.LLM, REPLY_OBJECT)
    return Reply.model_validate_json(ctx.storage.get(key)).text


def spoken_language(job: Job) -> str | None:
    """The language of the words to speak: the reply's as its responder was asked to write
    it, or the language a text to speak as it is was given in."""
    if job.input.kind == "text" and Stage.LLM not in job.options.stages:
        return job.options.language
    return job.results.reply_language


def _spoken_text(job: Job, ctx: WorkerContext) -> str:
    text = ctx.storage.get(job.input.key).decode("utf-8")
    redactor = Redactor.of(job, ctx.settings)
    if redactor is None:
        return text
    # The voice vendor hears only the redacted text, and the stored input becomes it.
    redacted = redactor.text(text)
    if redacted.spans:
        keep_original(ctx, job, ORIGINAL_TEXT, text.encode())
        ctx.storage.put(job.input.key, redacted.text.encode(), TEXT_MEDIA_TYPE)
    return redacted.text


def spoken_form(text: str) -> str:
    """``text`` as the voice should say it: a redaction token as its entity in words
    ("[PHONE_NUMBER:3f9a1c2b]" -> "phone number"). A voice read a hash token's digest out
    letter by letter ("colon three f nine a ..."), and may say a label's underscores."""
    return TOKEN.sub(_entity_words, text)


def _entity_words(token: re.Match[str]) -> str:
    label = token.group()[1:-1].split(":")[0]
    if label not in _LABELS:
        return token.group()  # a bracketed word of the text's own ("[FAQ]"), said as it is
    # "US" stays a spelled abbreviation, not the word "us".
    return " ".join(w if w == "US" else w.lower() for w in label.split("_"))


_LABELS = frozenset(entity.label for entity in Entity)


def synthesize_job(job: Job, ctx: WorkerContext) -> StageOutput:
    text = spoken_form(reply_text(job, ctx))
    if Stage.LLM in job.options.stages:
        # A reply keeps its callback number in digits (the inbox and exports show it); the
        # voice is handed it spelled, as the responder once stored it.
        text = said_numbers(text, ctx.settings.local.default_region)
    name = provider_name(job, Stage.TTS, ctx)
    provider = tts_provider(name, ctx.settings)
    language = spoken_language(job)
    if getattr(provider, "english_only", False) and not is_english(language):
        raise StageFailed(
            "unsupported_language",
            f"the text to speak is in {language!r}, and the {provider.name} voice speaks "
            "English only (it would read these words with English rules); choose a tts "
            "provider whose voice speaks it: tts_provider openai or elevenlabs, or google "
            "with a voice of that language",
        )
    fmt = job.options.output_format or ctx.settings.providers.output_format
    voice = job.options.voice or ctx.settings.providers.voice_for(name)
    audio = provider.synthesize(text, voice, fmt)
    key = job.object_key(f"reply.{audio.extension}")

    def record(results: JobResults, stored_as: str) -> None:
        results.reply_audio_key = stored_as
        results.reply_audio_media_type = audio.media_type
        results.reply_audio_duration_s = round(audio.duration_s, 3)
        results.spoken_characters = len(text)

    return StageOutput(key, audio.data, audio.media_type, record)


@shared_task(name=TASK_NAMES[Stage.TTS], bind=True)  # type: ignore[untyped-decorator]
def synthesize(self: Task, job_id: str) -> None:
    run_stage(self, job_id, Stage.TTS, synthesize_job)
