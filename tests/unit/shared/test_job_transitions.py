"""The job and stage transitions, as a decision table over every (state, event) pair.

A state is the job's status, the status of its ``llm`` stage (the one the events concern;
``stt`` before it has succeeded, ``tts`` after it waits) and who owns that stage: the run
sending the event ("mine"), another delivery ("other") or nobody ("none"). Each event's rows
are read top to bottom, the first that matches wins, like the rules they state.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from shared import job_transitions as t
from shared.models import (
    ErrorInfo,
    InputMeta,
    Job,
    JobResults,
    JobStatus,
    Stage,
    StageStatus,
)

ME = "task-me"
OWNERS = {"mine": ME, "other": "task-other", "none": None}
LATER = datetime(2030, 1, 1, tzinfo=UTC)
TERMINAL = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED}
IN_HAND = {StageStatus.RUNNING, StageStatus.RETRYING}


def make_job(status: JobStatus, llm: StageStatus, owner: str | None) -> Job:
    meta = InputMeta(
        media_type="audio/wav",
        container="wav",
        codec="pcm_s16le",
        size_bytes=1,
        duration_s=1.0,
        sample_rate=16000,
        channels=1,
        sha256="0" * 64,
        key="default/jobs/j/input.wav",
    )
    job = Job(input=meta, status=status)
    job.stages[Stage.STT].status = StageStatus.SUCCEEDED
    job.stages[Stage.STT].output_key = "transcript.json"
    rec = job.stages[Stage.LLM]
    rec.status = llm
    rec.task_id = owner
    if llm == StageStatus.SUCCEEDED:
        rec.output_key = "reply.json"
    return job


def _record(results: JobResults, key: str) -> None:
    results.reply = key


EVENTS: dict[str, Callable[[Job], object]] = {
    "start": lambda j: t.start(j, Stage.LLM, ME, "fake", 3, lambda _: True),
    "finish": lambda j: t.finish(j, Stage.LLM, ME, "reply.2.json", 1.5, _record),
    "retrying": lambda j: t.retrying(j, Stage.LLM, ME, ErrorInfo(code="x", message="m"), LATER),
    "fail": lambda j: t.fail(j, Stage.LLM, ME, "internal", "boom", 1.0),
    "cancel": t.cancel,
    "resume": t.resume,
    "redrive": lambda j: t.redrive(j, 1),
    "redrive, none left": lambda j: t.redrive(j, 0),
}


@dataclass(frozen=True)
class State:
    job: JobStatus
    llm: StageStatus
    owner: str

    @property
    def terminal(self) -> bool:
        return self.job in TERMINAL


# What an event gives: its result, then the job's and the llm stage's status after it
# (None: as before), and for resume and redrive the stage they act on.
Expect = tuple[object, JobStatus | None, StageStatus | None]


def _start(s: State) -> Expect:
    if s.terminal:
        return t.Skip(s.job), None, None
    if s.llm == StageStatus.SUCCEEDED:
        return t.AlreadyDone(), None, None
    if s.llm in IN_HAND and s.owner == "other":
        return t.Busy(), None, None
    return t.Run(), JobStatus.RESPONDING, StageStatus.RUNNING


def _finish(s: State) -> Expect:
    if s.terminal:
        return t.Discarded("ended"), None, None
    if s.owner != "mine":
        return t.Discarded("stale"), None, None
    return t.Finished(), JobStatus.SYNTHESIZING, StageStatus.SUCCEEDED


def _retrying(s: State) -> Expect:
    if s.terminal or s.owner != "mine":
        return False, None, None
    return True, None, StageStatus.RETRYING


def _fail(s: State) -> Expect:
    if s.owner != "mine" or s.llm == StageStatus.CANCELED:
        return False, None, None
    return True, None if s.terminal else JobStatus.FAILED, StageStatus.FAILED


def _cancel(s: State) -> Expect:
    if s.terminal:
        return False, None, None
    after = {
        StageStatus.PENDING: StageStatus.SKIPPED,
        StageStatus.RETRYING: StageStatus.SKIPPED,
        StageStatus.RUNNING: StageStatus.CANCELED,
    }
    return True, JobStatus.CANCELED, after.get(s.llm)


def _at(s: State) -> Stage:
    return Stage.TTS if s.llm == StageStatus.SUCCEEDED else Stage.LLM


def _resume(s: State) -> Expect:
    if s.job not in t.RETRYABLE:
        return None, None, None
    llm = StageStatus.PENDING if _at(s) == Stage.LLM else None
    return _at(s), JobStatus.QUEUED, llm


def _redrive(s: State) -> Expect:
    if s.terminal:
        return t.Ended(), None, None
    return t.Redriven(_at(s)), None, StageStatus.PENDING if _at(s) == Stage.LLM else None


def _redrive_spent(s: State) -> Expect:
    if s.terminal:
        return t.Ended(), None, None
    return t.GaveUp(_at(s)), JobStatus.FAILED, StageStatus.FAILED if _at(s) == Stage.LLM else None


TABLE: dict[str, Callable[[State], Expect]] = {
    "start": _start,
    "finish": _finish,
    "retrying": _retrying,
    "fail": _fail,
    "cancel": _cancel,
    "resume": _resume,
    "redrive": _redrive,
    "redrive, none left": _redrive_spent,
}

CASES = [
    pytest.param(State(job, llm, owner), event, id=f"{job}-job llm-{llm}({owner}) {event}")
    for job, llm, owner, event in itertools.product(JobStatus, StageStatus, OWNERS, EVENTS)
]


def test_the_table_has_a_row_for_every_event_and_every_state() -> None:
    assert set(TABLE) == set(EVENTS)
    assert len(CASES) == len(JobStatus) * len(StageStatus) * len(OWNERS) * len(EVENTS)


def _changed(result: object) -> bool:
    return bool(getattr(result, "changed", result))


@pytest.mark.parametrize(("state", "event"), CASES)
def test_every_event_in_every_state_gives_the_tabled_result(state: State, event: str) -> None:
    job = make_job(state.job, state.llm, OWNERS[state.owner])
    before = job.model_copy(deep=True)
    result = EVENTS[event](job)
    expected, job_after, llm_after = TABLE[event](state)
    assert result == expected
    assert type(result) is type(expected)
    assert job.status == (job_after or state.job)
    assert job.stages[Stage.LLM].status == (llm_after or state.llm)
    assert job.stages[Stage.STT].status == StageStatus.SUCCEEDED
    if not _changed(result):
        assert job == before, "a transition with nothing to write must leave the job as it was"


@pytest.mark.parametrize(("llm", "owner"), list(itertools.product(StageStatus, OWNERS)))
def test_a_canceled_job_keeps_no_stage_running(llm: StageStatus, owner: str) -> None:
    job = make_job(JobStatus.RESPONDING, llm, OWNERS[owner])
    assert t.cancel(job)
    assert all(rec.status != StageStatus.RUNNING for rec in job.stages.values())


def test_a_canceled_running_stage_has_no_owner_so_a_run_that_outlives_a_resume_is_stale() -> None:
    job = make_job(JobStatus.RESPONDING, StageStatus.RUNNING, ME)
    t.cancel(job)
    assert t.resume(job) == Stage.LLM
    assert t.finish(job, Stage.LLM, ME, "reply.json", 1.0, _record) == t.Discarded("stale")


def test_a_redelivery_counts_a_crash_and_the_last_allowed_one_fails_the_job() -> None:
    job = make_job(JobStatus.RESPONDING, StageStatus.RUNNING, ME)
    assert t.start(job, Stage.LLM, ME, "fake", 3, lambda _: True) == t.Run()
    assert t.start(job, Stage.LLM, ME, "fake", 3, lambda _: True) == t.Run()
    assert t.start(job, Stage.LLM, ME, "fake", 3, lambda _: True) == t.Poison(3)
    assert job.status == JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "llm.worker_lost"


def test_a_succeeded_stage_whose_output_went_missing_runs_again() -> None:
    job = make_job(JobStatus.SYNTHESIZING, StageStatus.SUCCEEDED, ME)
    asked: list[str] = []

    def missing(key: str) -> bool:
        asked.append(key)
        return False

    result = t.start(job, Stage.LLM, "task-new", "fake", 3, missing)
    assert result == t.Run()
    assert asked == ["reply.json"]
    assert job.stages[Stage.LLM].task_id == "task-new"
    assert job.stages[Stage.LLM].attempts == 1


def test_a_run_without_a_task_id_is_taken_to_be_the_owner() -> None:
    job = make_job(JobStatus.RESPONDING, StageStatus.RUNNING, "task-other")
    assert t.finish(job, Stage.LLM, None, "reply.json", 1.0, _record) == t.Finished()


def test_finishing_the_last_stage_ends_the_job_and_records_its_results() -> None:
    job = make_job(JobStatus.SYNTHESIZING, StageStatus.SUCCEEDED, ME)
    job.stages[Stage.TTS].status = StageStatus.RUNNING
    job.stages[Stage.TTS].task_id = ME
    assert t.finish(job, Stage.TTS, ME, "reply.mp3", 0.123456, _record) == t.Finished()
    assert job.status == JobStatus.SUCCEEDED
    assert job.finished_at is not None
    assert job.results.reply == "reply.mp3"
    assert job.stages[Stage.TTS].duration_s == 0.1235


def test_the_first_unfinished_stage_is_none_once_every_stage_succeeded() -> None:
    job = make_job(JobStatus.SUCCEEDED, StageStatus.SUCCEEDED, None)
    assert t.first_unfinished(job) == Stage.TTS
    job.stages[Stage.TTS].status = StageStatus.SUCCEEDED
    assert t.first_unfinished(job) is None
    assert t.redrive(job, 1) == t.Ended()


def test_a_decision_keeps_the_result_of_its_last_run_and_says_whether_to_write() -> None:
    decision = t.Decision(t.cancel)
    assert decision(make_job(JobStatus.QUEUED, StageStatus.PENDING, None))
    assert not decision(make_job(JobStatus.CANCELED, StageStatus.SKIPPED, None))
    assert decision.result is False
    assert not t.Decision(t.resume)(make_job(JobStatus.QUEUED, StageStatus.PENDING, None))


def test_a_start_names_the_worker_that_runs_the_stage() -> None:
    job = make_job(JobStatus.RESPONDING, StageStatus.PENDING, None)

    t.start(job, Stage.LLM, ME, "fake", 3, lambda _: True, worker="llm@node-a")

    assert job.stages[Stage.LLM].worker == "llm@node-a"


def test_a_re_driven_stage_has_no_owner_so_its_old_run_finishing_first_is_stale() -> None:
    # The old run's worker was cut off, not dead; it finishes before the new delivery starts.
    job = make_job(JobStatus.RESPONDING, StageStatus.RUNNING, ME)
    job.stages[Stage.LLM].worker = "llm@node-a"

    assert t.redrive(job, 1) == t.Redriven(Stage.LLM)
    assert (job.stages[Stage.LLM].task_id, job.stages[Stage.LLM].worker) == (None, None)
    assert t.finish(job, Stage.LLM, ME, "reply.json", 1.0, _record) == t.Discarded("stale")
    assert t.start(job, Stage.LLM, "task-new", "fake", 3, lambda _: True) == t.Run()


def test_a_retried_job_counts_its_stage_crashes_afresh() -> None:
    # The llm stage's worker died on every delivery until the job failed as worker_lost;
    # once the operator retries it, one more death is a first crash, not the fourth.
    job = make_job(JobStatus.RESPONDING, StageStatus.RUNNING, ME)
    for _ in range(3):
        t.start(job, Stage.LLM, ME, "fake", 3, lambda _: True)
    assert job.status == JobStatus.FAILED
    assert t.resume(job) == Stage.LLM
    assert t.start(job, Stage.LLM, "task-again", "fake", 3, lambda _: True) == t.Run()
    assert t.start(job, Stage.LLM, "task-again", "fake", 3, lambda _: True) == t.Run()
    assert job.stages[Stage.LLM].crashes == 1
    assert job.status == JobStatus.RESPONDING


def test_a_retried_job_keeps_counting_attempts_so_each_run_keeps_its_own_output_key() -> None:
    job = make_job(JobStatus.RESPONDING, StageStatus.PENDING, None)
    job.stages[Stage.LLM].attempts = 5
    t.fail(job, Stage.LLM, None, "retries_exhausted", "gave up", 1.0)
    assert t.resume(job) == Stage.LLM
    assert t.start(job, Stage.LLM, "task-again", "fake", 3, lambda _: True) == t.Run()
    assert job.stages[Stage.LLM].attempts == 6


def test_a_retried_job_that_the_sweeper_stopped_may_be_re_driven_again() -> None:
    # Re-driven once, stuck again, stopped with llm.timeout; retried by hand, it gets the
    # sweeper's re-drive again before a timeout ends it.
    job = make_job(JobStatus.RESPONDING, StageStatus.RUNNING, ME)
    assert t.redrive(job, 1) == t.Redriven(Stage.LLM)
    assert t.redrive(job, 1) == t.GaveUp(Stage.LLM)
    assert t.resume(job) == Stage.LLM
    assert t.redrive(job, 1) == t.Redriven(Stage.LLM)
