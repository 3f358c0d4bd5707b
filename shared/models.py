"""The job record and the values the stages exchange."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.analysis import Analysis
from shared.redaction_policy import JobRedaction
from shared.settings import OutputFormat
from shared.stages import STAGE_ORDER as STAGE_ORDER
from shared.stages import Stage as Stage


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_job_id() -> str:
    # Sortable by creation time (hex milliseconds) and unguessable (random tail).
    millis = int(utcnow().timestamp() * 1000)
    return f"job_{millis:012x}{secrets.token_hex(8)}"


def job_id_time(job_id: str) -> float | None:
    """The Unix time a ``new_job_id`` was made at; None for an id of another shape."""
    stamp = job_id.removeprefix("job_")[:12]
    if len(stamp) != 12 or not job_id.startswith("job_"):
        return None
    try:
        return int(stamp, 16) / 1000
    except ValueError:
        return None


class JobStatus(StrEnum):
    QUEUED = "queued"
    TRANSCRIBING = "transcribing"
    RESPONDING = "responding"
    SYNTHESIZING = "synthesizing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def terminal(self) -> bool:
        return self in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED}


# Names of the stage outputs under a job's prefix (a retried stage adds its attempt number,
# see workers.stage.attempt_key; the record's output_key names the one that counts).
# A conversation key as the API takes it (a caller's number, a CRM id); said in words, not
# as this regex, to a client that sends another (api/field_problems.py).
THREAD_PATTERN = r"^[A-Za-z0-9+_.:@-]+$"
TRANSCRIPT_OBJECT = "transcript.json"
LISTENING_COPY_OBJECT = "input.listen.mp3"
REPLY_OBJECT = "reply.json"

RUNNING_STATUS: dict[Stage, JobStatus] = {
    Stage.STT: JobStatus.TRANSCRIBING,
    Stage.LLM: JobStatus.RESPONDING,
    Stage.TTS: JobStatus.SYNTHESIZING,
}


class StageStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"
    FAILED = "failed"
    # Not run (again): its job ended while the stage waited for its turn or a retry.
    SKIPPED = "skipped"
    # Running when its job was canceled: whatever that run makes is discarded.
    CANCELED = "canceled"


class ErrorInfo(BaseModel):
    code: str
    message: str


class StageRecord(BaseModel):
    status: StageStatus = StageStatus.PENDING
    provider: str | None = None
    attempts: int = 0
    # The attempts made before a retry of the job (POST /v1/jobs/{id}/retry, a batch's
    # retry) queued the stage again: its retry budget counts from here, while ``attempts``
    # keeps counting, so that every run still stores its output under a key of its own.
    attempts_before_resume: int = 0
    # Deliveries that found the stage still marked running: its worker died mid-task
    # (counted afresh when the job is retried).
    crashes: int = 0
    # The delivery that owns the stage now: a copy of the message with another id must not
    # run it at the same time, and a stale run must not overwrite the owner's result.
    task_id: str | None = None
    # The Celery worker (its node name, ``stt@host``) running the stage: while that worker
    # notes itself alive the sweeper leaves the stage be; once it falls silent the stage is
    # re-driven (shared.orphans). None in records written before it was kept.
    worker: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # When a retry of its job queued this stage again (job_transitions.resume): its queue wait
    # counts from then, not from the stage before it or the job's creation.
    resumed_at: datetime | None = None
    duration_s: float | None = None
    # CPU seconds of the run that produced the output (the usage ledger prices them): the
    # whole process's for a one-task-at-a-time pool, the task's thread's for a thread pool.
    cpu_s: float | None = None
    error: ErrorInfo | None = None
    next_attempt_at: datetime | None = None
    output_key: str | None = None
    # Tokens the vendor billed for runs that failed after it answered (a refusal, an answer
    # cut at max_tokens), and for runs whose answer the job no longer took (they lost the
    # stage to a cancel or another delivery): written once per run, kept through retries;
    # the usage ledger adds them to the stage's tokens. The run that succeeded is in
    # ``results.usage``.
    billed: list[Billed] = Field(default_factory=list)


class JobOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stages: list[Stage] = Field(default_factory=lambda: list(STAGE_ORDER))
    stt_provider: str | None = None
    llm_provider: str | None = None
    tts_provider: str | None = None
    voice: str | None = None
    output_format: OutputFormat | None = None
    system_prompt: str | None = Field(default=None, max_length=4000)
    language: str | None = Field(default=None, max_length=16)
    thread_id: str | None = Field(
        default=None,
        max_length=128,
        pattern=THREAD_PATTERN,
        description="Conversation key (e.g. the caller's number): replies see earlier jobs.",
    )
    callback_url: str | None = Field(
        default=None,
        max_length=2048,
        description="Where signed webhook events of this job (and its batch) are POSTed.",
    )
    stage_events: bool = Field(
        default=False, description="Also send job.stage.succeeded / job.stage.failed events."
    )
    delete_after_seconds: int | None = Field(
        default=None,
        ge=1,
        le=10 * 365 * 86400,
        description="Delete the job's input and outputs this long after it ends.",
    )
    # Personal data removed from everything the job stores and sends (shared.redaction_policy).
    redact: JobRedaction | None = None


class InputMeta(BaseModel):
    # "text": typed input (``POST /v1/jobs`` with ``text``), stored as UTF-8 and starting at
    # the llm stage; its audio facts are zero.
    kind: Literal["audio", "text"] = "audio"
    filename: str | None = None
    media_type: str
    container: str
    codec: str
    size_bytes: int
    duration_s: float
    sample_rate: int
    channels: int
    # Set by the transcription stage, which reads the recording anyway, unless intake had a
    # reason to hash it first (an Idempotency-Key, typed text, a batch item): hashing every
    # upload at intake was the largest single cost of POST /v1/jobs (see api.intake).
    sha256: str | None = Field(
        default=None,
        description="SHA-256 of the input as stored: null until the transcription stage has "
        "read it, unless intake already hashed it (a request with an Idempotency-Key, typed "
        "text, a batch item).",
    )
    key: str


class Word(BaseModel):
    word: str
    start_s: float | None = None
    end_s: float | None = None
    confidence: float | None = None


class Transcript(BaseModel):
    text: str
    language: str | None = None
    provider: str
    duration_s: float | None = None
    words: list[Word] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class Triage(BaseModel):
    caller_name: str | None = None
    # Only ever a valid number (libphonenumber), in E.164.
    callback_number: str | None = None
    # Digits the caller gave that make no valid number (a fragment, a misheard digit): never
    # the number to call, and the job goes to review.
    callback_number_partial: str | None = None
    dates: list[str] = Field(default_factory=list)
    intent: str = "general"
    urgency: Literal["low", "normal", "high"] = "normal"
    requested_action: str | None = None
    summary: str = ""


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    # The model that answered (and so sets the price); None from engines without one.
    model: str | None = None


class Billed(Usage):
    """What a vendor billed a run the job did not take: its tokens, and the audio seconds
    (a cloud transcriber) or characters (a cloud voice) it bills by, with the engine that
    billed them (None for tokens alone: the stage's own engine, as the ledger reads it)."""

    engine: str | None = None
    audio_s: float = 0
    characters: int = 0

    @classmethod
    def of(cls, usage: Usage) -> Billed:
        return usage if isinstance(usage, Billed) else cls(**usage.model_dump())


class Reply(BaseModel):
    text: str
    provider: str
    triage: Triage | None = None
    usage: Usage = Field(default_factory=Usage)
    # A language model's one line on the caller's tone; rules give none.
    tone_description: str | None = None
    # The language the responder was asked to write ``text`` in (Claude is given the
    # caller's); None where it writes English whatever the caller speaks.
    language: str | None = None


class SynthesizedAudio(BaseModel):
    """Encoded audio as produced by a voice; bytes travel outside pydantic for speed."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    data: bytes
    media_type: str
    extension: str
    duration_s: float
    provider: str
    voice: str | None = None


class JobResults(BaseModel):
    transcript: str | None = None
    # How the transcript was made: engine used, any fallback and why, hybrid agreement.
    transcription: dict[str, Any] = Field(default_factory=dict)
    # Whether a person should check this job, and why (codes: workers/review.py).
    needs_review: bool | None = None
    review_reasons: list[str] = Field(default_factory=list)
    reply: str | None = None
    triage: Triage | None = None
    usage: Usage | None = None
    reply_audio_key: str | None = None
    reply_audio_media_type: str | None = None
    reply_audio_duration_s: float | None = None
    # Characters the voice was sent (what a voice vendor bills).
    spoken_characters: int | None = None
    # The language the reply was written in (Reply.language), for the voice that speaks it.
    reply_language: str | None = None
    # Estimates of how the recording sounds and how the caller seems to feel.
    analysis: Analysis | None = None
    # What redaction removed, by entity (counts only), and the recording's redacted copy.
    redactions: dict[str, int] | None = None
    redacted_audio_key: str | None = None
    # The recording as mp3, where browsers cannot play its own codec (AMR, ADPCM, GSM, ...):
    # what the inbox's player is given.
    listening_copy_key: str | None = None


class Job(BaseModel):
    id: str = Field(default_factory=new_job_id)
    tenant: str = "default"
    status: JobStatus = JobStatus.QUEUED
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    options: JobOptions = Field(default_factory=JobOptions)
    input: InputMeta
    stages: dict[Stage, StageRecord] = Field(default_factory=dict)
    results: JobResults = Field(default_factory=JobResults)
    error: ErrorInfo | None = None
    failed_stage: Stage | None = None
    redrives: int = 0
    # Set for a job made from a batch item: the batch, the item's position and where the
    # audio came from (file name, URL or object key), and the item's own metadata.
    batch_id: str | None = None
    batch_index: int | None = None
    source: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    objects_deleted_at: datetime | None = None

    def model_post_init(self, __context: Any) -> None:
        for stage in self.options.stages:
            self.stages.setdefault(stage, StageRecord())

    def object_key(self, name: str) -> str:
        """Deterministic storage key of one of this job's objects."""
        return f"{self.tenant}/jobs/{self.id}/{name}"
