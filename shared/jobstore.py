"""Job records in Redis, updated with optimistic transactions.

Job state lives here, not in Celery results: a record is one JSON document per job, and
every change is a read-modify-write with compare-and-set so that a stage finishing and a client
canceling at the same moment never overwrite each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import redis

from shared.batch_keys import batch_key, jobs_key, rejects_key
from shared.errors import BatchCanceled, BatchItemClosed, JobNotFound
from shared.idempotency_claims import IdempotencyClaims
from shared.inbox_rows import machine_keys, machine_row, overlay_key, reviews_key
from shared.job_effects import Snapshot, counter_deltas, events, retention_due
from shared.job_listing import JobListing
from shared.job_listing import index_key as _index_key
from shared.jobstore_lua import COMPARE_AND_SET, CREATE_BATCH_JOB, CREATE_JOB, DELETE_JOB, REINDEX
from shared.models import Job, utcnow
from shared.redis_keys import connect, key
from shared.task_messages import TaskMessage
from shared.thread_pages import earlier_in_thread, thread_key
from shared.webhook_models import DUE

DEADLINES = key("deadlines")
RETENTION = key("retention")
# Every job counted under its status, moved with each change of it: /metrics reads one hash
# instead of every record.
BY_STATUS = key("jobs-by-status")
# How long a deleted job's id is remembered as deleted: as long as any Idempotency-Key claim
# that names it can live (api.idempotency.TTL_S), so a repeat learns its job was deleted.
DELETED_TTL_S = 24 * 3600

Deadline = Callable[[Job], float | None]
# The message a change sends on, made from the job as changed: a job queued again (a retry,
# a re-drive) is written with its stage's message, never without it.
Then = Callable[[Job], TaskMessage | None]
# What a delete writes in place of the record (shared.kept_usage), made from the record.
Keep = Callable[[Job], "KeptWrite"]


@dataclass(frozen=True)
class KeptWrite:
    """Two keys (a hash and its index by score) and the value the delete writes to them."""

    keys: tuple[str, str]
    value: str
    score: float


@dataclass(frozen=True)
class Versioned:
    """A job and its record exactly as stored: the token of a later compare-and-set."""

    job: Job
    raw: bytes
    # What the stored record said, for the effects of the next change (see job_effects).
    before: Snapshot


def no_deadline(_: Job) -> float | None:
    return None


def _job_key(job_id: str) -> str:
    return key("job", job_id)


class JobStore(IdempotencyClaims, JobListing):
    """Create, read and update job records."""

    def __init__(self, client: redis.Redis, deadline: Deadline = no_deadline) -> None:
        self.redis = client
        # When a job that has not moved on counts as stuck (see shared.deadlines).
        self.deadline = deadline
        self._compare_and_set = client.register_script(COMPARE_AND_SET)
        self._create_job = client.register_script(CREATE_JOB)
        self._create_batch_job = client.register_script(CREATE_BATCH_JOB)
        self._delete_job = client.register_script(DELETE_JOB)
        self._claim_scripts(client)
        self._listing_scripts(client)
        self._reindex = client.register_script(REINDEX)

    @classmethod
    def from_url(
        cls, url: str, deadline: Deadline = no_deadline, socket_timeout: float | None = 10
    ) -> JobStore:
        """A store with a client of its own (see ``shared.redis_keys.connect``)."""
        return cls(connect(url, socket_timeout), deadline)

    def create(self, job: Job, first: TaskMessage | None = None) -> None:
        """Store a new job and queue its ``first`` message in the same script call (the
        broker is this Redis): both happen or neither. Refuses to overwrite an existing id."""
        if job.batch_id is not None:
            assert first is None, "batch jobs are queued by their ingest task"
            if not self.create_batch_job(job):
                raise ValueError(f"job {job.id} already exists")
            return
        keys, args = self.creation(job, first)
        if not self._create_job(keys=keys, args=args):
            raise ValueError(f"job {job.id} already exists")

    def creation(self, job: Job, first: TaskMessage | None) -> tuple[list[str], list[str | float]]:
        """The keys and arguments of the CREATE_JOB script that makes ``job`` (one script
        instead of a MULTI of eight or more commands; see also api.recording)."""
        job_key = _job_key(job.id)
        thread = job.options.thread_id
        due = self.deadline(job)
        keys = [
            job_key,
            _index_key(job.tenant),
            BY_STATUS,
            *machine_keys(job.tenant),
            DEADLINES,
            thread_key(job.tenant, thread) if thread else job_key,
            first.queue if first is not None else job_key,
        ]
        args: list[str | float] = [
            job.model_dump_json(),
            job.id,
            job.created_at.timestamp(),
            job.status.value,
            *machine_row(job).parts,
            "" if due is None else repr(due),
            "1" if thread else "",
            first.payload if first is not None else "",
        ]
        return keys, args

    def create_batch_job(self, job: Job) -> bool:
        """Store the job of a batch item and count it in its batch; False if it exists.
        BatchItemClosed when the item was rejected meanwhile or its batch canceled."""
        assert job.batch_id is not None
        assert job.batch_index is not None
        due = self.deadline(job)
        keys = [
            _job_key(job.id),
            _index_key(job.tenant),
            DEADLINES,
            batch_key(job.batch_id),
            BY_STATUS,
            *machine_keys(job.tenant),
            rejects_key(job.batch_id),
        ]
        args: list[str | int | float] = [
            job.model_dump_json(),
            job.id,
            job.created_at.timestamp(),
            "" if due is None else repr(due),
            job.batch_index,
            *machine_row(job).parts,
        ]
        made = int(self._create_batch_job(keys=keys, args=args))
        if made == -1:
            raise BatchItemClosed(
                f"item {job.batch_index} of {job.batch_id} was rejected", code="item_rejected"
            )
        if made == -2:
            raise BatchItemClosed("The batch was canceled.", code="batch_canceled")
        return made == 1

    @staticmethod
    def record_key(job_id: str) -> str:
        """Where a job's record lives (a batch rejection is refused while it exists)."""
        return _job_key(job_id)

    def exists(self, job_id: str) -> bool:
        return bool(self.redis.exists(_job_key(job_id)))

    def get_many(self, job_ids: list[str]) -> list[Job | None]:
        """Several jobs in one round trip (None where one is gone), for listings and exports."""
        if not job_ids:
            return []
        raws = self.redis.mget([_job_key(i) for i in job_ids])
        return [None if raw is None else Job.model_validate_json(raw) for raw in raws]

    def get(self, job_id: str, tenant: str | None = None) -> Job:
        """The job; with ``tenant``, another tenant's job is reported as not found."""
        # A job's other keys are its key and a ':' suffix (its webhook events): an id
        # holding a ':' names one of those, never a job. Read as one, it was a WRONGTYPE
        # 500, and to another tenant a sign that the job exists.
        if ":" in job_id:
            raise JobNotFound.of(job_id)
        raw = self.redis.get(_job_key(job_id))
        if raw is None:
            raise JobNotFound.of(job_id)
        job = Job.model_validate_json(raw)
        if tenant is not None and job.tenant != tenant:
            raise JobNotFound.of(job_id)
        return job

    def update(
        self, job_id: str, change: Callable[[Job], bool | None], then: Then | None = None
    ) -> Job:
        """Apply ``change`` to the stored job atomically and return the new version.

        ``change`` returning False means "nothing to change": the record is not written.
        ``then`` gives the message to queue with the write, in the same step (None: none).
        BatchCanceled when the change would run a job of a canceled batch again.
        """
        return self.update_versioned(job_id, change, then).job

    def update_versioned(
        self, job_id: str, change: Callable[[Job], bool | None], then: Then | None = None
    ) -> Versioned:
        """Like ``update``, and also the record as stored, for a later ``replace``."""
        record = _job_key(job_id)
        while True:
            raw = self.redis.get(record)
            if not isinstance(raw, bytes):
                raise JobNotFound.of(job_id)
            job = Job.model_validate_json(raw)
            before = Snapshot.of(job)
            if change(job) is False:
                return Versioned(job, raw, before)
            written = self._write_if(job, raw, before, None if then is None else then(job))
            if written is not None:
                return Versioned(job, written, Snapshot.of(job))

    def replace(
        self, job: Job, expected: Versioned, then: TaskMessage | None = None
    ) -> Versioned | None:
        """Write ``job`` if the stored record is still ``expected``; None if it changed.

        For a writer that holds the version it wrote last (a stage between its start and
        its finish): no read and no parse when, as usual, nobody else touched the job. The
        message ``then`` is queued in the same step, and only if the record is written.
        """
        written = self._write_if(job, expected.raw, expected.before, then)
        return None if written is None else Versioned(job, written, Snapshot.of(job))

    def _write_if(
        self, job: Job, expected: bytes, before: Snapshot, then: TaskMessage | None = None
    ) -> bytes | None:
        job.updated_at = utcnow()
        new = job.model_dump_json().encode()
        due = self.deadline(job)
        purge = retention_due(job)
        # Compare-and-set in one round trip: written only if nobody changed the record
        # since we read it (cheaper than WATCH/MULTI/EXEC, which takes three). What the
        # change sets off (batch counters, webhook events, retention) rides along.
        version = hashlib.sha1(expected, usedforsecurity=False).hexdigest()
        batch = job.batch_id is not None
        changes = counter_deltas(before, Snapshot.of(job)) if batch else []
        owed = events(before, job)
        args: list[bytes | str | int] = [
            version,
            new,
            job.id,
            "" if due is None else repr(due),
            "" if purge is None else repr(purge),
            job.batch_index or 0,
            len(changes),
        ]
        for field, delta in changes:
            args += [field, delta]
        args.append(len(owed))
        for event in owed:
            args += [event.id, event.model_dump_json()]
        args.append("" if then is None else then.payload)
        moved = before.status != job.status
        args += [before.status.value, job.status.value] if moved else ["", ""]
        args += machine_row(job).parts
        own = _job_key(job.id)
        keys = [
            own,
            DEADLINES,
            RETENTION,
            DUE,
            batch_key(job.batch_id) if job.batch_id else own,
            own if then is None else then.queue,
            BY_STATUS,
            *machine_keys(job.tenant),
        ]
        written = int(self._compare_and_set(keys=keys, args=args))
        if written == -1:
            raise BatchCanceled(
                f"Job {job.id} belongs to batch {job.batch_id}, which was canceled: its jobs "
                "do not run again. Submit the recording again as a new job or batch."
            )
        return new if written else None

    def delete(self, job: Job, keep: Keep | None = None) -> None:
        """Remove a job record, its index entries, its inbox row and its reviews; a batch job
        that had not ended is counted in its batch as canceled (and may end the batch).
        ``keep`` gives what to write in the same step from the record as it is removed
        (shared.kept_usage): read again, and asked again, if the record changed meanwhile."""
        thread = job.options.thread_id
        keys = [
            _job_key(job.id),
            _index_key(job.tenant),
            *machine_keys(job.tenant),
            overlay_key(job.tenant),
            reviews_key(job.tenant, job.id),
            DEADLINES,
            RETENTION,
            BY_STATUS,
            thread_key(job.tenant, thread) if thread else _job_key(job.id),
            key("deleted", job.id),
            batch_key(job.batch_id) if job.batch_id else _job_key(job.id),
        ]
        while True:
            args: list[str | int] = [job.id, DELETED_TTL_S, job.batch_index or 0, ""]
            raw = self.redis.get(_job_key(job.id)) if keep is not None else None
            if keep is not None and isinstance(raw, bytes):
                kept = keep(Job.model_validate_json(raw))
                keys[13:] = kept.keys
                args[3] = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
                args += [kept.value, repr(kept.score)]
            if int(self._delete_job(keys=keys, args=args)) != -1:
                return

    def was_deleted(self, job_id: str) -> bool:
        """Whether the job was deleted (DELETE /v1/jobs) within DELETED_TTL_S."""
        return bool(self.redis.exists(key("deleted", job_id)))

    def count_by_status(self) -> dict[str, int]:
        """Jobs in the store under each status (for /metrics)."""
        raw = self.redis.hgetall(BY_STATUS)
        return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}

    def thread_before(
        self, job: Job, limit: int = 5, where: Callable[[Job], bool] | None = None
    ) -> list[Job]:
        """Up to ``limit`` jobs of the thread made before ``job`` that ``where`` keeps, oldest
        first, read in a few round trips (shared.thread_pages), a batch of the thread read
        as its jobs."""
        if not job.options.thread_id:
            return []
        raw = self.redis.lrange(thread_key(job.tenant, job.options.thread_id), 0, -1)
        ids = [i.decode() if isinstance(i, bytes) else str(i) for i in raw]
        return earlier_in_thread(ids, job, limit, where, self.get_many, self._batch_page)

    def _batch_page(self, batch_id: str, start: int, stop: int) -> list[str]:
        """The ids of a batch's jobs from ``start`` to ``stop``, newest item first."""
        raw = self.redis.zrevrange(jobs_key(batch_id), start, stop - 1)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in raw]

    def look_again(self, read: Versioned, at: float) -> bool:
        """Move the job's place in the deadline index to ``at`` without writing the job
        (a running stage's worker still lives: the stage's own finish must still find the
        very version its start wrote). False if the job changed since ``read``: the write
        that changed it indexed it afresh."""
        version = hashlib.sha1(read.raw, usedforsecurity=False).hexdigest()
        keys = [_job_key(read.job.id), DEADLINES]
        return bool(self._reindex(keys=keys, args=[version, read.job.id, repr(at)]))

    def forget_deadline(self, job_id: str) -> None:
        """Drop a vanished job from the deadline index."""
        self.redis.zrem(DEADLINES, job_id)

    def purge_due(self, now: float, limit: int = 200) -> list[str]:
        """Ids of ended jobs whose objects are due for deletion (retention)."""
        ids = self.redis.zrangebyscore(RETENTION, "-inf", now, start=0, num=limit)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    def forget_purge(self, job_id: str) -> None:
        """Drop a vanished job from the retention index."""
        self.redis.zrem(RETENTION, job_id)

    def overdue(self, now: float, limit: int = 500) -> list[str]:
        """Ids of unfinished jobs whose deadline has passed."""
        ids = self.redis.zrangebyscore(DEADLINES, "-inf", now, start=0, num=limit)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    def all_ids(self) -> list[str]:
        """Every job id in the store (for tests and operators, not for request paths)."""
        prefix = key("job", "")
        keys = (k.decode() for k in self.redis.scan_iter(match=f"{prefix}*", count=500))
        # Only the records: a job's list of webhook events lives under its key + ":webhooks".
        return sorted(k[len(prefix) :] for k in keys if ":" not in k[len(prefix) :])

    def ping(self) -> None:
        self.redis.ping()
