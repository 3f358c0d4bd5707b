"""A batch's report: its counters (no job read) and one pass over its jobs for the rest.

Progress, counts by status and failures by code come from the batch's counters, as on
``GET /v1/batches/{id}``. Intents, urgencies, the needs-review rate and the stages' latency
percentiles need the job records: they are read a page at a time (shared.usage_report),
once, and every figure is added up in that one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from api.deps import Services
from api.routes.batches import BatchView, batch_view
from api.web.charts import BarChart, bar_chart
from shared.inbox import InboxFilter, query_inbox
from shared.models import Job, JobStatus
from shared.reviews import ReviewStore
from shared.usage_report import PAGE, LatencyRow, jobs_of, latency

URGENCY_ORDER = ("high", "normal", "low")
URGENCY_TONES = {"high": "tone-high", "normal": "tone-normal", "low": "tone-low"}
STATUS_TONES = {"succeeded": "tone-ok", "failed": "tone-high", "canceled": "tone-muted"}


def _pages(jobs: Iterable[Job]) -> Iterator[list[Job]]:
    page: list[Job] = []
    for job in jobs:
        page.append(job)
        if len(page) >= PAGE:
            yield page
            page = []
    if page:
        yield page


@dataclass
class _Tally:
    intents: Counter[str]
    urgencies: Counter[str]
    triaged: int = 0
    needs_review: int = 0

    def watch(self, jobs: Iterable[Job], reviews: ReviewStore, tenant: str) -> Iterator[Job]:
        """The jobs passed on unchanged, counted on the way (latency() reads them next): an
        intent or urgency a person corrected counts as corrected, as the inbox filters it."""
        for page in _pages(jobs):
            corrected = reviews.corrected_triage(tenant, [job.id for job in page])
            for job in page:
                self._count(job, *corrected.get(job.id, (None, None)))
                yield job

    def _count(self, job: Job, intent: str | None, urgency: str | None) -> None:
        triage = job.results.triage
        if triage is not None:
            self.intents[intent or triage.intent] += 1
            self.urgencies[urgency or triage.urgency] += 1
        if job.results.needs_review is not None:
            self.triaged += 1
            self.needs_review += bool(job.results.needs_review)


@dataclass(frozen=True)
class BatchReport:
    view: BatchView
    charts: tuple[BarChart, ...]
    latency: tuple[LatencyRow, ...]
    jobs_read: int
    triaged: int
    needs_review: int
    reviewed: int

    @property
    def needs_review_rate(self) -> float | None:
        return self.needs_review / self.triaged if self.triaged else None


def _job_ids(services: Services, batch_id: str) -> Iterator[str]:
    for _, entry in services.batches.rows(batch_id):
        if isinstance(entry, str):
            yield entry


def batch_report(services: Services, tenant: str, batch_id: str) -> BatchReport:
    """The report (BatchNotFound for another tenant's batch)."""
    state = services.batches.get(batch_id, tenant)
    view = batch_view(state, services.settings.api.base_url)
    tally = _Tally(Counter(), Counter())
    jobs = jobs_of(services.jobs, _job_ids(services, batch_id))
    jobs_read, rows = latency(tally.watch(jobs, ReviewStore(services.jobs.redis), tenant))
    reviewed = query_inbox(
        services.jobs.redis, tenant, InboxFilter(batch_id=batch_id, reviewed=True), limit=1
    ).total
    statuses = [s.value for s in JobStatus]
    charts = (
        bar_chart(
            "chart-status",
            "Jobs by status",
            {**view.counts, "rejected": view.rejected},
            order=[*statuses, "rejected"],
            tones=STATUS_TONES,
        ),
        bar_chart("chart-failures", "Failures by code", view.failed_by_code),
        bar_chart("chart-intents", "Intents", dict(tally.intents)),
        bar_chart(
            "chart-urgencies",
            "Urgencies",
            dict(tally.urgencies),
            order=URGENCY_ORDER,
            tones=URGENCY_TONES,
            keep_zeros=True,
        ),
    )
    return BatchReport(
        view=view,
        charts=charts,
        latency=tuple(rows),
        jobs_read=jobs_read,
        triaged=tally.triaged,
        needs_review=tally.needs_review,
        reviewed=reviewed,
    )
