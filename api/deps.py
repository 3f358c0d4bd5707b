"""Dependencies routes declare with ``Annotated`` aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import redis
from celery import Celery
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.recording import JobRecorder
from api.security import api_key_scheme, authenticate, bearer_scheme, presented_keys
from api.upload_memory import UploadSlots
from shared.batchstore import BatchStore
from shared.broker_clock import BrokerClock
from shared.jobstore import JobStore
from shared.metrics_store import MetricsStore
from shared.settings import Settings
from shared.storage import ObjectStorage
from shared.voice_directory import VoiceDirectory
from shared.webhook_store import WebhookStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    storage: ObjectStorage
    jobs: JobStore
    batches: BatchStore
    deliveries: WebhookStore
    voices: VoiceDirectory
    celery: Celery
    # New jobs from the event loop (intake); ``jobs`` for everything else.
    recorder: JobRecorder
    # Fences for what the API makes in the broker (shared.broker_clock).
    clock: BrokerClock
    # Counts of refused submissions (/metrics), on a client of their own: see api/main.py.
    refusals: MetricsStore
    # The broker as /readyz asks it, with a budget of its own (api.routes.health).
    probe: redis.Redis
    # The storage as /readyz asks it: an S3 client with the same budget (one attempt).
    storage_probe: ObjectStorage
    # Large uploads are read into memory a few at a time (api.upload_memory).
    uploads: UploadSlots


async def get_services(request: Request) -> Services:
    # async although it awaits nothing: FastAPI runs a plain ``def`` dependency on the thread
    # pool, a thread hop per request (~0.1 ms of an upload's CPU) to read an attribute.
    services: Services = request.app.state.services
    return services


async def get_tenant(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    x_api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> str:
    """The caller's tenant from its API key; every job lookup is scoped by it.

    The security schemes only read the headers and put them in the OpenAPI document;
    routes without this dependency (the health probes, the docs) stay public.
    """
    keys = presented_keys(bearer.credentials if bearer else None, x_api_key)
    return authenticate(keys, services.settings, request.headers.get("authorization"))


ServicesDep = Annotated[Services, Depends(get_services)]
TenantDep = Annotated[str, Depends(get_tenant)]
