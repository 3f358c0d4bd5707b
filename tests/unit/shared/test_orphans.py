"""When the sweeper looks at a running stage, and whether it finds the stage's worker gone.

Times are plain numbers from T; the stt stage's hard deadline is T + 960 + 60 (its limit
plus the sweeper's grace) and a worker counts as gone after ``SILENCE`` s without a beat
while the sweeper hears others (since ``HEARD``, unless a test says otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.deadlines import deadline_of
from shared.models import Job, JobStatus, Stage, StageStatus
from shared.orphans import alive_until, heard_since, look_again_at
from shared.pool_liveness import Incarnation, Seen
from shared.settings import Settings
from tests.factories import wav_input_meta

T = 1_700_000_000.0
SILENCE = 60.0
HARD = T + 960 + 60
WORKER = "stt@node-a"
RUNNING_SINCE_BOOT = Incarnation(WORKER, T - 100)
HEARD = T - 1000


def settings() -> Settings:
    return Settings(sweeper={"orphan_after_s": SILENCE, "grace_s": 60})


def running_job(worker: str | None = WORKER) -> Job:
    job = Job(input=wav_input_meta(), status=JobStatus.TRANSCRIBING)
    rec = job.stages[Stage.STT]
    rec.status = StageStatus.RUNNING
    rec.task_id = "task-1"
    rec.worker = worker
    rec.started_at = datetime.fromtimestamp(T, UTC)
    return job


def beats(*pairs: tuple[Incarnation, float]) -> list[Seen]:
    return [Seen(incarnation, at) for incarnation, at in pairs]


def test_a_running_stage_naming_its_worker_is_looked_at_after_the_silence_not_its_hard_limit() -> (
    None
):
    assert deadline_of(running_job(), settings()) == T + SILENCE


def test_a_record_from_before_workers_were_named_keeps_the_hard_limit_as_its_deadline() -> None:
    assert deadline_of(running_job(worker=None), settings()) == HARD


def test_the_first_look_is_never_later_than_the_hard_limit() -> None:
    short = Settings(
        sweeper={"orphan_after_s": 600, "grace_s": 1},
        workers={"stt": {"soft_time_limit_s": 10, "time_limit_s": 20}},
        # The local engine transcribes no longer recording than this within 10 s.
        api={"max_duration_s": 15},
    )
    assert deadline_of(running_job(), short) == T + 21


def test_a_busy_worker_that_beats_is_looked_at_again_a_silence_after_its_last_beat() -> None:
    now = T + 300
    seen = beats((RUNNING_SINCE_BOOT, now - 1), (Incarnation("llm@node-b", T - 50), now - 2))

    assert look_again_at(running_job(), settings(), now, seen, HEARD) == now - 1 + SILENCE


def test_a_worker_silent_for_the_whole_silence_is_gone() -> None:
    now = T + 300
    seen = beats((RUNNING_SINCE_BOOT, now - SILENCE - 1), (Incarnation("llm@b", T), now - 1))

    assert look_again_at(running_job(), settings(), now, seen, HEARD) is None


def test_a_worker_started_again_under_its_name_is_gone_though_the_name_beats() -> None:
    now = T + SILENCE
    again = Incarnation(WORKER, T + 5)  # killed at T + 3, restarted by its supervisor
    seen = beats((RUNNING_SINCE_BOOT, T + 3), (again, now - 1))

    assert look_again_at(running_job(), settings(), now, seen, HEARD) is None


@pytest.mark.parametrize(
    "seen",
    [
        [],
        beats((Incarnation("stt@node-b", T - 100), T + 59)),
        # Only an incarnation that started after the stage: not the one that ran it.
        beats((Incarnation(WORKER, T + 1), T + 59)),
    ],
    ids=["nothing noted", "another worker only", "a later incarnation only"],
)
def test_a_worker_no_longer_noted_is_gone(seen: list[Seen]) -> None:
    assert look_again_at(running_job(), settings(), T + SILENCE, seen, HEARD) is None


def test_the_sweeper_hears_workers_from_the_first_pass_a_beat_is_fresh_until_one_is_not() -> None:
    fresh = beats((RUNNING_SINCE_BOOT, T - 1))
    stale = beats((RUNNING_SINCE_BOOT, T - 60))

    assert heard_since(fresh, T, None) == T
    assert heard_since(fresh, T, T - 500) == T - 500
    assert heard_since(stale, T, T - 500) is None
    assert heard_since([], T, T - 500) is None


def test_while_nobody_is_heard_a_silent_worker_is_not_gone() -> None:
    # The broker is down, or just back before any worker reconnected.
    now = T + 300
    seen = beats((RUNNING_SINCE_BOOT, now - 100), (Incarnation("llm@b", T), now - 101))

    assert look_again_at(running_job(), settings(), now, seen, None) == now + SILENCE


def test_after_an_outage_a_worker_still_silent_is_gone_a_silence_after_others_are_heard() -> None:
    # Beats stopped at T + 200 for 100 s; the sweeper hears workers again from T + 300.
    heard = T + 300
    others = Incarnation("llm@b", T)
    for after, gone in [(SILENCE - 1, False), (SILENCE + 1, True)]:
        now = heard + after
        seen = beats((RUNNING_SINCE_BOOT, T + 200), (others, now - 0.5))
        assert (alive_until(seen, WORKER, T, SILENCE, now, heard) is None) is gone, after


def test_a_draining_worker_is_alive_until_it_vouched_for_plus_the_silence() -> None:
    now = T + 100
    seen = beats((RUNNING_SINCE_BOOT, now + 500), (Incarnation("llm@b", T), now - 1))

    assert look_again_at(running_job(), settings(), now, seen, HEARD) == now + 500 + SILENCE


def test_a_live_worker_is_looked_at_again_no_later_than_the_hard_limit() -> None:
    now = HARD - 10
    seen = beats((RUNNING_SINCE_BOOT, now))

    assert look_again_at(running_job(), settings(), now, seen, HEARD) == HARD


def test_past_the_hard_limit_a_stage_is_stuck_however_alive_its_worker() -> None:
    seen = beats((RUNNING_SINCE_BOOT, HARD + 1))

    assert look_again_at(running_job(), settings(), HARD + 1, seen, HEARD) is None


@pytest.mark.parametrize("status", [StageStatus.PENDING, StageStatus.RETRYING])
def test_a_stage_not_running_is_never_kept_alive_by_a_worker(status: StageStatus) -> None:
    job = running_job()
    job.stages[Stage.STT].status = status
    seen = beats((RUNNING_SINCE_BOOT, T + 10))

    assert look_again_at(job, settings(), T + 11, seen, HEARD) is None


def test_an_incarnation_reads_back_from_its_member_and_odd_members_are_skipped() -> None:
    incarnation = Incarnation("stt@host#odd", 1712.25)

    assert Incarnation.parse(incarnation.member) == incarnation
    assert Incarnation.parse("stt@host") is None
    assert Incarnation.parse("stt@host#later") is None
