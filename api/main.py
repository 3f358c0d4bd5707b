"""Builds the FastAPI app; ``uvicorn --factory api.main:create_app`` serves it."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import metrics, web
from api.body_timeout import BodyIdleTimeout
from api.deps import Services
from api.errors import install_error_handlers
from api.limits import FORM_OVERHEAD_BYTES, BodySizeLimit
from api.openai_compat import models as openai_models
from api.openai_compat import speech, transcriptions
from api.openapi_contract import install_exact_schema
from api.query_params import SINGLE_QUERY
from api.recording import JobRecorder
from api.response_headers import nosniff_everywhere
from api.routes import (
    batches,
    control,
    evaluation_sets,
    health,
    inbox,
    jobs,
    reviews,
    usage,
    voices,
    webhooks,
)
from api.routes.health import READINESS_BUDGET_S, STORAGE_PROBE_S
from api.storage_guard import api_storage
from api.upload_memory import UploadSlots
from shared.batchstore import BatchStore
from shared.broker_clock import BrokerClock
from shared.celery_app import create_celery
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.language import known_names
from shared.large_buffers import return_large_buffers
from shared.logging import configure_logging
from shared.metrics_store import MetricsStore
from shared.redis_keys import connect_within
from shared.settings import Settings, get_settings
from shared.storage import Patience, storage_from_settings
from shared.tracing import configure_tracing
from shared.voice_directory import VoiceDirectory
from shared.webhook_store import WebhookStore


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Person-name redaction's lists (reviews, the web inbox) load as the server starts, in a
    # thread: not when the app is built (tests and the CLI build it without serving), and
    # not in the first request that redacts a name.
    if not known_names.loaded():
        threading.Thread(target=_preload_names, name="preload-names", daemon=True).start()
    yield


def _preload_names() -> None:
    # A failure here must not escape the thread (an unhandled thread exception): the first
    # request that redacts a name loads the lists itself, and says so if it fails too.
    try:
        known_names.preload()
    except Exception:
        logging.getLogger("voicepipe.api").exception(
            "preloading the known names failed; the first request that needs them loads them"
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    # Uploads of up to 25 MB pass through here: freed, they go back to the system.
    return_large_buffers()
    configure_tracing(settings.tracing, "api")
    # /docs and /redoc with Swagger UI's and ReDoc's assets served from the installed
    # fastapi-offline package: FastAPI's own pages fetch them from a CDN, and render blank on
    # a machine without internet access.
    app = FastAPIOffline(
        title="VoicePipe",
        version="0.1.0",
        summary="Audio in, transcript, written reply and spoken reply out.",
        lifespan=_lifespan,
        dependencies=SINGLE_QUERY,
    )
    # One client for the stores: each owns its keys; none reaches into another's. Someone
    # waits on every request, so a broker that is down or does not answer costs each at most
    # the API's budget, then a 503 (api.errors), instead of the workers' long retries.
    budget_s = settings.broker.api_timeout_s
    clock = BrokerClock(budget_s)
    client = connect_within(settings.broker.url, budget_s)
    job_store = JobStore(client, deadline_function(settings))
    celery = create_celery(settings, budget_s)
    # A refusal is answered at once, counted or not: with the stores' retries, a broker
    # that is down held every 4xx for ~19 s while its count was tried. The storage breaker
    # notes its state through the same short-budget client.
    refusals = MetricsStore(connect_within(settings.broker.url, min(budget_s, 0.5)))
    app.state.services = Services(
        settings=settings,
        # Each call waits at most storage.api_timeout_s (twice), then the request is a 503:
        # boto3's own patience (60 s a wait, retried) held a hung store's uploads for minutes.
        # A store that keeps failing is not asked for a while (api/storage_guard.py).
        storage=api_storage(settings, refusals),
        jobs=job_store,
        batches=BatchStore(client),
        deliveries=WebhookStore(client, settings.webhooks.keep_records_s),
        voices=VoiceDirectory(client),
        celery=celery,
        recorder=JobRecorder(settings.broker.url, job_store, celery, clock),
        clock=clock,
        refusals=refusals,
        # Probes come with short timeouts of their own (a second, often).
        probe=connect_within(settings.broker.url, min(budget_s, READINESS_BUDGET_S)),
        storage_probe=storage_from_settings(
            settings, Patience(min(settings.storage.api_timeout_s, STORAGE_PROBE_S), 1)
        ),
        uploads=UploadSlots(settings.api.uploads_in_memory),
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(jobs.router)
    app.include_router(control.router)
    app.include_router(voices.router)
    app.include_router(batches.router)
    app.include_router(webhooks.router)
    app.include_router(webhooks.endpoints)
    app.include_router(usage.router)
    app.include_router(reviews.router)
    app.include_router(inbox.router)
    app.include_router(evaluation_sets.router)
    app.include_router(transcriptions.router)
    app.include_router(speech.router)
    app.include_router(openai_models.router)
    web.install(app, settings)
    install_exact_schema(app, settings)
    app.add_middleware(BodyIdleTimeout, idle_s=settings.api.body_timeout_s)
    app.add_middleware(
        BodySizeLimit,
        max_body_bytes=settings.api.max_upload_bytes + FORM_OVERHEAD_BYTES,
        max_file_mb=settings.api.max_upload_bytes / 1048576,
        batch_bytes=settings.batches.max_total_bytes,
    )
    nosniff_everywhere(app)
    logging.getLogger("voicepipe.api").info("api ready on %s", settings.api.base_url)
    return app
