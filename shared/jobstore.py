"""Job records in Redis, updated with optimistic transactions.

Job state lives here, not in Celery results: a record is one JSON document per job, and
every change is a read-modify-write under WATCH so that a stage finishing and a client
canceling at the same moment never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable

import redis

from shared.errors import JobNotFound
from shared.models import Job, utcnow

_PREFIX = "vp"


def _job_key(job_id: str) -> str:
    return f"{_PREFIX}:job:{job_id}"


def _index_key(tenant: str) -> str:
    return f"{_PREFIX}:jobs:{tenant}"


class JobStore:
    """Create, read and update job records."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @classmethod
    def from_url(cls, url: str) -> JobStore:
        return cls(
            redis.Redis.from_url(
                url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30
            )
        )

    def create(self, job: Job) -> None:
        """Store a new job; refuses to overwrite an existing id."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(_job_key(job.id), job.model_dump_json(), nx=True)
        pipe.zadd(_index_key(job.tenant), {job.id: job.created_at.timestamp()})
        created, _ = pipe.execute()
        if not created:
            raise ValueError(f"job {job.id} already exists")

    def get(self, job_id: str, tenant: str | None = None) -> Job:
        """The job; with ``tenant``, another tenant's job is reported as not found."""
        raw = self.redis.get(_job_key(job_id))
        if raw is None:
            raise JobNotFound(f"no job {job_id}")
        job = Job.model_validate_json(raw)
        if tenant is not None and job.tenant != tenant:
            raise JobNotFound(f"no job {job_id}")
        return job

    def update(self, job_id: str, change: Callable[[Job], None]) -> Job:
        """Apply ``change`` to the stored job atomically and return the new version."""
        key = _job_key(job_id)
        with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    raw = pipe.get(key)
                    if raw is None:
                        raise JobNotFound(f"no job {job_id}")
                    job = Job.model_validate_json(raw)
                    change(job)
                    job.updated_at = utcnow()
                    pipe.multi()
                    pipe.set(key, job.model_dump_json())
                    pipe.execute()
                    return job
                except redis.WatchError:
                    continue

    def delete(self, job: Job) -> None:
        """Remove a job record (used to undo a submission that could not be queued)."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(_job_key(job.id))
        pipe.zrem(_index_key(job.tenant), job.id)
        pipe.execute()

    def list_ids(self, tenant: str, limit: int = 50, offset: int = 0) -> list[str]:
        """Job ids of a tenant, newest first."""
        ids = self.redis.zrevrange(_index_key(tenant), offset, offset + limit - 1)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    def count(self, tenant: str) -> int:
        return int(self.redis.zcard(_index_key(tenant)))

    def all_ids(self) -> list[str]:
        """Every job id in the store (for tests and operators, not for request paths)."""
        keys = self.redis.scan_iter(match=f"{_PREFIX}:job:*", count=500)
        return sorted(k.decode().rsplit(":", 1)[1] for k in keys)

    def ping(self) -> None:
        self.redis.ping()
