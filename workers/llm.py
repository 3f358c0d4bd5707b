"""Stage 2: the written reply (queue ``llm``)."""

from __future__ import annotations

from contextlib import suppress

from celery import Task, shared_task

from shared.analysis import Analysis
from shared.celery_app import TASK_NAMES
from shared.errors import StorageKeyNotFound
from shared.models import (
    REPLY_OBJECT,
    TRANSCRIPT_OBJECT,
    Job,
    JobResults,
    JobStatus,
    Reply,
    Stage,
    Transcript,
)
from shared.redaction.detect import Known, remember
from shared.stt_languages import is_english
from shared.text_input import TEXT_MEDIA_TYPE
from workers.context import WorkerContext
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder
from workers.providers.registry import llm_provider
from workers.redacting import (
    ORIGINAL_TEXT,
    ORIGINAL_TRANSCRIPT,
    Redactor,
    counts,
    fill_from_tokens,
    keep_original,
    read_original,
    remembered,
)
from workers.review import TRANSCRIPT_REASONS, Reason, merged, triage_review
from workers.stage import run_stage
from workers.stage_output import (
    MEAN_CONFIDENCE,
    StageOutput,
    provider_name,
    recorded_output_key,
    succeeded,
)
from workers.triage.tone import tone_of


def heard(job: Job, ctx: WorkerContext) -> Transcript:
    """What the caller said. A reply needs the words and the engine's details, which the
    job record holds once transcription succeeded: no storage read per job (an S3 GET in
    production). The details are the second hearings (the engine's own of the number, the
    other engine's) the triage weighs the number against: read from the record without
    them, a number Whisper misheard and both engines heard otherwise was given unflagged
    (617-238-4400 for 4410), as ``make quality``, which calls the triage directly, never
    showed."""
    if job.input.kind == "text":
        return Transcript(text=ctx.storage.get(job.input.key).decode("utf-8"), provider="text")
    text = job.results.transcript
    if text is not None and succeeded(job, Stage.STT):
        details = {k: v for k, v in job.results.transcription.items() if k != MEAN_CONFIDENCE}
        provider = job.stages[Stage.STT].provider or "unknown"
        return Transcript(text=text, provider=provider, details=details)
    key = recorded_output_key(job, Stage.STT, TRANSCRIPT_OBJECT)
    return Transcript.model_validate_json(ctx.storage.get(key))


def _with_words(job: Job, ctx: WorkerContext) -> Transcript:
    """The stored transcript with its words, when the engine gave word confidences (only
    then is the storage read worth it); else the words of the record."""
    text = job.results.transcript or ""
    record_only = Transcript(text=text, provider="unknown")
    if job.results.transcription.get(MEAN_CONFIDENCE) is None:
        return record_only
    try:
        key = recorded_output_key(job, Stage.STT, TRANSCRIPT_OBJECT)
        return Transcript.model_validate_json(ctx.storage.get(key))
    except StorageKeyNotFound:
        return record_only


def answered(earlier: Job) -> bool:
    """Whether an earlier job of the thread is history: it ended succeeded, so its reply was
    delivered (spoken, where it had a tts stage). The reply of a job that failed after it
    (the voice refused it), was canceled, or is still on its way was never given: a model
    shown it answers as if the caller had heard it ("as I said earlier ...")."""
    return (
        earlier.status == JobStatus.SUCCEEDED
        and earlier.results.transcript is not None
        and earlier.results.reply is not None
    )


def review_of(job: Job, ctx: WorkerContext, transcript: Transcript, reply: Reply) -> list[str]:
    """The transcription's reasons, kept from the record, and the triage's."""
    kept = [r for r in job.results.review_reasons if r in TRANSCRIPT_REASONS]
    if reply.triage is None:
        return kept
    region = ctx.settings.local.default_region
    reasons = triage_review(
        transcript, reply.triage, ctx.settings.review, region, lambda: _with_words(job, ctx)
    )
    if reply.provider == TriageResponder.name and not is_english(
        job.options.language or transcript.language
    ):
        # The offline triage reads English words only: other words give it a confident
        # wrong answer ("annuler mon rendez-vous" an appointment to book), so a person looks.
        reasons.append(Reason.OTHER_LANGUAGE)
    return merged(kept, reasons)


