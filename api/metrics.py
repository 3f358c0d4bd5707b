"""`GET /metrics` for Prometheus: what every process noted in Redis, and the queues' depths
as the broker holds them, rendered at scrape time (see shared.metrics_store)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import accumulate

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from api.deps import Services
from shared.job_transitions import wanted
from shared.metrics_store import COUNTERS, STAGE_BUCKETS, MetricsStore
from shared.queue_depth import Depth, queue_depths
from shared.queues import QUEUES
from shared.stages import Stage

STAGE_QUEUES = {stage.value for stage in Stage}

router = APIRouter(tags=["health"])


# Counters kept by name in MetricsStore, as exposed: metric name and help.
_COUNTERS = {
    "provider_errors": (
        "voicepipe_provider_errors",
        "Stage runs that failed, by stage, provider and error code (each attempt).",
    ),
    "stage_retries": (
        "voicepipe_stage_retries",
        "Stage runs that failed and were scheduled again, by stage, provider and error code.",
    ),
    "webhook_deliveries": (
        "voicepipe_webhook_deliveries",
        "Webhook delivery attempts by outcome: delivered, retry (will be attempted again), "
        "failed (schedule used up or refused) or disabled (the receiver answered 410).",
    ),
    "storage_breaker_refusals": (
        "voicepipe_storage_breaker_refusals",
        "API requests answered 503 storage_unavailable by an open object-storage breaker, "
        "without asking the store (every API process summed).",
    ),
}


class _FromRedis(Collector):
    def __init__(self, services: Services) -> None:
        self._services = services
        self._client = services.jobs.redis
        self._store = MetricsStore(self._client)

    def collect(self) -> Iterator[Metric]:
        queued = GaugeMetricFamily(
            "voicepipe_queue_messages",
            "Messages in each queue: waiting (every priority sub-list), or unacked: delivered "
            "to a worker and not yet acknowledged. A message whose worker was killed mid-task "
            "stays unacked, and counted, until the broker hands it out again, up to "
            "VOICEPIPE_BROKER__VISIBILITY_TIMEOUT_S (default an hour) after its delivery; "
            "the sweeper re-drives its job long before (voicepipe_queue_unacked_stale counts "
            "the unacked messages no job needs any more).",
            labels=["queue", "state"],
        )
        depths = queue_depths(self._client, QUEUES)
        for queue, depth in depths.items():
            queued.add_metric([queue, "waiting"], depth.waiting)
            queued.add_metric([queue, "unacked"], depth.unacked)
        yield queued
        yield self._stale(depths)

        jobs = GaugeMetricFamily(
            "voicepipe_jobs", "Jobs in the store, by status.", labels=["status"]
        )
        for status, count in sorted(self._services.jobs.count_by_status().items()):
            jobs.add_metric([status], count)
        yield jobs

        open_batches, progress = self._services.batches.open_progress()
        yield GaugeMetricFamily(
            "voicepipe_batches_open", "Batches not yet completed.", value=open_batches
        )
        # The items apart from their parts: summed over its state, voicepipe_batch_jobs
        # counts each item once (as a job or a rejection), never the total beside them.
        yield GaugeMetricFamily(
            "voicepipe_batch_items",
            "Items of the unfinished batches, summed.",
            value=progress.pop("items", 0),
        )
        batch_jobs = GaugeMetricFamily(
            "voicepipe_batch_jobs",
            "Progress of the unfinished batches, summed: the items rejected, and their jobs "
            "by status.",
            labels=["state"],
        )
        for state, count in sorted(progress.items()):
            batch_jobs.add_metric([state], count)
        yield batch_jobs

        for name, (metric, help_text) in _COUNTERS.items():
            family = CounterMetricFamily(metric, help_text, labels=list(COUNTERS[name]))
            for labels, count in sorted(self._store.counter(name).items()):
                family.add_metric(list(labels), count)
            yield family

        yield GaugeMetricFamily(
            "voicepipe_storage_breaker_open",
            "API processes whose object-storage circuit breaker is open: refusing requests "
            "that need the store, without asking it, until their cool-down ends.",
            value=self._store.open_breakers(time.time()),
        )

        rejected = CounterMetricFamily(
            "voicepipe_intake_rejections",
            "Submissions (POST /v1/jobs, /v1/batches, /v1/audio/transcriptions, "
            "/v1/audio/speech) refused, by error code.",
            labels=["code"],
        )
        for code, count in sorted(self._store.rejections().items()):
            rejected.add_metric([code], count)
        yield rejected

        stages = HistogramMetricFamily(
            "voicepipe_stage_seconds",
            "Each stage run that succeeded: its first attempt's wait in the queue, and its run, "
            "by provider (failed runs count in the error and retry counters).",
            labels=["stage", "provider", "phase"],
        )
        for h in self._store.stage_histograms():
            bounds = [*(f"{b:g}" for b in STAGE_BUCKETS), "+Inf"]
            cumulative = list(accumulate(h.buckets))
            stages.add_metric(
                [h.stage, h.provider, h.phase],
                list(zip(bounds, cumulative, strict=True)),
                sum_value=h.total_s,
            )
        yield stages

    def _stale(self, depths: dict[str, Depth]) -> GaugeMetricFamily:
        # A gauge of its own, not a third state: it is a part of "unacked", and a sum over
        # the states would count it twice.
        family = GaugeMetricFamily(
            "voicepipe_queue_unacked_stale",
            "Unacked messages of a stage queue that their job no longer needs: it ended or "
            "is gone, the stage succeeded, or another delivery runs it (the sweeper re-drove "
            "the stage of a killed worker). Counted in voicepipe_queue_messages{state="
            '"unacked"} too, until the broker hands them out again (up to '
            "VOICEPIPE_BROKER__VISIBILITY_TIMEOUT_S after delivery) to a worker, which runs "
            "no stage for them; a live worker's prefetched one is counted until it reaches it.",
            labels=["queue"],
        )
        stages = [Stage(queue) for queue in depths if queue in STAGE_QUEUES]
        held = [(stage, d) for stage in stages for d in depths[stage.value].deliveries]
        job_ids = [str(d.args[0]) if d.args else "" for _, d in held]
        jobs = dict(zip(job_ids, self._services.jobs.get_many(job_ids), strict=True))
        stale = Counter(
            stage
            for (stage, d), job_id in zip(held, job_ids, strict=True)
            if not wanted(jobs[job_id], stage, d.task_id)
        )
        for stage in stages:
            family.add_metric([stage.value], stale[stage])
        return family


Encoder = Callable[[CollectorRegistry], bytes]


def _encoder(accept: str) -> tuple[Encoder, str]:
    """prometheus_client's own choice for the scraper's Accept header: OpenMetrics or the text
    format in the version asked for, text 0.0.4 when nothing it knows is asked."""
    try:
        return choose_encoder(accept)
    except (TypeError, ValueError):
        # A version that is not a version ("version=abc") fails the library's comparison:
        # answered as if nothing it knows were asked, not with a 500.
        return generate_latest, CONTENT_TYPE_PLAIN_0_0_4


def _render(services: Services, encoder: Encoder) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_FromRedis(services))
    return encoder(registry)


# HEAD as GET (a probe's or an uptime checker's), rendered alike so that its Content-Length is
# the body's; the server sends no body to a HEAD.
@router.api_route("/metrics", methods=["GET", "HEAD"], include_in_schema=False)
async def metrics(request: Request) -> Response:
    encoder, content_type = _encoder(request.headers.get("accept", ""))
    body = await run_in_threadpool(_render, request.app.state.services, encoder)
    return Response(body, headers={"Content-Type": content_type})
