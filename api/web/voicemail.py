"""What the voicemail page shows, read in one go: the job, its transcript's timed words,
its reviews and the values after them, its webhook deliveries and its stage timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from api.deps import Services
from api.errors import ApiError
from api.hidden_characters import without_hidden
from api.reviewing import checked, machine_values, reviewable
from api.web.access import PageError
from api.web.charts import Timeline, stage_timeline
from api.web.mention_dates import with_dates
from shared.errors import StorageKeyNotFound, StorageUnavailable
from shared.inbox_rows import SETTLED_BY
from shared.models import Job, JobStatus, Stage, StageStatus, Transcript
from shared.reviews import PERSONAL_FIELDS, Correction, Review, ReviewStore, intents
from shared.webhook_models import WebhookDelivery

# The fields a person may correct, in the form's order.
EDITABLE = ("caller_name", "callback_number", "intent", "urgency", "transcript")
URGENCIES = ("low", "normal", "high")
MAX_FIELD_CHARS = {"caller_name": 200, "callback_number": 40, "intent": 64, "urgency": 8}


@dataclass(frozen=True)
class Flag:
    """A review reason the machine gave, and the corrected field (in words) that settled
    it, if one has."""

    reason: str
    settled_by: str | None


@dataclass(frozen=True)
class TimedWord:
    index: int
    text: str
    start_s: float | None
    end_s: float | None


@dataclass(frozen=True)
class Voicemail:
    job: Job
    words: tuple[TimedWord, ...]
    machine: dict[str, str | None]
    current: dict[str, str | None]
    corrected: dict[str, str | None]
    reviews: tuple[Review, ...]
    deliveries: tuple[WebhookDelivery, ...]
    timeline: Timeline | None
    intents: tuple[str, ...]
    # The deployment's (web.time_zone): the day the voicemail was received there.
    zone: ZoneInfo
    # The transcript's language as a BCP 47 tag, for its ``lang``; None where not known.
    transcript_language: str | None = None

    @property
    def reply_language(self) -> str | None:
        said = self.job.results.reply_language
        return said if said and _TAG.fullmatch(said) else None

    @property
    def dates(self) -> str:
        """The triage's dates as said, each with the date it names beside it."""
        triage = self.job.results.triage
        return with_dates(triage.dates if triage else None, self.job.created_at, self.zone)

    @property
    def has_audio(self) -> bool:
        return self.job.input.kind == "audio" and self.job.objects_deleted_at is None

    @property
    def has_reply_audio(self) -> bool:
        return bool(self.job.results.reply_audio_key) and self.job.objects_deleted_at is None

    def scrubbed(self, correction: Correction) -> bool:
        """Whether retention blanked this correction's values (not a person clearing one)."""
        return (
            self.job.objects_deleted_at is not None
            and correction.field in PERSONAL_FIELDS
            and correction.before is None
            and correction.after is None
        )

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The machine's review reasons; a correction that cleared a value settles none."""
        return tuple(
            Flag(reason, LABELS[field] if field and self.corrected.get(field) else None)
            for reason in self.job.results.review_reasons
            for field in (SETTLED_BY.get(reason),)
        )

    @property
    def timed(self) -> bool:
        """Whether the transcript can follow the audio (word timings were recorded)."""
        return self.has_audio and any(w.start_s is not None for w in self.words)

    @property
    def reviewable(self) -> bool:
        """Whether the review form is offered: when the review service takes one."""
        return reviewable(self.job)

    @property
    def not_reviewable_why(self) -> str:
        """Why the form is not offered, and what would make it so: a job that failed or was
        canceled before triage waits for nothing, unlike one still being processed."""
        status = self.job.status
        if not status.terminal:
            return "The voicemail can be reviewed once it is triaged: it is still being processed."
        ended = "failed" if status == JobStatus.FAILED else "was canceled"
        if self.job.objects_deleted_at is not None:
            return f"The voicemail {ended} before it was triaged, and its recording was deleted."
        return (
            f"The voicemail {ended} before it was triaged: retry it "
            f"(POST /v1/jobs/{self.job.id}/retry) to review it once it is."
        )

    @property
    def done(self) -> bool:
        # As the latest review left it, as the inbox's list has it: a Done mark can be
        # taken back.
        return bool(self.reviews) and self.reviews[0].done

    @property
    def shown(self) -> dict[str, str]:
        """The review form's values before anyone types: what the voicemail says now, and
        its Done box as the latest review left it (the inbox's reviewed or not)."""
        return {**{k: v or "" for k, v in self.current.items()}, "done": "yes" if self.done else ""}

    @property
    def canceled_where(self) -> str | None:
        """Where a canceled job stopped, as the page words it: "during stt" (that stage was
        running), "before llm" (it was waiting for that one), or None if not known."""
        if self.job.status != JobStatus.CANCELED:
            return None
        records = [(stage, self.job.stages.get(stage)) for stage in self.job.options.stages]
        for stage, record in records:
            if record and record.status == StageStatus.CANCELED:
                return f"during {stage.value}"
        for stage, record in records:
            if record and record.status == StageStatus.SKIPPED:
                return f"before {stage.value}"
        return None


