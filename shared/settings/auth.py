"""Settings of API keys (server side) and of the key the CLI sends (client side).

The server is configured with SHA-256 hashes of the keys, never the keys: a leaked
environment or settings dump then grants nothing. ``voicepipe keys create`` prints a new
key once, with the ``<tenant>:<hash>`` entry to add to ``VOICEPIPE_AUTH__KEYS``.

Open access (every request belongs to tenant ``default``, no key needed) is what a fresh
machine gets: it happens when no keys are configured or auth is disabled, and settings
allow it only while the API listens on a loopback address.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import NoDecode

TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
OPEN_TENANT = "default"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_FORMAT = "'<tenant>:<sha256 hex of the key>' (see `voicepipe keys create`)"


class Section(BaseModel):
    """A settings section: a typo in a nested variable name fails loudly, not ignored.

    No number setting is infinite or NaN: an endless timeout or interval made a wait raise
    OverflowError when it was first used, and NaN passes any bound it is compared with."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def comma_list(value: object) -> object:
    """A list setting from the environment: a JSON list is awkward to quote there, so a
    comma- or space-separated list is taken too."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part for part in re.split(r"[\s,]+", text) if part]
    return value


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach a server bound to ``host``."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class AuthSettings(Section):
    enabled: bool = Field(
        default=True,
        description="Require an API key on /v1; false is only allowed on a loopback host.",
    )
    keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="'<tenant>:<sha256 hex of the key>' entries: a JSON list or comma-separated.",
    )

    @field_validator("keys", mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return comma_list(value)

    @field_validator("keys")
    @classmethod
    def _tenant_and_hash(cls, entries: list[str]) -> list[str]:
        # Messages name the entry by position only: a key pasted by mistake must not be echoed.
        seen: set[str] = set()
        clean: list[str] = []
        for index, entry in enumerate(entries):
            tenant, sep, digest = entry.strip().partition(":")
            digest = digest.lower()
            if digest.startswith("vp_"):
                raise ValueError(
                    f"auth.keys[{index}] holds an API key itself; configure its hash instead: "
                    f"{_ENTRY_FORMAT}"
                )
            if not (sep and TENANT_PATTERN.fullmatch(tenant) and _SHA256_HEX.fullmatch(digest)):
                raise ValueError(
                    f"auth.keys[{index}] must be {_ENTRY_FORMAT}, the tenant matching "
                    f"{TENANT_PATTERN.pattern}"
                )
            if digest in seen:
                raise ValueError(f"auth.keys[{index}] repeats a key hash listed before it")
            seen.add(digest)
            clean.append(f"{tenant}:{digest}")
        return clean

    @property
    def open_access(self) -> bool:
        """True when requests need no key and all belong to tenant ``default``."""
        return not (self.enabled and self.keys)

    def exposure_problem(self, host: str) -> str | None:
        """Why these settings would serve an unauthenticated API beyond ``host``, or None."""
        if is_loopback(host) or not self.open_access:
            return None
        if not self.enabled:
            return (
                f"auth.enabled=false is only allowed when api.host is a loopback address "
                f"(127.0.0.1, ::1, localhost), not {host!r}"
            )
        return (
            f"api.host {host!r} accepts connections from other machines but no API keys are "
            "configured: set VOICEPIPE_AUTH__KEYS or bind to loopback "
            "(VOICEPIPE_API__HOST=127.0.0.1); `voicepipe keys create --tenant NAME` makes a key"
        )


class ClientSettings(Section):
    api_key: SecretStr | None = Field(
        default=None,
        description="The key `voicepipe submit` and `status` send (VOICEPIPE_CLIENT__API_KEY).",
    )
