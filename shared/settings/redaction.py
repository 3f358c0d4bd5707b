"""The deployment's redaction of personal data (see README "Redaction")."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from shared.redaction_policy import AudioRedaction, Entity, Substitution, parse_entities
from shared.settings.auth import Section


class RedactionSettings(Section):
    entities: Annotated[list[Entity], NoDecode] = Field(
        default_factory=list,
        description="Redact these in every job unless it says otherwise: 'all' or a comma "
        "list (phone_number, email_address, credit_card_number, …). Empty: off by default.",
    )
    style: Substitution = Field(
        default=Substitution.LABEL, description="label ([PHONE_NUMBER]) or hash (keyed)."
    )
    audio: AudioRedaction = Field(
        default="none", description="Also make a redacted copy of each recording."
    )
    hash_key: SecretStr | None = Field(
        default=None, description="Key of the hash style's tokens (any secret string)."
    )
    keep_original: bool = Field(
        default=False,
        description="Keep the unredacted transcript (and typed text), encrypted with "
        "original_key; deleted with the job.",
    )
    original_key: SecretStr | None = Field(
        default=None,
        description="Fernet key (32 url-safe base64 bytes, `voicepipe keys fernet`) that "
        "encrypts kept originals.",
    )

    @field_validator("entities", mode="before")
    @classmethod
    def _entities(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [] if value.strip().lower() in {"", "none"} else parse_entities(value)
        return value

    @model_validator(mode="after")
    def _keys(self) -> RedactionSettings:
        if self.keep_original:
            if self.original_key is None:
                raise ValueError(
                    "keep_original needs original_key: set VOICEPIPE_REDACTION__ORIGINAL_KEY "
                    "to a Fernet key (32 url-safe base64 bytes)"
                )
            try:
                raw = base64.urlsafe_b64decode(self.original_key.get_secret_value())
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:
                raise ValueError("original_key must be 32 url-safe base64-encoded bytes (Fernet)")
        if self.style == Substitution.HASH and self.hash_key is None:
            raise ValueError("the hash style needs VOICEPIPE_REDACTION__HASH_KEY")
        return self
