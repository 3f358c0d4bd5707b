"""Settings of bulk processing: batches, imports, URL fetches, webhooks and retention.

Part of the one ``Settings`` object (``shared.settings``); kept apart only to keep files short.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from shared.settings.auth import TENANT_PATTERN, Section, comma_list
from shared.settings.s3_credentials import S3KeyPair
from shared.settings.urls import http_url


class BatchSettings(Section):
    max_parts: int = Field(default=1000, ge=1, description="`file` parts in one batch upload.")
    max_total_bytes: int = Field(
        default=2 * 1024**3, gt=0, description="Bytes of one multipart batch request."
    )
    max_items: int = Field(default=100_000, ge=1, description="Items of one manifest or S3 prefix.")
    max_manifest_bytes: int = Field(default=32 * 1024**2, gt=0)
    expand_chunk: int = Field(
        default=50, ge=1, le=5000, description="Items an ingest task takes before passing on."
    )
    stalled_after_s: float = Field(
        default=120.0,
        gt=0,
        description="An expansion that has not moved for this long is queued again.",
    )


class ImportSettings(Section, S3KeyPair):
    """Where manifest object keys and S3 prefixes are read from (never the job storage)."""

    section = "imports"

    backend: Literal["local", "s3"] = "local"
    local_dir: Path | None = Field(
        default=None, description="Defaults to <data_dir>/imports for the local backend."
    )
    s3_bucket: str = "voicepipe-imports"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    tenant_prefix: bool = Field(
        default=True,
        description="Keys and prefixes are read below '<tenant>/', so tenants stay apart.",
    )

    @field_validator("s3_endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return http_url(value, "imports.s3_endpoint_url")


class FetchSettings(Section):
    """Rules for every outbound request made for a client: URL items and callbacks."""

    allow_ranges: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CIDR ranges that may be reached although loopback, private or "
        "link-local (e.g. an internal mirror); comma-separated.",
    )
    timeout_s: float = Field(default=30.0, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)

    @field_validator("allow_ranges", mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return comma_list(value)

    @field_validator("allow_ranges")
    @classmethod
    def _cidrs(cls, ranges: list[str]) -> list[str]:
        for index, text in enumerate(ranges):
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise ValueError(
                    f"fetch.allow_ranges[{index}] is not a CIDR range like 10.1.0.0/16"
                ) from None
        return ranges


# Standard Webhooks' example schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
# 14 h, 20 h, 24 h (each the wait before that attempt).
_DEFAULT_SCHEDULE = [0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, 72000.0, 86400.0]
_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=]{32,}$")
_SECRET_MIN_BYTES = 24


def _signs(secret: str) -> bool:
    """Whether the signing library can use ``secret``: decoded as it decodes it (padding
    added, so unpadded base64 is fine), to the specification's 24 bytes at least."""
    if not _SECRET.fullmatch(secret):
        return False
    try:
        key = base64.b64decode(secret.removeprefix("whsec_") + "==")
    except binascii.Error:
        return False
    return len(key) >= _SECRET_MIN_BYTES


class WebhookSettings(Section):
    secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="'<tenant>:whsec_<base64>' entries; two for one tenant during a rotation "
        "(the first signs as well). `voicepipe webhooks secret` makes one.",
    )
    schedule_s: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: list(_DEFAULT_SCHEDULE),
        description="Wait before each attempt (the first is usually 0); its length is the "
        "number of attempts.",
    )
    timeout_s: float = Field(default=15.0, gt=0, le=60)
    lease_s: float = Field(
        default=60.0,
        gt=0,
        description="A delivery handed to a worker is handed out again after this long "
        "(its worker died): above timeout_s.",
    )
    # At most a minute: past threading.TIMEOUT_MAX the delivery loop's wait raises.
    poll_interval_s: float = Field(default=0.5, gt=0, le=60)
    keep_records_s: int = Field(
        default=30 * 86400,
        ge=60,
        description="How long an event's record (its attempts) stays readable once it ended.",
    )

    @field_validator("secrets", "schedule_s", mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return comma_list(value)

    @field_validator("schedule_s")
    @classmethod
    def _schedule(cls, schedule: list[float]) -> list[float]:
        if not schedule or any(s < 0 for s in schedule):
            raise ValueError("webhooks.schedule_s must be a non-empty list of seconds >= 0")
        return schedule

    @field_validator("secrets")
    @classmethod
    def _tenant_and_secret(cls, entries: list[SecretStr]) -> list[SecretStr]:
        # Messages name the entry by position only, never its secret.
        for index, entry in enumerate(entries):
            tenant, sep, secret = entry.get_secret_value().strip().partition(":")
            # Checked as the signer will read it: one it cannot read failed every delivery.
            if not (sep and TENANT_PATTERN.fullmatch(tenant) and _signs(secret)):
                raise ValueError(
                    f"webhooks.secrets[{index}] must be '<tenant>:whsec_<base64 of 24-64 "
                    "random bytes>' (see `voicepipe webhooks secret`)"
                )
        return entries

    def tenant_secrets(self, tenant: str) -> list[str]:
        """The tenant's signing secrets, the current one first."""
        found = []
        for entry in self.secrets:
            owner, _, secret = entry.get_secret_value().strip().partition(":")
            if owner == tenant:
                found.append(secret)
        return found


class RetentionSettings(Section):
    default_delete_after_s: int | None = Field(
        default=None,
        ge=60,
        description="Delete a job's inputs and outputs this long after it ends, unless the "
        "job or batch says otherwise (none: keep them).",
    )
