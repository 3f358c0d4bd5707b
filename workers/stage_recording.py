"""How a stage run's end is written on its job when the run produced no result to hand on:
a failure, a coming retry, and what vendors billed a run whose answer was not used."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import suppress
from datetime import timedelta

from shared import job_transitions as transitions
from shared.errors import JobNotFound, StageFailed
from shared.job_transitions import Decision
from shared.models import Billed, ErrorInfo, Stage, Usage, utcnow
from workers.context import WorkerContext
from workers.providers.errors import ProviderError

log = logging.getLogger("voicepipe.stage")


def mark_retrying(
    ctx: WorkerContext,
    job_id: str,
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
    ctx.jobs.update(job_id, lambda j: mark(j) or transitions.charge(j, stage, billed))
    if mark.result:
        log.info("job %s: %s will retry in %.1f s after %s", job_id, stage.value, delay, code)
    return mark.result


def record_failure(
    ctx: WorkerContext,
    job_id: str,
    stage: Stage,
    code: str,
    message: str,
    started: float,
    me: str | None,
    billed: Sequence[Usage] = (),
) -> None:
    elapsed = time.perf_counter() - started
    log.warning("job %s: %s failed with %s", job_id, stage.value, code)
    ctx.jobs.update(
        job_id,
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


def charge_discarded(ctx: WorkerContext, job_id: str, stage: Stage, billed: list[Billed]) -> None:
    """What a run whose output was discarded was billed: the vendor charged it all the
    same. Only this run writes them (its output is recorded nowhere), once."""
    if billed:
        with suppress(JobNotFound):  # deleted meanwhile: its usage was kept as it stood
            ctx.jobs.update(job_id, lambda j: transitions.charge(j, stage, billed))
