"""Small model builders shared by tests and the benchmark."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from shared.models import InputMeta, Job, JobResults, JobStatus, Triage


def wav_input_meta(key: str = "x", size_bytes: int = 1) -> InputMeta:
    """What intake records for a one-second 16 kHz mono WAV (no file behind it)."""
    return InputMeta(
        media_type="audio/wav",
        container="wav",
        codec="pcm_s16le",
        size_bytes=size_bytes,
        duration_s=1.0,
        sample_rate=16000,
        channels=1,
        sha256="0" * 64,
        key=key,
    )


def voicemail_job(
    *,
    tenant: str = "acme",
    created_at: datetime | None = None,
    transcript: str | None = "Hi, this is a voicemail.",
    caller_name: str | None = None,
    callback_number: str | None = None,
    intent: str = "general",
    urgency: Literal["low", "normal", "high"] = "normal",
    summary: str = "",
    needs_review: bool | None = False,
    status: JobStatus = JobStatus.SUCCEEDED,
    **fields: Any,
) -> Job:
    """A voicemail's job as the pipeline leaves it: transcribed and triaged (no triage
    when ``transcript`` is None), its recording under its own key (not stored)."""
    fields.setdefault("input", wav_input_meta())
    job = Job(tenant=tenant, status=status, **fields)
    if created_at is not None:
        job.created_at = created_at
    if job.input.kind == "audio":
        job.input.key = job.object_key("input.wav")
    if transcript is not None:
        job.results = JobResults(
            transcript=transcript,
            needs_review=needs_review,
            review_reasons=["intent_undecided"] if needs_review else [],
            triage=Triage(
                caller_name=caller_name,
                callback_number=callback_number,
                intent=intent,
                urgency=urgency,
                summary=summary,
            ),
        )
    return job
