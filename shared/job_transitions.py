"""Every change of a job's or a stage's status: the one place that decides what may happen next.

Pure functions over the job model, shared by the stage runner, the sweeper, the API and the
batch workers. Each edits the job in place and says whether there is anything to write, so it
can be the ``change`` of ``JobStore.update`` and the store stays the one place that writes;
those that can end in several ways say which with a typed result. A run of a stage is named
by its delivery's task id: the stage record's ``task_id`` is its owner, and a run that is no
longer the owner (re-driven by the sweeper, or canceled with its job) may change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, Literal, TypeVar

from shared.models import (
    RUNNING_STATUS,
    STAGE_ORDER,
    Billed,
    ErrorInfo,
    Job,
    JobResults,
    JobStatus,
    Stage,
    StageStatus,
    Usage,
    utcnow,
)

RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELED})


class _Result:
    # Whether the job was edited and is to be written.
    changed: ClassVar[bool]


# What a delivery of a stage finds when it starts.
@dataclass(frozen=True)
class Run(_Result):
    # The stage is now running and owned by this delivery: do the work.
    changed: ClassVar[bool] = True


@dataclass(frozen=True)
class Skip(_Result):
    # The job has ended (or does not have the stage): nothing to do.
    changed: ClassVar[bool] = False
    status: JobStatus


@dataclass(frozen=True)
class Busy(_Result):
    # Another delivery owns the stage (running it, or about to retry): a duplicate.
    changed: ClassVar[bool] = False


@dataclass(frozen=True)
class AlreadyDone(_Result):
    # The stage succeeded and its output is there: pass on to the next stage.
    changed: ClassVar[bool] = False


@dataclass(frozen=True)
class Poison(_Result):
    # The stage's worker died too often on this input: the job is failed, not retried.
    changed: ClassVar[bool] = True
    crashes: int


Start = Run | Skip | Busy | AlreadyDone | Poison


# What a run that produced its output finds when it records it.
@dataclass(frozen=True)
class Finished(_Result):
    changed: ClassVar[bool] = True


@dataclass(frozen=True)
class Discarded(_Result):
    # The output is not wanted: the job ended meanwhile, or another run owns the stage.
    changed: ClassVar[bool] = False
    reason: Literal["ended", "stale"]


Finish = Finished | Discarded


# What the sweeper does with a job past its deadline.
@dataclass(frozen=True)
class Redriven(_Result):
    # The stuck stage is pending again; queue it.
    changed: ClassVar[bool] = True
    stage: Stage


@dataclass(frozen=True)
class GaveUp(_Result):
    # Re-driven too often: the job failed with a timeout at this stage.
    changed: ClassVar[bool] = True
    stage: Stage


@dataclass(frozen=True)
class Ended(_Result):
    # The job ended already: nothing is stuck.
    changed: ClassVar[bool] = False


Redrive = Redriven | GaveUp | Ended

# A transition's result: typed, a bool, or the stage to queue (None: nothing to do).
R = TypeVar("R", bound="_Result | bool | Stage | None")


class Decision(Generic[R]):
    """A transition as the ``change`` of a job store update, keeping its result.

    The store runs the change again when the record moved under it: the result kept is the
    one of the last run, the one that was written (or found nothing to write)."""

    def __init__(self, transition: Callable[[Job], R]) -> None:
        self._transition = transition
        self._results: list[R] = []

    def __call__(self, job: Job) -> bool:
        result = self._transition(job)
        self._results[:] = [result]
        return result.changed if isinstance(result, _Result) else bool(result)

    @property
    def result(self) -> R:
        assert self._results, "the transition has not run"
        return self._results[0]


def first_unfinished(job: Job) -> Stage | None:
    """The stage the job is at: its first stage that has not succeeded."""
    return next(
        (s for s in job.options.stages if job.stages[s].status != StageStatus.SUCCEEDED), None
    )


def _owner(job: Job, stage: Stage, task_id: str | None) -> bool:
    # A run without an id (called outside a Celery delivery) is taken to be the owner.
    return task_id is None or job.stages[stage].task_id == task_id


def wanted(job: Job | None, stage: Stage, task_id: str) -> bool:
    """Whether a delivery of ``stage`` with ``task_id`` would still do the job any good if a
    worker took it now: False where ``start`` would skip it (the job ended or is gone), find
    the stage done, or find another delivery owning it (the sweeper re-drove a killed
    worker's stage). Read without changing anything, for /metrics."""
    if job is None or job.status.terminal:
        return False
    rec = job.stages.get(stage)
    if rec is None or rec.status == StageStatus.SUCCEEDED:
        return False
    in_hand = rec.status in {StageStatus.RUNNING, StageStatus.RETRYING}
    return not (in_hand and rec.task_id and rec.task_id != task_id)


def start(
    job: Job,
    stage: Stage,
    task_id: str | None,
    provider: str,
    max_crashes: int,
    output_exists: Callable[[str], bool],
    worker: str | None = None,
) -> Start:
    """A delivery of ``stage`` arrives at ``worker`` (its Celery node name). ``output_exists``
    is asked only about a succeeded stage's output (rare: a redelivery), so that a lost
    output is made again."""
    rec = job.stages.get(stage)
    if job.status.terminal or rec is None:
        return Skip(job.status)
    if rec.status == StageStatus.SUCCEEDED and rec.output_key and output_exists(rec.output_key):
        return AlreadyDone()
    in_hand = rec.status in {StageStatus.RUNNING, StageStatus.RETRYING}
    if in_hand and rec.task_id and task_id and rec.task_id != task_id:
        return Busy()
    if rec.status == StageStatus.RUNNING:
        # Our own message again while the record says running: our worker died.
        rec.crashes += 1
        if rec.crashes >= max_crashes:
            message = (
                f"the worker died {rec.crashes} times while running this stage; "
                "the input may crash it: not retrying"
            )
            _mark_failed(job, stage, "worker_lost", message, None)
            return Poison(rec.crashes)
    rec.status = StageStatus.RUNNING
    rec.task_id = task_id
    rec.worker = worker
    rec.provider = provider
    rec.attempts += 1
    rec.started_at = utcnow()
    rec.finished_at = None
    rec.error = None
    rec.next_attempt_at = None
    job.status = RUNNING_STATUS[stage]
    return Run()


def finish(
    job: Job,
    stage: Stage,
    task_id: str | None,
    output_key: str,
    elapsed: float,
    record_results: Callable[[JobResults, str], None],
    cpu_s: float | None = None,
    input_sha256: str | None = None,
) -> Finish:
    """A run stored its output under ``output_key``; the job records it and moves on.
    ``cpu_s`` replaces (never adds to) what an earlier run recorded: the record holds the
    run whose output counts, so a redelivered or retried stage is never charged twice.
    ``input_sha256`` (the stt stage's hash of the input it read) fills in the input's
    hash where intake left it out."""
    rec = job.stages[stage]
    if job.status.terminal:
        return Discarded("ended")  # canceled (or stopped by the sweeper) while running
    if not _owner(job, stage, task_id):
        return Discarded("stale")  # the sweeper re-drove the stage; the new run owns it
    rec.status = StageStatus.SUCCEEDED
    rec.finished_at = utcnow()
    rec.duration_s = round(elapsed, 4)
    rec.cpu_s = None if cpu_s is None else round(max(cpu_s, 0.0), 4)
    rec.output_key = output_key
    record_results(job.results, output_key)
    if job.input.sha256 is None:
        job.input.sha256 = input_sha256
    job.status = _status_after(job, stage)
    if job.status.terminal:
        job.finished_at = utcnow()
    return Finished()


def _status_after(job: Job, stage: Stage) -> JobStatus:
    rank = STAGE_ORDER.index(stage)
    later = [s for s in STAGE_ORDER if s in job.options.stages and STAGE_ORDER.index(s) > rank]
    return RUNNING_STATUS[later[0]] if later else JobStatus.SUCCEEDED


def retrying(
    job: Job,
    stage: Stage,
    task_id: str | None,
    error: ErrorInfo,
    next_at: datetime,
    billed: Sequence[Usage] = (),
) -> bool:
    """A run failed in a way worth another try at ``next_at``; False when it no longer owns
    the stage (the job ended or moved on), and then it must not retry. ``billed``: what the
    vendors charged for the failed run's answers (one a provider, several a hybrid's engines)."""
    if job.status.terminal or not _owner(job, stage, task_id):
        return False
    rec = job.stages[stage]
    rec.billed.extend(Billed.of(spent) for spent in billed)
    rec.status = StageStatus.RETRYING
    rec.error = error
    rec.next_attempt_at = next_at
    return True


def fail(
    job: Job,
    stage: Stage,
    task_id: str | None,
    code: str,
    message: str,
    elapsed: float | None,
    billed: Sequence[Usage] = (),
) -> bool:
    """A run failed for good: the stage and the job fail (a job that ended already keeps
    its status, and a stage canceled with its job stays canceled). ``billed``: what the
    vendors charged for the failed run's answers (one a provider, several a hybrid's engines)."""
    if not _owner(job, stage, task_id) or job.stages[stage].status == StageStatus.CANCELED:
        return False
    job.stages[stage].billed.extend(Billed.of(spent) for spent in billed)
    _mark_failed(job, stage, code, message, elapsed)
    return True


def charge(job: Job, stage: Stage, billed: Sequence[Usage]) -> bool:
    """What the vendor billed a run whose failure or output the job no longer takes (it
    lost the stage to a cancel or another delivery): added to the stage's tokens, and
    nothing else of the record changes."""
    rec = job.stages.get(stage)
    if rec is None or not billed:
        return False
    rec.billed.extend(Billed.of(spent) for spent in billed)
    return True


def _mark_failed(job: Job, stage: Stage, code: str, message: str, elapsed: float | None) -> None:
    rec = job.stages[stage]
    rec.status = StageStatus.FAILED
    rec.finished_at = utcnow()
    if elapsed is not None:
        rec.duration_s = round(elapsed, 4)
    rec.error = ErrorInfo(code=code, message=message)
    if job.status.terminal:
        return
    job.status = JobStatus.FAILED
    job.failed_stage = stage
    job.error = ErrorInfo(code=f"{stage.value}.{code}", message=message)
    job.finished_at = utcnow()


def cancel(job: Job, reason: str = "The job was canceled by request.") -> bool:
    """No further stage starts: waiting stages are skipped, and a running one is marked
    canceled and loses its owner, so that its run's result (or failure) is discarded."""
    if job.status.terminal:
        return False
    job.status = JobStatus.CANCELED
    job.error = ErrorInfo(code="canceled", message=reason)
    job.finished_at = utcnow()
    for record in job.stages.values():
        if record.status in {StageStatus.PENDING, StageStatus.RETRYING}:
            record.status = StageStatus.SKIPPED
        elif record.status == StageStatus.RUNNING:
            record.status = StageStatus.CANCELED
            record.task_id = None
    return True


def resume(job: Job) -> Stage | None:
    """Make a failed or canceled job run again from its first unfinished stage, keeping
    what earlier stages stored; the stage to queue, or None when the job is not retryable."""
    if job.status not in RETRYABLE or job.objects_deleted_at is not None:
        return None
    first = first_unfinished(job)
    if first is None:
        return None
    for stage in job.options.stages[job.options.stages.index(first) :]:
        record = job.stages[stage]
        record.status = StageStatus.PENDING
        record.error = None
        # A retry by hand gives the stage its retries and its crash allowance again: the
        # job failed because they ran out, and the operator asks for another go.
        record.attempts_before_resume = record.attempts
        record.crashes = 0
    job.stages[first].resumed_at = utcnow()
    job.redrives = 0  # and the sweeper its re-drives
    job.status = JobStatus.QUEUED
    job.error = None
    job.failed_stage = None
    job.finished_at = None
    return first


def redrive(job: Job, max_redrives: int) -> Redrive:
    """A job past its deadline: its stage is queued again, or after ``max_redrives`` the
    job fails with a timeout."""
    if job.status.terminal:
        return Ended()
    stage = first_unfinished(job) or job.options.stages[-1]
    record = job.stages[stage]
    if job.redrives < max_redrives:
        job.redrives += 1
        record.status = StageStatus.PENDING
        # The run it gives up on no longer owns the stage, even before the new delivery
        # starts: were it still alive (a worker cut off from the broker, not dead), its
        # result is discarded as stale instead of recorded beside the new run's.
        record.task_id = None
        record.worker = None
        return Redriven(stage)
    waited = "running" if record.status == StageStatus.RUNNING else "waiting"
    message = (
        f"the job was stuck {waited} in the {stage.value} stage past its deadline and was stopped"
    )
    _mark_failed(job, stage, "timeout", message, None)
    return GaveUp(stage)
