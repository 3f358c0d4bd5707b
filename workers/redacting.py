"""Redaction as the stages apply it: the job's policy, its key, the kept originals, and the
triage fields that only a redacted transcript's tokens can fill.

Each stage redacts what it makes before anything is stored or sent on: the stt stage its
transcript (and, if asked, a copy of the recording), the llm stage a typed text, the reply,
the triage and the tone, and a tts-only job the text it speaks. Everything later (exports,
webhooks, the API's answers) is built from those, so nothing downstream needs to know.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cryptography.fernet import Fernet

from shared.models import Job, Reply, Transcript, Triage
from shared.redaction.apply import (
    WHOLE_FIELDS,
    Redacted,
    RedactedTranscript,
    redact_mapping,
    redact_text,
    redact_transcript,
)
from shared.redaction.detect import Known, is_token, remember
from shared.redaction.spans import Span
from shared.redaction_policy import Entity, JobRedaction
from shared.settings import Settings
from workers.context import WorkerContext
from workers.providers.stt.hybrid import compared_again

# Under the job's prefix, so deleting the job (or its retention) deletes them too.
ORIGINAL_TRANSCRIPT = "transcript.original.json.enc"
ORIGINAL_TEXT = "input.original.txt.enc"
REDACTED_AUDIO = "input.redacted.mp3"


@dataclass(frozen=True)
class Redactor:
    policy: JobRedaction
    key: str | None

    @classmethod
    def of(cls, job: Job, settings: Settings) -> Redactor | None:
        if job.options.redact is None:
            return None
        secret = settings.redaction.hash_key
        return cls(job.options.redact, secret.get_secret_value() if secret else None)

    def transcript(self, transcript: Transcript) -> RedactedTranscript:
        redacted = redact_transcript(transcript, self.policy, self.key)
        details = compared_again(redacted.transcript.details)
        transcript = redacted.transcript.model_copy(update={"details": details})
        return replace(redacted, transcript=transcript)

    def text(self, text: str, known: Iterable[Known] = ()) -> Redacted:
        return redact_text(text, self.policy, self.key, known=known)

    def reply(self, reply: Reply, known: list[Known]) -> Reply:
        """The reply's text, triage and tone with the policy's entities removed; ``known``
        values (from the original transcript) are caught wherever they are repeated."""
        triage = reply.triage
        if triage is not None:
            fields = triage.model_dump(mode="json")
            # A field that already holds a token (fill_from_tokens) is kept as it is: as a
            # "value" it would be hashed again into a token the transcript does not have.
            tokens = {k: fields.pop(k) for k in WHOLE_FIELDS if is_token(fields.get(k))}
            cleaned = redact_mapping(
                fields,
                self.policy,
                self.key,
                whole={k: v for k, v in WHOLE_FIELDS.items() if self.policy.wants(v)},
                known=known,
            )
            triage = Triage.model_validate({**cleaned, **tokens})
        tone = reply.tone_description
        return reply.model_copy(
            update={
                "text": self.text(reply.text, known).text,
                "triage": triage,
                "tone_description": self.text(tone, known).text if tone else None,
            }
        )


def remembered(redactor: Redactor, original: str) -> list[Known]:
    """The values the original text held, to be caught again in what is made from it."""
    return remember(original, redactor.text(original).spans)


def counts(spans: Iterable[Span]) -> dict[str, int]:
    return dict(Counter(span.entity.value for span in spans))


def _token(entity: Entity) -> re.Pattern[str]:
    return re.compile(rf"\[{entity.label}(?::[0-9a-f]{{8}})?\]")


def fill_from_tokens(triage: Triage | None, redacted_text: str) -> None:
    """A redacted transcript still says that a number or a name was given: the triage that
    found none (its digits and words are gone) gets the token, so the job is not flagged
    for a missing callback number it had, and a hashed token still tells callers apart."""
    if triage is None:
        return
    if not triage.callback_number and not triage.callback_number_partial:
        found = _token(Entity.PHONE_NUMBER).search(redacted_text)
        triage.callback_number = found.group(0) if found else None
    if not triage.caller_name:
        found = _token(Entity.PERSON_NAME).search(redacted_text)
        triage.caller_name = found.group(0) if found else None


def keep_original(ctx: WorkerContext, job: Job, name: str, data: bytes) -> None:
    """Store the unredacted ``data`` encrypted, if the deployment keeps originals."""
    config = ctx.settings.redaction
    if not config.keep_original or config.original_key is None:
        return
    sealed = Fernet(config.original_key.get_secret_value().encode()).encrypt(data)
    ctx.storage.put(job.object_key(name), sealed, "application/octet-stream")


def read_original(ctx: WorkerContext, job: Job, name: str) -> bytes:
    config = ctx.settings.redaction
    if config.original_key is None:
        raise RuntimeError("originals are read only where the deployment keeps them")
    sealed = ctx.storage.get(job.object_key(name))
    return Fernet(config.original_key.get_secret_value().encode()).decrypt(sealed)