def respond_job(job: Job, ctx: WorkerContext) -> StageOutput:
    transcript = heard(job, ctx)
    redactor = Redactor.of(job, ctx.settings)
    redactions: dict[str, int] | None = None
    # What the reply model reads: the transcript as stored (redacted), or the original where
    # the job asked for it to be sent; what it answers is redacted alike after.
    read, known = transcript, list[Known]()
    if redactor is not None:
        transcript, read, known, redactions = _redacted_input(job, ctx, redactor, transcript)
    provider = llm_provider(provider_name(job, Stage.LLM, ctx), ctx.settings)
    history = [
        (earlier.results.transcript, earlier.results.reply)
        for earlier in ctx.jobs.thread_before(job, where=answered)
        if earlier.results.transcript is not None and earlier.results.reply is not None
    ]
    context = ReplyContext(
        system_prompt=job.options.system_prompt,
        history=history,
        default_region=ctx.settings.local.default_region,
        language=job.options.language or transcript.language,
    )
    reply: Reply = provider.respond(read, context)
    if redactor is not None and read is transcript:
        fill_from_tokens(reply.triage, transcript.text)
    key = job.object_key(REPLY_OBJECT)
    reasons = review_of(job, ctx, read, reply)
    if redactor is not None:
        reply = redactor.reply(reply, known)
    sound = job.results.analysis.audio if job.results.analysis else None
    tone = tone_of(transcript.text, sound, language=job.options.language or transcript.language)
    tone.description = reply.tone_description

    def record(results: JobResults, _: str) -> None:
        if job.input.kind == "text":
            # What later jobs of the thread, the exports and the webhooks read as "heard".
            results.transcript = transcript.text
            results.transcription = {"source": "text"}
            if redactions is not None:
                results.redactions = redactions
        results.reply = reply.text
        results.reply_language = reply.language
        results.triage = reply.triage
        results.usage = reply.usage
        results.review_reasons = reasons
        results.needs_review = bool(reasons)
        results.analysis = Analysis(audio=sound, tone=tone)

    return StageOutput(key, reply.model_dump_json().encode(), "application/json", record)


def _redacted_input(
    job: Job, ctx: WorkerContext, redactor: Redactor, transcript: Transcript
) -> tuple[Transcript, Transcript, list[Known], dict[str, int] | None]:
    """The transcript to store, the one the model reads, the values to catch again in the
    answer, and (for typed input, redacted here) what was removed."""
    if job.input.kind == "text":
        redacted = redactor.text(transcript.text)
        if not redacted.spans and ctx.settings.redaction.keep_original:
            # A redelivery finds the stored text redacted already: the original is sealed.
            with suppress(StorageKeyNotFound):
                typed = read_original(ctx, job, ORIGINAL_TEXT).decode("utf-8")
                transcript = Transcript(text=typed, provider="text")
                redacted = redactor.text(typed)
        elif redacted.spans:
            keep_original(ctx, job, ORIGINAL_TEXT, transcript.text.encode())
            ctx.storage.put(job.input.key, redacted.text.encode(), TEXT_MEDIA_TYPE)
        known = remember(transcript.text, redacted.spans)
        stored = Transcript(text=redacted.text, provider="text")
        read = transcript if redactor.policy.send_original_to_llm else stored
        return stored, read, known, counts(redacted.spans)
    if not redactor.policy.send_original_to_llm:
        return transcript, transcript, [], None
    original = Transcript.model_validate_json(read_original(ctx, job, ORIGINAL_TRANSCRIPT))
    return transcript, original, remembered(redactor, original.text), None


@shared_task(name=TASK_NAMES[Stage.LLM], bind=True)  # type: ignore[untyped-decorator]
def respond(self: Task, job_id: str) -> None:
    run_stage(self, job_id, Stage.LLM, respond_job)
