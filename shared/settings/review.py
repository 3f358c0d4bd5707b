"""When a job is flagged for a person to check (``results.needs_review``)."""

from __future__ import annotations

from pydantic import Field

from shared.settings.auth import Section


class ReviewSettings(Section):
    min_mean_confidence: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Flag low_confidence when the engine's mean word confidence is below "
        "this (engines that give word confidences only).",
    )
    min_number_confidence: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Flag callback_number_unconfirmed when any word the callback number "
        "was heard in has a confidence below this.",
    )
    min_english: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Flag other_language when the offline engine finds the recording's first "
        "30 s of speech less likely than this to be English (it decodes every recording as "
        "English). On 182 English recordings the least was 0.53; on 33 voicemails in eleven "
        "other languages the most was 0.25.",
    )
    flag_missing_callback: bool = Field(
        default=True,
        description="Flag no_callback_number when a voicemail gives no number to call.",
    )
