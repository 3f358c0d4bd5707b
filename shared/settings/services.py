"""Settings of the parts VoicePipe runs on and beside: broker, object storage, the HTTP API,
the sweeper and Flower."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, field_validator, model_validator

from shared.settings.auth import Section
from shared.settings.s3_credentials import S3KeyPair
from shared.settings.urls import http_url


def without_password(url: str) -> str:
    """``url`` with the password in its user part replaced by ``***``, for messages and logs.

    A user part with no ``:`` is replaced whole: some clients read a lone one as the
    password. The rest (host, port, database) stays, being what a message is about.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    shown = f"{user}:***" if colon else "***"
    return f"{scheme}://{shown}@{host}{rest[end:]}"


class BrokerSettings(Section):
    url: str = "redis://127.0.0.1:6399/0"
    # Above the longest stage time limit, so a slow task is never redelivered while running.
    visibility_timeout_s: int = 3600
    embedded: bool = Field(
        default=True,
        description="`voicepipe up` starts an embedded Valkey on the URL's port.",
    )
    # The workers and the sweeper ride out a broker restart (shared.redis_keys.RETRIES);
    # someone waits on an API request, so it answers 503 instead once this has passed.
    api_timeout_s: float = Field(
        default=3.0,
        ge=0.5,
        le=60,
        description="How long one API request waits for the broker (job store and queue) "
        "before answering 503; /readyz waits at most 1 s of it.",
    )
    # No one waits on a maintenance command but its operator, so it rides out a restart
    # as the workers do; lower only where a broker known to be gone should fail at once.
    command_retries: int = Field(
        default=12,
        ge=0,
        le=30,
        description="How many times a `voicepipe` command that uses the broker (`reviews "
        "redact`) retries one it cannot reach, 0.1 s doubling to 2 s apart: 12 is ~19 s.",
    )

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        scheme = urlparse(value).scheme
        if scheme == "unix":
            # Accepted once, though Celery never could use it: kombu knows no "unix"
            # transport (the workers failed at their first connection), and the embedded
            # broker listens on the URL's port.
            raise ValueError(
                "broker url: unix sockets are not supported; give the broker's TCP address "
                "as redis://host:port/db (or rediss:// for TLS)"
            )
        if scheme not in {"redis", "rediss"}:
            raise ValueError(f"broker url must start with redis:// or rediss:// (got {scheme!r})")
        try:
            urlparse(value).port  # noqa: B018  (reading it checks it: 0-65535)
        except ValueError as exc:
            raise ValueError(f"broker url: {exc} (got {without_password(value)!r})") from None
        # Without a host every client quietly took localhost; with a space in it, a name no
        # resolver knows: the API answered 503 and the workers retried, far from the cause.
        if not re.fullmatch(r"[A-Za-z0-9._:%-]+", urlparse(value).hostname or ""):
            raise ValueError(
                "broker url: give the broker's host, as in redis://host:port/0 "
                f"(got {without_password(value)!r})"
            )
        if not re.fullmatch(r"/?([0-9]+/?)?", urlparse(value).path):
            raise ValueError(
                "broker url: the database is a number, as in redis://host:port/0 "
                f"(got {without_password(value)!r})"
            )
        return value

    @property
    def db(self) -> int:
        return int(urlparse(self.url).path.strip("/") or 0)

    @property
    def port(self) -> int:
        return urlparse(self.url).port or 6379

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or "127.0.0.1"


