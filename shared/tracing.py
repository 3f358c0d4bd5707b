"""OpenTelemetry traces: a job is one trace, from its upload through its three stages.

Off unless ``VOICEPIPE_TRACING__EXPORTER`` names an exporter: until a process installs a
tracer provider, OpenTelemetry's API hands out spans that record nothing and carry no
context, so every call here costs next to nothing.

The context travels in each stage message's headers (W3C ``traceparent``), written where the
message is built (``shared.task_messages``), since the hot paths push messages themselves
instead of through ``send_task`` and so bypass Celery's own instrumentation. Each stage's span
is the child of the span that queued it: upload, then stt, llm and tts in a chain, as the work
happened.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind

from shared.settings import TracingSettings

if TYPE_CHECKING:
    # The SDK takes ~60 ms to import: only a process that traces loads it.
    from opentelemetry.sdk.trace import TracerProvider

tracer = trace.get_tracer("voicepipe")

# The headers of a message that carry its trace context (W3C Trace Context).
TRACE_HEADERS = ("traceparent", "tracestate")


def configure_tracing(settings: TracingSettings, role: str) -> None:
    """Install an SDK tracer provider exporting to the configured place (once a process)."""
    if settings.exporter == "none":
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    resource = Resource.create(
        {
            "service.name": settings.service_name,
            "service.namespace": "voicepipe",
            "voicepipe.role": role,
        }
    )
    provider = TracerProvider(resource=resource)
    processor: SpanProcessor
    if settings.exporter == "console":
        processor = SimpleSpanProcessor(ConsoleSpanExporter())
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
    provider.add_span_processor(processor)
    install(provider)


def current_context_headers() -> dict[str, str]:
    """The current span's context as message headers ({} when nothing is traced)."""
    carrier: dict[str, str] = {}
    if enabled():
        propagate.inject(carrier)
    return carrier


def headers_of(request: Any) -> dict[str, str]:
    """The trace headers a Celery task request carries: a worker makes a message's own
    headers attributes of the request; ``Task.apply`` keeps them in ``request.headers``."""
    found = dict(getattr(request, "headers", None) or {})
    for name in TRACE_HEADERS:
        value = getattr(request, name, None)
        if isinstance(value, str):
            found[name] = value
    return {name: found[name] for name in TRACE_HEADERS if name in found}


_installed = False


def install(provider: TracerProvider) -> None:
    """Make ``provider`` this process's (configure_tracing; tests, with their exporter)."""
    global _installed
    trace.set_tracer_provider(provider)
    _installed = True


def enabled() -> bool:
    """Whether this process traces. A flag, not ``trace.get_tracer_provider()``, which
    looks the provider up in the environment on every call while none is set (~6 µs)."""
    return _installed


@contextmanager
def stage_span(stage: str, job_id: str, headers: Mapping[str, str]) -> Iterator[Span]:
    """The span of one stage run, the child of the span that queued it."""
    if not enabled():
        # Even a span that records nothing costs ~6 µs here, a stage runs 300 times a
        # second in an I/O pool (`make bench ONLY=io`), and nothing would see it.
        yield trace.INVALID_SPAN
        return
    parent = propagate.extract(dict(headers))
    with tracer.start_as_current_span(
        f"stage {stage}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={"voicepipe.job_id": job_id, "voicepipe.stage": stage},
    ) as span:
        yield span


@contextmanager
def intake_span(tenant: str) -> Iterator[Span]:
    """The job's first span, under the web framework's span of the request."""
    if not enabled():
        yield trace.INVALID_SPAN
        return
    with tracer.start_as_current_span("intake", attributes={"voicepipe.tenant": tenant}) as span:
        yield span
