"""What every stage task does around its provider call.

A stage reads the job, marks itself running, does its work (which writes its output to
storage), then records the result. Outputs are written before the record says
``succeeded``, so a redelivered message finds a finished stage and moves on without
redoing it; a job that was canceled or failed meanwhile is left as it is.

What a stage's work returns is in workers.stage_output; how a failure, a retry or a discarded
result is written on the job, in workers.stage_recording; the run's figures, in
workers.stage_metrics.
"""

from __future__ import annotations

import logging
import time
import traceback

from celery import Task
from celery.exceptions import Ignore, SoftTimeLimitExceeded

from shared import job_transitions as transitions
from shared.errors import (
    BatchCanceled,
    JobNotFound,
    MediaRejected,
    StageFailed,
    StorageKeyNotFound,
    charges_of,
)
from shared.exception_text import kind, reference
from shared.job_transitions import AlreadyDone, Busy, Decision, Discarded, Poison, Skip
from shared.logging import bind, log_context
from shared.metrics_store import MetricsStore
from shared.models import Job, JobResults, Stage
from shared.pipeline import next_stage
from shared.run_billing import run_billed
from shared.task_messages import TaskMessage, push, stage_message
from shared.tracing import headers_of, stage_span
from workers.context import WorkerContext, get_context
from workers.retry import asked_too_long, retry_delay, should_retry
from workers.stage_metrics import observe, task_cpu_clock
from workers.stage_output import StageOutput, Work, attempt_key, provider_name, succeeded
from workers.stage_recording import billed_for, charge_discarded, mark_retrying, record_failure

log = logging.getLogger("voicepipe.stage")


def run_stage(task: Task, job_id: str, stage: Stage, work: Work) -> None:
    headers = headers_of(getattr(task, "request", None))
    try:
        with (
            log_context(job_id=job_id, stage=stage.value),
            stage_span(stage.value, job_id, headers),
        ):
            _run_stage(task, job_id, stage, work)
    except JobNotFound:
        # Deleted (DELETE /v1/jobs/{id}) before or while the stage ran: nothing to do.
        log.info("job %s no longer exists; %s dropped", job_id, stage.value)
        raise Ignore() from None


