"""What a redacted value is replaced with: its label, or its label and a keyed hash."""

from __future__ import annotations

import hashlib
import hmac

from shared.redaction_policy import Entity, Substitution

HASH_CHARS = 8  # 32 bits: distinct callers of one deployment stay apart, nothing to reverse


def substitute(entity: Entity, value: str, style: Substitution, key: bytes | str | None) -> str:
    """``[PHONE_NUMBER]``, or ``[PHONE_NUMBER:3f9a1c2b]``: HMAC-SHA256 of the normalised value
    under the deployment's key, so one number is one token across jobs and without the key
    the token cannot be matched against a list of guessed numbers."""
    if style is Substitution.LABEL:
        return f"[{entity.label}]"
    if not key:
        raise ValueError("the hash substitution needs a key")
    secret = key.encode() if isinstance(key, str) else key
    message = f"{entity.value}\x1f{value}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).hexdigest()[:HASH_CHARS]
    return f"[{entity.label}:{digest}]"