class StorageSettings(Section, S3KeyPair):
    section = "storage"

    backend: Literal["local", "s3"] = "local"
    local_dir: Path | None = Field(
        default=None, description="Defaults to <data_dir>/objects for the local backend."
    )
    s3_bucket: str = "voicepipe"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_create_bucket: bool = Field(
        default=False, description="Create the bucket at start-up if it is missing (dev/MinIO)."
    )
    # The workers ride out a storage outage on boto3's own patience (60 s a wait, five
    # attempts: minutes); someone waits on an API request, so it answers 503 sooner.
    api_timeout_s: float = Field(
        default=5.0,
        ge=0.2,
        le=120,
        description="How long an API request waits on S3 storage to connect, and then for each "
        "answer, before giving up (two attempts, then 503); /readyz waits at most 0.5 s a wait.",
    )
    # A store that is down costs every request its whole wait, and uploads pile up in memory
    # meanwhile; after this many failures in a row each API process stops asking for a while
    # (api/storage_guard.py). Workers have no breaker: they wait an outage out.
    api_breaker_failures: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Failed S3 calls in a row after which an API process answers 503 at once, "
        "without asking the store, for api_breaker_cool_down_s.",
    )
    api_breaker_cool_down_s: float = Field(
        default=10.0,
        ge=0.1,
        le=600,
        description="How long an API process answers 503 without asking S3 after "
        "api_breaker_failures failures in a row; then requests try the store again.",
    )

    @field_validator("s3_endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return http_url(value, "storage.s3_endpoint_url")


class ApiSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(
        default=None, description="Base URL clients use; defaults to http://host:port."
    )
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    uploads_in_memory: int = Field(
        default=4,
        ge=1,
        le=256,
        description="Uploads over 1 MB one API process reads into memory at a time (api."
        "upload_memory); the others wait, spooled on disk.",
    )
    body_timeout_s: float = Field(
        default=60.0,
        ge=1,
        le=3600,
        description="A request body that sends nothing for this long is answered 408 "
        "request_timeout (between two reads, as nginx's client_body_timeout).",
    )
    max_text_chars: int = Field(
        default=20_000, ge=1, le=1_000_000, description="Characters of a job's typed `text`."
    )
    min_duration_s: float = Field(default=0.3, ge=0)
    max_duration_s: float = Field(default=600.0, gt=0)
    # Decoding cost grows with the rate, not the bytes (shared.audio.probing).
    max_sample_rate_hz: int = Field(default=192_000, ge=8_000, le=768_000)
    sync_wait_s: float = Field(
        default=120.0,
        gt=0,
        le=900,
        description="How long an OpenAI-compatible call waits for its job before answering "
        "with the job to poll instead.",
    )
    # One per core, at most four: uploads are probed on one thread per process (see
    # api.intake), so processes, not threads, are what intake scales with.
    processes: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1),
        ge=1,
        le=64,
        description="uvicorn worker processes serving the API under `voicepipe up`.",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return http_url(value, "api.public_url")

    @model_validator(mode="after")
    def _durations_ordered(self) -> ApiSettings:
        if self.min_duration_s >= self.max_duration_s:
            raise ValueError("api.min_duration_s must be below api.max_duration_s")
        return self

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::"} else self.host  # noqa: S104
        return f"http://{host}:{self.port}"


class SupervisorSettings(Section):
    """How `voicepipe up` runs its children."""

    stop_timeout_s: float = Field(
        default=15.0,
        gt=0,
        description="SIGTERM or Ctrl-C stops the whole stack within this long: workers warm-"
        "shut first, then the API, then Valkey; what is still running at its turn's end is "
        "killed.",
    )


class SweeperSettings(Section):
    enabled: bool = True
    # At most a day: far longer is no sweeper, and past threading.TIMEOUT_MAX its wait raises.
    interval_s: float = Field(default=30.0, gt=0, le=86400)
    grace_s: float = Field(
        default=60.0, ge=0, description="Past a running stage's hard time limit."
    )
    queue_wait_s: float = Field(
        default=6 * 3600.0, gt=0, description="Longest a stage may wait in its queue."
    )
    max_redrives: int = Field(
        default=1, ge=0, description="Times a stuck job is queued again before it fails."
    )
    # A worker beats every 2 s (shared.pool_liveness): 60 s is thirty missed beats, past any
    # stall of a live worker's event loop and a short broker restart with its reconnects,
    # and a killed worker's stage is re-driven a minute or so after the kill, not after
    # the stage's hard time limit (16 minutes for stt). Workers' clocks must agree with
    # each other to well within it. The floor keeps it above readiness's own 6 s.
    orphan_after_s: float = Field(
        default=60.0,
        ge=10,
        le=3600,
        description="A running stage whose worker has not noted itself alive for this long "
        "(killed, or started again under its name) is re-driven without waiting for its "
        "hard time limit.",
    )


class FlowerSettings(Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=5555, ge=1, le=65535)
    basic_auth: SecretStr | None = Field(
        default=None,
        description="user:password for Flower; `voicepipe up` makes one when unset.",
    )

    @field_validator("basic_auth")
    @classmethod
    def _user_and_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            user, sep, password = value.get_secret_value().partition(":")
            if not (user and sep and len(password) >= 12):
                raise ValueError("flower.basic_auth must be user:password, password >= 12 chars")
        return value


class TracingSettings(Section):
    """OpenTelemetry traces: off unless an exporter is chosen."""

    exporter: Literal["none", "console", "otlp"] = Field(
        default="none",
        description="otlp: OTLP over HTTP to `otlp_endpoint` (a collector); console: each "
        "span as JSON on the process's stdout (its log file under `voicepipe up`).",
    )
    otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"
    service_name: str = "voicepipe"

    @field_validator("otlp_endpoint")
    @classmethod
    def _otlp_endpoint(cls, value: str) -> str:
        return http_url(value, "tracing.otlp_endpoint", empty_is_unset=False) or value
