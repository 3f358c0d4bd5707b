"""With tracing configured, a job is one trace: the upload's span, then one span per stage,
each the child of the span that queued it.

The API is the real app (in this process, through its HTTP interface) and the stages are the
real stage runner fed the real messages popped from a real Valkey, each message's headers
made into the task's request the way a Celery worker makes them (``celery.app.task.Context``):
the trace context crosses exactly what it crosses between processes. The spans are read
with the SDK's in-memory exporter.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.app.task import Context
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import workers.stage
from api.main import create_app
from shared.batchstore import BatchStore
from shared.celery_app import create_celery
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.models import Job, JobResults, JobStatus, Stage
from shared.redis_keys import connect
from shared.settings import BrokerSettings, Settings
from shared.storage import LocalStorage
from shared.tracing import enabled as tracing_enabled
from shared.tracing import install
from tests import audio_factory as af
from tests.conftest import ValkeyProcess
from workers.context import WorkerContext
from workers.stage import run_stage
from workers.stage_output import StageOutput

pytestmark = pytest.mark.integration


def test_without_tracing_configured_messages_carry_no_trace_context(
    valkey: ValkeyProcess, tmp_path: Path
) -> None:
    # First in this module, before the fixture below sets this process's provider: until
    # one is set, the API hands out spans that record nothing, and messages carry no trace.
    assert not tracing_enabled()
    settings = Settings(data_dir=tmp_path, broker=BrokerSettings(url=valkey.url))
    with TestClient(create_app(settings)) as api:
        created = api.post("/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0))})
    raw = connect(valkey.url).rpop("stt")
    assert isinstance(raw, bytes)
    assert created.status_code == 202
    assert "traceparent" not in json.loads(raw)["headers"]


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing configured for this process: OpenTelemetry's provider is global and set once,
    so the exporter is shared and emptied by each test."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    install(provider)
    yield exporter
    exporter.clear()


def _instant(job: Job, ctx: WorkerContext) -> StageOutput:
    def record(results: JobResults, key: str) -> None:
        return None

    return StageOutput(job.object_key("out.json"), b"{}", "application/json", record)


def _run_next(ctx: WorkerContext, stage: Stage, job_id: str) -> dict[str, str]:
    """Pop the stage's message and run it as a worker would; its headers are returned."""
    raw = ctx.jobs.redis.rpop(stage.value)
    assert isinstance(raw, bytes), f"no {stage.value} message was queued"
    headers: dict[str, str] = json.loads(raw)["headers"]
    task = SimpleNamespace(request=Context(headers), app=create_celery(ctx.settings))
    run_stage(task, job_id, stage, _instant)  # type: ignore[arg-type]
    return headers


def _one(finished: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    found = [span for span in finished if span.name == name]
    assert len(found) == 1, [span.name for span in finished]
    return found[0]


def test_a_job_is_one_trace_from_its_upload_through_its_three_stages(
    spans: InMemorySpanExporter,
    valkey: ValkeyProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spans.clear()
    settings = Settings(data_dir=tmp_path, broker=BrokerSettings(url=valkey.url))
    client = connect(valkey.url)
    ctx = WorkerContext(
        settings=settings,
        storage=LocalStorage(settings.objects_dir),
        jobs=JobStore(client, deadline_function(settings)),
        batches=BatchStore(client),
        pid=os.getpid(),
    )
    monkeypatch.setattr(workers.stage, "get_context", lambda: ctx)

    with TestClient(create_app(settings)) as api:
        created = api.post("/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0))})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    headers = [_run_next(ctx, stage, job_id) for stage in (Stage.STT, Stage.LLM, Stage.TTS)]

    assert ctx.jobs.get(job_id).status == JobStatus.SUCCEEDED
    assert all("traceparent" in h for h in headers), headers
    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}
    upload = _one(finished, "intake")
    stt, llm, tts = (_one(finished, f"stage {s}") for s in ("stt", "llm", "tts"))
    assert upload.attributes is not None
    assert upload.attributes["voicepipe.job_id"] == job_id
    # The intake span sits under FastAPI's span of the request, the root of the trace.
    root = upload
    while root.parent is not None:
        root = by_id[root.parent.span_id]
    assert root.name == "POST /v1/jobs"
    chain = [upload, stt, llm, tts]
    for parent, child in itertools.pairwise(chain):
        assert child.parent is not None, child.name
        assert child.parent.span_id == parent.context.span_id, (parent.name, child.name)
        assert child.context.trace_id == upload.context.trace_id
        assert child.attributes is not None
        assert child.attributes["voicepipe.job_id"] == job_id
    client.close()
