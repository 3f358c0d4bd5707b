"""Stage 1: speech to text (queue ``stt``)."""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt
from celery import Task, shared_task

from shared.analysis import Analysis
from shared.audio import decode_pcm16k
from shared.audio.acoustics import analyze_audio
from shared.audio.activity import active_seconds
from shared.audio.containers import BROWSERS_PLAY, as_one_stream
from shared.audio.encode import encode_pcm
from shared.celery_app import TASK_NAMES
from shared.errors import StageFailed
from shared.models import (
    LISTENING_COPY_OBJECT,
    TRANSCRIPT_OBJECT,
    Job,
    JobResults,
    Stage,
    Transcript,
)
from shared.redaction.audio import silence_spans
from workers.context import WorkerContext
from workers.providers.base import AudioInput
from workers.providers.registry import stt_provider
from workers.redacting import (
    ORIGINAL_TRANSCRIPT,
    REDACTED_AUDIO,
    Redactor,
    counts,
    keep_original,
)
from workers.review import mean_confidence, transcript_reasons
from workers.stage import run_stage
from workers.stage_output import MEAN_CONFIDENCE, StageOutput, provider_name


def transcribe_job(job: Job, ctx: WorkerContext) -> StageOutput:
    data = ctx.storage.get(job.input.key)
    # The hash intake left out (api.intake): of the input as stored, read here anyway.
    digest = hashlib.sha256(data).hexdigest() if job.input.sha256 is None else None
    pcm16k = decode_pcm16k(data)
    active, least = active_seconds(pcm16k), ctx.settings.workers.min_speech_s
    if active < least:
        # Before any engine is paid: silence and hang-ups end here, and so does a clip too
        # short to hold a message (intake takes 0.3 s), which is sound, not silence.
        length = len(pcm16k) / 16000
        seems = (
            "it is too short to hold a message"
            if active >= 0.8 * length
            else "it looks like silence or a hang-up"
        )
        raise StageFailed(
            "empty_media",
            f"The recording has no speech to transcribe ({active:.2f} s of sound in "
            f"{length:.1f} s, under the {least:g} s a message needs, "
            f"VOICEPIPE_WORKERS__MIN_SPEECH_S): {seems}.",
        )
    audio = AudioInput(
        # Joined AMR files as one: an engine sent the original reads it as decoded here.
        data=as_one_stream(data, job.input.container),
        media_type=job.input.media_type,
        extension=job.input.container,
        pcm16k=pcm16k,
        language=job.options.language,
        duration_s=job.input.duration_s,
    )
    provider = stt_provider(provider_name(job, Stage.STT, ctx), ctx.settings)
    transcript = provider.transcribe(audio)
    key = job.object_key(TRANSCRIPT_OBJECT)
    redactions = None
    redactor = Redactor.of(job, ctx.settings)
    if redactor is not None:
        transcript, redactions = _redacted(job, ctx, redactor, transcript, pcm16k)

    reasons = transcript_reasons(transcript, ctx.settings.review)
    # ~12 ms of CPU for a minute of audio, on the samples already decoded for the engine.
    sound = analyze_audio(
        pcm16k, 16000, source_rate=job.input.sample_rate, word_count=len(transcript.text.split())
    )
    confidence = mean_confidence([word.confidence for word in transcript.words])
    listening_copy = _listening_copy(job, ctx, pcm16k)

    def record(results: JobResults, _: str) -> None:
        results.transcript = transcript.text
        results.transcription = dict(transcript.details)
        if confidence is not None:
            # Also tells the reply stage that the stored transcript has word confidences.
            results.transcription[MEAN_CONFIDENCE] = round(confidence, 3)
        results.review_reasons = reasons
        results.needs_review = bool(reasons)
        results.analysis = Analysis(audio=sound)
        results.listening_copy_key = listening_copy
        if redactions is not None:
            results.redactions = redactions
            if redactor is not None and redactor.policy.audio != "none":
                results.redacted_audio_key = job.object_key(REDACTED_AUDIO)

    return StageOutput(
        key, transcript.model_dump_json().encode(), "application/json", record, digest
    )


def _listening_copy(job: Job, ctx: WorkerContext, pcm16k: npt.NDArray[np.int16]) -> str | None:
    """Where the recording's mp3 copy is stored, when browsers cannot play its codec (written
    before the record names it). Made from the samples decoded for the engine, only for such
    recordings: 0.24 s of CPU per minute of audio, against 7-11 s for the offline engine."""
    if job.input.codec in BROWSERS_PLAY:
        return None
    key = job.object_key(LISTENING_COPY_OBJECT)
    ctx.storage.put(key, encode_pcm(pcm16k, 16000, "mp3"), "audio/mpeg")
    return key


def _redacted(
    job: Job,
    ctx: WorkerContext,
    redactor: Redactor,
    transcript: Transcript,
    pcm16k: npt.NDArray[np.int16],
) -> tuple[Transcript, dict[str, int]]:
    """The transcript as it may be stored; the original only encrypted, where kept, and the
    recording's redacted copy where asked for (written before the record names them)."""
    redacted = redactor.transcript(transcript)
    keep_original(ctx, job, ORIGINAL_TRANSCRIPT, transcript.model_dump_json().encode())
    mode = redactor.policy.audio
    if mode != "none":
        quiet = silence_spans(pcm16k, 16000, redacted.spans_s, mode=mode)
        copy = encode_pcm(quiet, 16000, "mp3")
        ctx.storage.put(job.object_key(REDACTED_AUDIO), copy, "audio/mpeg")
    return redacted.transcript, counts(redacted.spans)


@shared_task(name=TASK_NAMES[Stage.STT], bind=True)  # type: ignore[untyped-decorator]
def transcribe(self: Task, job_id: str) -> None:
    run_stage(self, job_id, Stage.STT, transcribe_job)