def _run_stage(task: Task, job_id: str, stage: Stage, work: Work) -> None:
    ctx = get_context()
    request = getattr(task, "request", None)
    me: str | None = getattr(request, "id", None)
    # This worker's node name, noted with the start (no write of its own): the sweeper asks
    # whether it still lives instead of waiting out the stage's hard time limit.
    worker: str | None = getattr(request, "hostname", None) or None
    max_crashes = ctx.settings.workers.max_crashes
    begin = Decision(
        lambda j: transitions.start(
            j, stage, me, provider_name(j, stage, ctx), max_crashes, ctx.storage.exists, worker
        )
    )
    # One read-modify-write both decides whether to run and marks the stage started.
    try:
        started_version = ctx.jobs.update_versioned(job_id, begin)
    except BatchCanceled:
        # Its batch's cancel is recorded; the cancel task ends the job, never started.
        log.info("job %s: batch canceled; %s not started", job_id, stage.value)
        raise Ignore() from None
    job = started_version.job
    bind(tenant=job.tenant, batch_id=job.batch_id)
    match begin.result:
        case Poison():
            log.error("job %s: %s failed, its worker died repeatedly", job_id, stage.value)
            raise Ignore()
        case Skip(status):
            log.info("job %s is %s; %s not run", job_id, status.value, stage.value)
            raise Ignore()
        case Busy():
            log.info(
                "job %s: %s is owned by another delivery; duplicate dropped", job_id, stage.value
            )
            raise Ignore()
        case AlreadyDone():
            log.info("job %s: %s already done, passing on", job_id, stage.value)
            _send_next(ctx, task, job, stage)
            return
    started = time.perf_counter()
    cpu_clock = task_cpu_clock()
    cpu_started = cpu_clock()
    try:
        output = _worked(work, job, ctx)
    except StageFailed as exc:
        record = job.stages[stage]
        # Those since the job was last retried by hand: each retry has the whole budget.
        attempts = record.attempts - record.attempts_before_resume
        figures = MetricsStore(ctx.jobs.redis)
        provider = provider_name(job, stage, ctx)
        figures.count("provider_errors", stage.value, provider, exc.code)
        # A vendor's message may quote the key it was sent; the job shows it to API callers.
        told = ctx.settings.without_secrets(exc.message)
        # Tokens billed for an answer the run could not use: on the job with this failure.
        billed = billed_for(exc)
        if exc.dropped:  # what the answers it dropped were billed by the audio
            dropped = JobResults(transcription=exc.dropped)
            billed += run_billed(job, stage, provider, dropped, ctx.settings)
        if should_retry(attempts, exc, ctx.settings.retries):
            delay = retry_delay(attempts, exc, ctx.settings.retries)
            if not mark_retrying(ctx, job, stage, exc.code, told, delay, me, billed):
                raise Ignore() from None  # the job ended or moved on meanwhile
            figures.count("stage_retries", stage.value, provider, exc.code)
            raise task.retry(countdown=delay) from None
        code, message = exc.code, told
        waits = ctx.settings.retries.max_retry_after_s
        if (asked := asked_too_long(exc, ctx.settings.retries)) is not None:
            # The vendor's own code (rate_limited, …): no attempt ran out, and a retry by hand
            # once the pause has passed is what helps.
            message = (
                f"{told} (the vendor asked to wait {asked:.0f} s before trying again, longer "
                f"than VOICEPIPE_RETRIES__MAX_RETRY_AFTER_S, {waits:.0f} s: not retried; "
                "retry the job once that pause has passed)"
            )
        elif exc.retryable:
            code = "retries_exhausted"
            # The setting too: the vendor's words say why each try failed, not how many
            # tries a deployment allows before failing a job on a passing outage.
            message = (
                f"gave up after {attempts} attempts (VOICEPIPE_RETRIES__MAX_ATTEMPTS); "
                f"last error {exc.code}: {told}"
            )
        record_failure(ctx, job, stage, code, message, started, me, billed)
        raise Ignore() from None
    except SoftTimeLimitExceeded as exc:
        limit = getattr(ctx.settings.workers, stage.value).soft_time_limit_s
        MetricsStore(ctx.jobs.redis).count(
            "provider_errors", stage.value, provider_name(job, stage, ctx), "timeout"
        )
        record_failure(
            ctx,
            job,
            stage,
            "timeout",
            f"the {stage.value} stage ran over {limit} s",
            started,
            me,
            charges_of(exc),
        )
        raise Ignore() from None
    except StorageKeyNotFound as exc:
        record_failure(ctx, job, stage, "missing_input", exc.message, started, me)
        raise Ignore() from None
    except MediaRejected as exc:
        # Damage past the start that intake's probe does not decode: the input's fault, told
        # by its own code (stt.undecodable), not an unexpected error of ours.
        record_failure(ctx, job, stage, exc.code, exc.message, started, me, charges_of(exc))
        raise Ignore() from None
    except Exception as exc:
        # The job's error names the kind and a reference the log line holds, never the text:
        # an engine's runtime error may quote the transcript or the reply it was speaking,
        # and the error is shown to API callers and sent in webhooks. The log has the frames.
        ref = reference()
        log.exception("job %s: %s failed unexpectedly (reference %s)", job_id, stage.value, ref)
        MetricsStore(ctx.jobs.redis).count(
            "provider_errors", stage.value, provider_name(job, stage, ctx), "internal"
        )
        told = (
            f"an unexpected {kind(exc)} in the {stage.value} stage (its text is not shown, as it "
            f"may quote the recording's words or the reply; the worker's log has its traceback "
            f"under reference {ref})"
        )
        # Still the unexpected failure it is, with what vendors billed the run before it
        # (Claude's refusal, then its fallback engine's runtime breaking).
        record_failure(ctx, job, stage, "internal", told[:500], started, me, charges_of(exc))
        raise Ignore() from None
    elapsed = time.perf_counter() - started
    cpu_s = cpu_clock() - cpu_started
    attempt = job.stages[stage].attempts
    key = attempt_key(output.output_key, attempt)
    ctx.storage.put(key, output.data, output.content_type)

    end = Decision(
        lambda j: transitions.finish(
            j, stage, me, key, elapsed, output.record_results, cpu_s, output.input_sha256
        )
    )
    # Usually nobody touched the job while we worked, and the record is still the very
    # version our start wrote: compare-and-set against it, without reading it first, and
    # queue the next stage in the same step. Only when the job changed meanwhile is it read
    # again and decided afresh, and the next stage sent after.
    try:
        passed_on = end(job) and bool(
            ctx.jobs.replace(job, started_version, then=_next_message(task, job, stage))
        )
        if not passed_on:
            job = ctx.jobs.update(job_id, end)
    except JobNotFound:
        # Deleted while we worked (DELETE /v1/jobs): the output goes, and what the vendor
        # billed for it joins the job's kept usage.
        _drop(ctx, job, stage, output, key)
        log.info("job %s: deleted during %s; result dropped", job_id, stage.value)
        raise Ignore() from None
    except BatchCanceled:
        # Not handed on (the cancel task ends the job), but billed by its vendor all the
        # same: charged as a discarded run's, a write that moves nothing the cancel forbids.
        _drop(ctx, job, stage, output, key)
        log.info("job %s: batch canceled during %s; result dropped", job_id, stage.value)
        raise Ignore() from None
    if isinstance(end.result, Discarded):
        _drop(ctx, job, stage, output, key)
        log.info("job %s: %s result discarded (%s)", job_id, stage.value, end.result.reason)
        raise Ignore()
    for earlier in range(1, attempt):
        # What earlier runs of this stage may have left (a worker killed after writing).
        ctx.storage.delete(attempt_key(output.output_key, earlier))
    log.info("job %s: %s done in %.2f s", job_id, stage.value, elapsed)
    if not passed_on:
        _send_next(ctx, task, job, stage)
    # After the next stage is queued: the figures never delay the job.
    observe(ctx, job, stage, elapsed)


