"""How a stage run's end is written on its job when the run produced no result to hand on:
a failure, a coming retry, and what vendors billed a run whose answer was not used.

A job deleted while the run was at its vendor has no record to write on: what the run was
billed joins the job's kept usage instead (shared.kept_usage), since the delete could not
know it. Each such write is the run's own, made once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import timedelta

from shared import job_transitions as transitions
from shared.errors import JobNotFound, StageFailed
from shared.job_transitions import Decision
from shared.kept_usage import KeptUsageStore, billed_lines
from shared.models import Billed, ErrorInfo, Job, Stage, Usage, utcnow
from workers.context import WorkerContext
from workers.providers.errors import ProviderError

log = logging.getLogger("voicepipe.stage")


def mark_retrying(
    ctx: WorkerContext,
    job: Job,
    stage: Stage,
    code: str,
    message: str,
    delay: float,
    me: str | None,
    billed: Sequence[Usage] = (),
) -> bool:
    """Record the coming retry; False when this run no longer owns the stage."""
    error = ErrorInfo(code=code, message=message)
    next_at = utcnow() + timedelta(seconds=delay)
    mark = Decision(lambda j: transitions.retrying(j, stage, me, error, next_at, billed))
    # A run that lost its stage changes nothing but the tokens it was billed, in one write.
    _written(ctx, job, stage, billed, lambda j: mark(j) or transitions.charge(j, stage, billed))
    if mark.result:
        log.info("job %s: %s will retry in %.1f s after %s", job.id, stage.value, delay, code)
    return mark.result


def record_failure(
    ctx: WorkerContext,
    job: Job,
    stage: Stage,
    code: str,
    message: str,
    started: float,
    me: str | None,
    billed: Sequence[Usage] = (),
) -> None:
    elapsed = time.perf_counter() - started
    log.warning("job %s: %s failed with %s", job.id, stage.value, code)
    _written(
        ctx,
        job,
        stage,
        billed,
        lambda j: (
            transitions.fail(j, stage, me, code, message, elapsed, billed)
            or transitions.charge(j, stage, billed)
        ),
    )


def billed_for(exc: StageFailed) -> list[Usage]:
    """What vendors billed the failed run for answers it could not use: the provider's own
    (a refusal, a cut-off answer) and those it collected (a hybrid's engines that failed)."""
    own = exc.billed if isinstance(exc, ProviderError) else None
    return [*exc.charges, *([] if own is None else [own])]


def charge_discarded(ctx: WorkerContext, job: Job, stage: Stage, billed: list[Billed]) -> None:
    """What a run whose output was discarded was billed: the vendor charged it all the
    same. Only this run writes them (its output is recorded nowhere), once."""
    if not billed:
        return
    with suppress(JobNotFound):  # deleted meanwhile: charged to its kept usage
        _written(ctx, job, stage, billed, lambda j: transitions.charge(j, stage, billed))


def _written(
    ctx: WorkerContext,
    job: Job,
    stage: Stage,
    billed: Sequence[Usage],
    change: Callable[[Job], bool],
) -> None:
    """``change`` written on the job; for a job deleted meanwhile, ``billed`` added to its
    kept usage instead, and JobNotFound raised all the same. The record and the kept usage
    are removed and written in one step of the delete, so a run whose write found the
    record gone finds its kept usage, and what the write would have charged is added once:
    there, or (the write landing first) on the record the delete then kept."""
    try:
        ctx.jobs.update(job.id, change)
    except JobNotFound:
        lines = billed_lines(job, stage, billed, ctx.settings)
        KeptUsageStore(ctx.jobs.redis).charge(job, lines)
        log.info("job %s: deleted during %s; what it was billed is kept", job.id, stage.value)
        raise
