"""The secret strings a settings object holds, for ``Settings.without_secrets`` to replace
wherever a vendor's message quotes one."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


def secrets_in(values: list[object]) -> list[str]:
    """The secret strings held by ``values`` (sections, lists, nested models), longest first
    so that a secret containing another is replaced whole."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            # "<tenant>:<secret>" and "<user>:<password>" values: the part after is secret alone.
            found.update(s for s in (secret, secret.partition(":")[2]) if len(s) >= 6)
        elif isinstance(value, BaseModel):
            stack.extend(getattr(value, name) for name in type(value).model_fields)
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return sorted(found, key=len, reverse=True)
