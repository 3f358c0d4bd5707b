"""The normalised value of a field that is wholly one entity (a triage ``callback_number``,
a ``caller_name``), in the form the detectors give the same entity found in a text, so
both get the same hashed token."""

from __future__ import annotations

import re

from shared.language.phone import to_e164
from shared.redaction.birth_dates import parse_date
from shared.redaction.person_names import TITLES
from shared.redaction.stream import stream
from shared.redaction_policy import Entity


def normalise(entity: Entity, text: str, region: str) -> str:
    s = stream(text)
    if entity is Entity.PHONE_NUMBER:
        digits = re.sub(r"\D", "", text)
        e164 = to_e164(digits, region, international=text.strip().startswith("+"))
        return e164 or digits
    if entity in (
        Entity.CREDIT_CARD_NUMBER,
        Entity.US_SOCIAL_SECURITY_NUMBER,
        Entity.ACCESS_CODE,
    ):
        return re.sub(r"\D", "", text)
    if entity is Entity.EMAIL_ADDRESS:
        return text.strip().lower()
    if entity is Entity.ACCOUNT_NUMBER:
        letters = "".join(c for c in text if c.isalpha())
        return letters.upper() + re.sub(r"\D", "", text)
    if entity is Entity.PERSON_NAME:
        return " ".join(w for w in s.low if w not in TITLES)
    if entity is Entity.DATE_OF_BIRTH:
        return parse_date(s.low) or " ".join(s.low)
    return " ".join(s.low)
