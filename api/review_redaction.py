"""A review of a job that has a redaction policy is redacted by that policy before it is kept.

The stages redact everything they make before it is stored or sent on; a person's
correction is the one piece of a job's content that enters through the API instead. A
reviewer listening to the recording may type the number or name it said, so the corrected
values and the note get the job's own policy, key and tokens (one number, one token, as in
the stages' output), before the review is stored, indexed for search or sent to a webhook.

The detectors are the stages' own (``shared.redaction``): pure code with no model, imported
only when a reviewed job has a policy, so the API otherwise never loads them.
"""

from __future__ import annotations

from typing import Any

from shared.models import Job
from shared.reviews import Review
from shared.settings import Settings

# Fields of what the recording said; intent and urgency are a fixed vocabulary.
_TEXT_FIELDS = ("transcript", "callback_number", "caller_name", "note")


def redacted_review(
    job: Job, values: dict[str, str | None], note: str | None, settings: Settings
) -> tuple[dict[str, str | None], str | None]:
    """``values`` and ``note`` with the job's policy applied; unchanged without a policy."""
    policy = job.options.redact
    if policy is None:
        return values, note
    from shared.redaction.apply import WHOLE_FIELDS, redact_mapping
    from shared.redaction.detect import is_token

    secret = settings.redaction.hash_key
    key = secret.get_secret_value() if secret else None
    given: dict[str, Any] = {**values, "note": note}
    # A token already in a whole field (the machine's, kept by the reviewer) stays as it is:
    # as a value it would be hashed again into a token nothing else carries.
    texts = {
        field: given[field]
        for field in _TEXT_FIELDS
        if given.get(field) is not None and not (field in WHOLE_FIELDS and is_token(given[field]))
    }
    whole = {field: entity for field, entity in WHOLE_FIELDS.items() if policy.wants(entity)}
    cleaned = redact_mapping(texts, policy, key, whole=whole)
    merged = {**given, **cleaned}
    return {field: merged[field] for field in values}, merged["note"]


def redact_stored(reviews: list[Review], job: Job, settings: Settings) -> bool:
    """Reviews stored before reviews were redacted (before any change this makes, in place):
    both sides of each correction and the note get the job's policy. Whether any changed;
    redacting twice changes nothing, since tokens are kept as they are."""
    changed = False
    for review in reviews:
        after, note = redacted_review(
            job, {c.field: c.after for c in review.corrections}, review.note, settings
        )
        before, _ = redacted_review(
            job, {c.field: c.before for c in review.corrections}, None, settings
        )
        for correction in review.corrections:
            new = (before[correction.field], after[correction.field])
            if new != (correction.before, correction.after):
                correction.before, correction.after = new
                changed = True
        if note != review.note:
            review.note = note
            changed = True
    return changed