def _drop(ctx: WorkerContext, job: Job, stage: Stage, output: StageOutput, key: str) -> None:
    """A run's output the job no longer takes: deleted (ours alone), and what the vendor
    billed for it charged to the stage, once (only this run knows it)."""
    ctx.storage.delete(key)
    results = JobResults()
    output.record_results(results, key)
    spent = run_billed(job, stage, provider_name(job, stage, ctx), results, ctx.settings)
    charge_discarded(ctx, job, stage, spent)


def _worked(work: Work, job: Job, ctx: WorkerContext) -> StageOutput:
    """``work``'s output; where it raises, its frames are cleared first.

    The frames of a failed run hold what it read: the stt stage's recording and its
    samples, 50 MB for a 25 MB upload. The exception's traceback kept them, and Celery's
    handling of the Ignore (or Retry) raised for the failure put that traceback into
    reference cycles that only a full garbage collection frees, which large buffers never
    prompt: a worker's resident memory grew by ~50 MB with each such job that failed (20
    silent 25 MB uploads, each failing as empty_media, took one from 6.2 to 7.3 GB). The
    traceback still names every frame and line for the log."""
    try:
        return work(job, ctx)
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)
        raise


def _send_next(ctx: WorkerContext, task: Task, job: Job, stage: Stage) -> None:
    """Queue the following stage unless it has already finished (duplicates are harmless:
    the next stage drops a copy that finds the stage owned or done)."""
    message = _next_message(task, job, stage)
    if message is not None:
        push(ctx.jobs.redis, message)


def _next_message(task: Task, job: Job, stage: Stage) -> TaskMessage | None:
    # Pushed onto the queue directly (shared/task_messages.py): send_task's kombu machinery
    # cost more CPU than the rest of a stage's bookkeeping.
    following = next_stage(job, stage)
    if following is None or job.status.terminal or succeeded(job, following):
        return None
    return stage_message(task.app, following, job)