def _transcript(services: Services, job: Job) -> Transcript | None:
    record = job.stages.get(Stage.STT)
    if job.objects_deleted_at is not None or record is None or not record.output_key:
        return None
    try:
        return Transcript.model_validate_json(services.storage.get(record.output_key))
    except StorageKeyNotFound:
        return None
    except StorageUnavailable as exc:
        # Not "no transcript yet": the page would say the job has none.
        raise PageError(503, "Storage unavailable", exc.message) from exc


def timed_words(transcript: Transcript | None) -> tuple[TimedWord, ...]:
    if transcript is None:
        return ()
    return tuple(
        TimedWord(index, word.word, word.start_s, word.end_s)
        for index, word in enumerate(transcript.words)
        if word.word.strip()
    )


def load_voicemail(services: Services, tenant: str, job_id: str) -> Voicemail:
    """Everything on the page (JobNotFound for another tenant's job, as on the API)."""
    job = services.jobs.get(job_id, tenant)
    reviews = ReviewStore(services.jobs.redis)
    corrected = reviews.corrected(tenant, job.id)
    if job.objects_deleted_at is not None:
        # Retention blanked these corrections (both values None): shown, they would read
        # as a person clearing the caller and the machine having had none.
        corrected = {f: v for f, v in corrected.items() if f not in PERSONAL_FIELDS}
    machine = machine_values(job)
    transcript = _transcript(services, job)
    known = list(intents())
    current_intent = corrected.get("intent", machine["intent"])
    if current_intent and current_intent not in known:
        known.append(current_intent)
    return Voicemail(
        job=job,
        words=timed_words(transcript),
        machine=machine,
        current={**machine, **corrected},
        corrected=corrected,
        reviews=tuple(sorted(reviews.for_job(tenant, job.id), key=lambda r: r.at, reverse=True)),
        deliveries=tuple(services.deliveries.deliveries_of_job(job.id)),
        timeline=stage_timeline(job),
        intents=tuple(known),
        zone=services.settings.web.zone,
        transcript_language=language_tag(job, transcript),
    )


_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def language_tag(job: Job, transcript: Transcript | None) -> str | None:
    """The language the transcript is written in, as workers.llm reads it (the job's, else
    the speech engine's), for the page's ``lang``: a screen reader reads French words with a
    French voice. The offline engine writes English whatever it heard (its heard language,
    in the transcript's details, is not the text's), and says so. A name rather than a code
    ("french") or anything else no tag is left out: a wrong ``lang`` is worse than none."""
    said = job.options.language or (transcript.language if transcript else None)
    return said if said and _TAG.fullmatch(said) else None


def _typed(field: str, value: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; the transcript keeps plain newlines.
    # Invisible characters are dropped, not refused as on the JSON API: the person who
    # pasted them cannot see them to take them out (sign-in treats names alike).
    text = without_hidden(value, breaks=field == "transcript").replace("\r\n", "\n").strip()
    return text[: MAX_FIELD_CHARS[field]] if field in MAX_FIELD_CHARS else text


def seen_from(form: dict[str, str], shown: dict[str, str]) -> dict[str, str]:
    """The values the form was rendered with (its ``seen_*`` fields, Done's too); a form
    without them (rendered before they existed) is taken as showing what is ``shown`` now."""
    return {
        field: form[f"seen_{field}"] if f"seen_{field}" in form else shown[field]
        for field in (*EDITABLE, "done")
    }


def changes_from(form: dict[str, str], seen: dict[str, str]) -> dict[str, str]:
    """The fields the person changed: a value sent as the form showed it is not a
    correction, even where someone else has changed the field since."""
    changes: dict[str, str] = {}
    for field in EDITABLE:
        if field not in form:
            continue
        value = _typed(field, form[field])
        # Read as typed, too: a machine value holding an invisible character, sent back as
        # the form showed it, is no correction.
        if value != _typed(field, seen.get(field, "")):
            changes[field] = value
    return changes


def already_so(changes: dict[str, str], current: dict[str, str | None], region: str) -> list[str]:
    """The changed fields whose value, as it would be stored, is what the voicemail says
    now: a number retyped in another format. Sent on, each would make a review that
    corrects nothing, sent as a ``job.reviewed`` event."""
    same = []
    for field, value in changes.items():
        try:
            stored = checked({field: value}, region)[field]
        except ApiError:
            continue  # refused with its reason by the review itself
        if stored == current.get(field):
            same.append(field)
    return same


LABELS = {
    "caller_name": "caller",
    "callback_number": "callback number",
    "intent": "intent",
    "urgency": "urgency",
    "transcript": "transcript",
}


def conflict_message(fields: dict[str, str | None]) -> str:
    """What someone else changed while the person edited the same fields, and to what."""
    changed = "; ".join(
        f"the {LABELS[field]} (now shown above)"
        if field == "transcript"
        else f"the {LABELS[field]}, now {value or 'empty'}"
        for field, value in fields.items()
    )
    return (
        f"Not saved: since you opened this voicemail someone else changed {changed}. "
        "What you typed is still in the form: save again to put your values in place of "
        "theirs, or change it first."
    )
