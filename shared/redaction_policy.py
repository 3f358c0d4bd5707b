"""What to redact and how to write what was removed.

Only pydantic and the standard library are imported here, so the API can validate a policy
without loading any detector (the detectors are in shared/redaction/).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Entity(StrEnum):
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    CREDIT_CARD_NUMBER = "credit_card_number"
    US_SOCIAL_SECURITY_NUMBER = "us_social_security_number"
    DATE_OF_BIRTH = "date_of_birth"
    STREET_ADDRESS = "street_address"
    PERSON_NAME = "person_name"
    ACCOUNT_NUMBER = "account_number"
    ACCESS_CODE = "access_code"

    @property
    def label(self) -> str:
        return self.value.upper()


class Substitution(StrEnum):
    # "[PHONE_NUMBER]": nothing about the value is kept.
    LABEL = "label"
    # "[PHONE_NUMBER:3f9a1c2b]": a keyed hash, so one value gets one token everywhere in a
    # deployment (the same caller is recognisable) without the value being recoverable.
    HASH = "hash"


class RedactionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entities: list[Entity] = Field(default_factory=lambda: list(Entity), min_length=1)
    style: Substitution = Substitution.LABEL
    # Where a number without a country code is dialled from (libphonenumber region code).
    region: str = Field(default="US", min_length=2, max_length=2)

    def wants(self, entity: Entity) -> bool:
        return entity in self.entities


AudioRedaction = Literal["none", "silence", "bleep"]


class JobRedaction(RedactionPolicy):
    """A job's redaction: the policy, and how far it reaches beyond the text."""

    # A redacted copy of the recording with the spans silenced or bleeped (word timings).
    audio: AudioRedaction = "none"
    # The reply model gets the original transcript (its answer is redacted after); only
    # where the deployment keeps originals, since the reply stage reads it from there.
    send_original_to_llm: bool = False


# What parse_entities takes, or nothing (the default), as a regular expression the API's
# schema states: spaces only, so every regex dialect reads it alike.
_NAMES = "|".join(Entity)
ENTITY_LIST_PATTERN = rf"^ *(all|none|({_NAMES})( *, *({_NAMES}))*)? *$"


def parse_entities(raw: str) -> list[Entity]:
    """``all``, or entity names separated by commas; raises ValueError naming the choices."""
    names = [part.strip() for part in raw.split(",") if part.strip()]
    if names == ["all"]:
        return list(Entity)
    unknown = [name for name in names if name not in set(Entity)]
    if unknown or not names:
        raise ValueError(
            f"unknown entities {unknown or [raw]}: use 'all', 'none' or a comma-separated "
            f"list of {', '.join(Entity)}"
        )
    return list(dict.fromkeys(Entity(name) for name in names))
