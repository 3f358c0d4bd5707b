"""Finds jobs stuck past their deadline and queues them again or fails them.

Workers that die take their stage with them only until the broker redelivers it; a worker
that hangs, a message lost with a broker's unsynced data, or a redelivery that never comes
would leave a job unfinished forever. The sweeper is the backstop: every job ends. A worker
killed whole (its children with it: a lost node, the OOM killer taking its main process)
is noticed within ``orphan_after_s`` of its last beat (``shared.orphans``); a stage whose
worker still beats is left to its hard time limit.

It also deletes the objects of jobs whose retention has passed, and queues again the
expansion of a batch that stopped moving.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import Celery

from shared import retention
from shared.batchstore import BatchStore
from shared.deadlines import deadline_function
from shared.errors import JobNotFound
from shared.job_transitions import Decision, GaveUp, Redrive, Redriven, redrive
from shared.jobstore import JobStore
from shared.models import Job
from shared.orphans import heard_since, look_again_at
from shared.pool_liveness import PoolLiveness, Seen
from shared.queues import INGEST, INGEST_TASKS
from shared.redis_keys import connect
from shared.settings import Settings
from shared.storage import storage_from_settings
from shared.task_messages import TaskMessage, stage_message

log = logging.getLogger("voicepipe.sweeper")


class Sweeper:
    def __init__(self, settings: Settings, app: Celery) -> None:
        self.settings = settings
        self.app = app
        self.jobs = JobStore.from_url(settings.broker.url, deadline_function(settings))
        self.batches = BatchStore(connect(settings.broker.url))
        self.storage = storage_from_settings(settings)
        self.liveness = PoolLiveness(self.jobs.redis)
        # Since when this sweeper has heard workers beat, without a break (shared.orphans).
        self._heard_since: float | None = None

    def sweep(self, now: float | None = None) -> dict[str, int]:
        """One pass; returns how many jobs were re-driven, failed and purged, and how many
        stalled batch expansions were queued again."""
        now = time.time() if now is None else now
        counts = {"redriven": 0, "failed": 0, "purged": 0, "replanned": 0}
        # Read every pass, first: a pass that fails (the broker down) breaks the run of
        # passes that heard workers, and the next starts it afresh.
        before, self._heard_since = self._heard_since, None
        seen = self.liveness.incarnations()
        self._heard_since = heard_since(seen, now, before)
        counts["purged"] = self._purge(now)
        counts["replanned"] = self._replan(now)
        for job_id in self.jobs.overdue(now):
            try:
                action = self._handle(job_id, now, seen)
            except JobNotFound:
                self.jobs.forget_deadline(job_id)
                continue
            if action:
                counts[action] += 1
        return counts

    def _purge(self, now: float) -> int:
        """Delete the objects of jobs whose retention has passed."""
        purged = 0
        for job_id in self.jobs.purge_due(now):
            try:
                _, marked = retention.purge_first(self.jobs, self.storage, job_id)
            except JobNotFound:
                self.jobs.forget_purge(job_id)
                continue
            # Another sweeper may have purged it since both read the index: counted by it.
            purged += marked
        return purged

    def _replan(self, now: float) -> int:
        """Queue again the expansion of batches that stopped moving (a killed ingest
        worker's messages would otherwise wait for the broker's visibility timeout)."""
        # Marked as moved as they are read: one re-plan per stall, not one per pass or sweeper.
        stalled = self.batches.claim_stalled(now - self.settings.batches.stalled_after_s)
        for batch_id in stalled:
            self.app.send_task(INGEST_TASKS["plan"], args=[batch_id], queue=INGEST)
            log.warning("batch %s: expansion stalled; planned again", batch_id)
        return len(stalled)

    def _handle(self, job_id: str, now: float, seen: list[Seen]) -> str | None:
        max_redrives = self.settings.sweeper.max_redrives
        later: list[float] = []

        def decide(job: Job) -> Redrive | bool:
            later.clear()
            due = self.jobs.deadline(job)
            if due is None or due > now:
                return True  # not stuck after all: the write re-indexes it
            again = look_again_at(job, self.settings, now, seen, self._heard_since)
            if again is not None:
                later.append(again)  # its worker lives: no write, only a later look
                return False
            return redrive(job, max_redrives)

        def message(job: Job) -> TaskMessage | None:
            # The re-driven stage's message goes with the write that marks it pending: a
            # broker lost between the two would leave it pending with nothing to run it.
            match decision.result:
                case Redriven(stage):
                    return stage_message(self.app, stage, job)
            return None

        decision = Decision(decide)
        read = self.jobs.update_versioned(job_id, decision, message)
        if later:
            self.jobs.look_again(read, later[0])
            return None
        match decision.result:
            case Redriven(stage):
                action = "redriven"
            case GaveUp(stage):
                action = "failed"
            case _:
                return None
        log.warning("job %s stuck in %s: %s", job_id, stage.value, action)
        return action

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.wait(self.settings.sweeper.interval_s):
            try:
                counts = self.sweep()
                if any(counts.values()):
                    log.info("sweep: %s", counts)
            except Exception:
                log.exception("sweep failed; trying again next interval")


def main() -> None:
    """``python -m workers.sweeper``: one sweeper per installation (more are harmless)."""
    import signal

    from shared.celery_app import create_celery
    from shared.logging import configure_logging
    from shared.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("sweeper running every %.0f s", settings.sweeper.interval_s)
    Sweeper(settings, create_celery(settings)).run_forever(stop)


if __name__ == "__main__":
    main()
