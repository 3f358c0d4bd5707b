"""Batches in Redis: the record, its counters, its items, its jobs by index and status.

Counters are moved by the job store's compare-and-set as jobs change (shared.jobstore_lua)
and by this store's scripts (shared.batchstore_lua) as items are rejected and expansion
ends, never by a scan: reading a batch is one HGETALL, whatever its size.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import redis
from redis.typing import EncodableT

from shared.batch_keys import (
    EXPANDING,
    OPEN,
    batch_key,
    chunks_done_key,
    deliveries_key,
    errors_key,
    items_key,
    jobs_key,
    rejected_key,
    rejects_key,
    status_key,
    tenant_batches_key,
)
from shared.batches import Batch, BatchItem, BatchStatus, ItemRejection
from shared.batchstore_lua import (
    CANCEL,
    CHUNK_DONE,
    CLAIM_STALLED,
    REJECT,
    RETRY_DONE,
    RETRY_OPEN,
)
from shared.broker_clock import PAST_FENCE, BrokerClock, TooLate
from shared.errors import JobNotFound
from shared.keyset_paging import AFTER, Position, newest_first
from shared.models import JobStatus
from shared.task_messages import TaskMessage
from shared.thread_pages import thread_key

# KEYS: batch hash, items list, the tenant's batches, expanding, open, and the list of the
# thread its options name (the batch hash again for none). ARGV: fence (see
# shared.broker_clock) or '', the record, its creation time, now, then the hash's other
# fields as name, value pairs. The batch's id is pushed on its thread once, with its record:
# its jobs are the thread's voicemails for the caller's later ones (shared.thread_pages).
# Returns 1 when made, 0 when another batch holds the id, -1 past the fence (its items,
# already pushed, are dropped). A record already there byte for byte is this call's own,
# sent again after a lost reply: made. The items were pushed first with an expiry, which
# the batch, once made, takes off: items whose batch is never made vanish with it.
_CREATE = (
    PAST_FENCE
    + """
local current = redis.call('HGET', KEYS[1], 'record')
if current then
    if current ~= ARGV[2] then return 0 end
    redis.call('PERSIST', KEYS[2])
    return 1
end
if past_fence(ARGV[1]) then
    redis.call('DEL', KEYS[2])
    return -1
end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'heartbeat', ARGV[4], unpack(ARGV, 5))
redis.call('PERSIST', KEYS[2])
local id = redis.call('HGET', KEYS[1], 'id')
redis.call('ZADD', KEYS[3], ARGV[3], id)
redis.call('ZADD', KEYS[4], ARGV[4], id)
redis.call('ZADD', KEYS[5], ARGV[4], id)
if KEYS[6] ~= KEYS[1] then redis.call('RPUSH', KEYS[6], id) end
return 1
"""
)
# Items pushed for a batch not yet made are dropped after this long (see _CREATE).
_UNMADE_ITEMS_TTL_S = 3600

# KEYS: batch hash, items list. ARGV: the listing's cursor this page was listed from, the
# cursor after it, "1" when the listing is done, then the page's items. A page is appended
# only while the cursor is still the one it was listed from: the same call sent again by
# the client after a lost reply (a MULTI was sent whole again), or a redelivered listing
# racing the first, appends nothing twice, so no object becomes two jobs.
_ADD_LISTED = """
local at = redis.call('HGET', KEYS[1], 'listed_after') or ''
if at == ARGV[1] then
    if #ARGV > 3 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 4)) end
    redis.call('HSET', KEYS[1], 'listed_after', ARGV[2])
end
if ARGV[3] == '1' then
    redis.call('HSET', KEYS[1], 'items', redis.call('LLEN', KEYS[2]), 'listed', '1')
end
return 1
"""

RUNNING = tuple(s.value for s in JobStatus if not s.terminal)
TERMINAL = tuple(s.value for s in JobStatus if s.terminal)


class BatchNotFound(JobNotFound):
    code = "batch_not_found"
    kind, kinds = "batch", "batches"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class BatchState:
    """A batch and its counters as stored."""

    batch: Batch
    counters: dict[str, str] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return int(self.counters.get(name, 0))

    @property
    def items(self) -> int | None:
        return self.count("items") if "items" in self.counters else None

    @property
    def expanded(self) -> bool:
        return self.counters.get("expanded") == "1"

    @property
    def canceled(self) -> bool:
        return self.counters.get("canceled") == "1"

    @property
    def done(self) -> int:
        return sum(self.count(f"status:{s}") for s in TERMINAL) + self.count("rejected")

    @property
    def status(self) -> BatchStatus:
        # A retry under way runs the batch again, even before it has resumed a job.
        if "completed_at" in self.counters and not self.count("retrying"):
            return "canceled" if self.canceled else "completed"
        if self.canceled:
            return "canceling"
        return "running" if self.expanded else "expanding"

    def times(self, name: str) -> float | None:
        value = self.counters.get(name)
        return float(value) if value else None

    def by_prefix(self, prefix: str) -> dict[str, int]:
        return {
            name[len(prefix) :]: int(value)
            for name, value in sorted(self.counters.items())
            if name.startswith(prefix) and int(value)
        }


class BatchStore:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._reject = client.register_script(REJECT)
        self._chunk_done = client.register_script(CHUNK_DONE)
        self._add_listed = client.register_script(_ADD_LISTED)
        self._create = client.register_script(_CREATE)
        self._cancel = client.register_script(CANCEL)
        self._retry_open = client.register_script(RETRY_OPEN)
        self._retry_done = client.register_script(RETRY_DONE)
        self._claim_stalled = client.register_script(CLAIM_STALLED)
        self._after = client.register_script(AFTER)

    def create(
        self, batch: Batch, items: list[BatchItem] | None, clock: BrokerClock | None = None
    ) -> None:
        """Record a batch and, when known, its items (a prefix is listed by a worker). With
        a ``clock`` (the API's), the record is fenced: TooLate when the broker made nothing
        in time, and then it never will."""
        if items:
            pipe = self.redis.pipeline(transaction=True)
            # The list is made afresh, so the MULTI sent whole again by the client after a
            # lost reply leaves each item once (the batch's id is new: nothing else is in it).
            pipe.delete(items_key(batch.id))
            # Pushed in slices: one command of 100,000 items would stall the server.
            for start in range(0, len(items), 1000):
                chunk = items[start : start + 1000]
                pipe.rpush(items_key(batch.id), *(i.model_dump_json() for i in chunk))
            pipe.expire(items_key(batch.id), _UNMADE_ITEMS_TTL_S)
            pipe.execute()
        fields: list[EncodableT] = [
            "id",
            batch.id,
            "tenant",
            batch.tenant,
            "callback_url",
            batch.options.callback_url or "",
        ]
        if items is not None:
            fields += ["items", len(items), "listed", "1"]
        started = time.monotonic()
        fence = "" if clock is None else clock.fence_ms(self.redis, started)
        keys = [batch_key(batch.id), items_key(batch.id), tenant_batches_key(batch.tenant)]
        thread = batch.options.thread_id
        record = batch.model_dump_json()
        made = self._create(
            keys=[*keys, EXPANDING, OPEN, thread_key(batch.tenant, thread) if thread else keys[0]],
            args=[fence, record, batch.created_at.timestamp(), time.time(), *fields],
        )
        if made == -1:
            assert clock is not None
            clock.forget()
            raise TooLate(f"the broker ran the creation of {batch.id} after its fence")
        if not made:
            raise ValueError(f"batch {batch.id} already exists")

    def discard(self, batch: Batch) -> None:
        """Undo ``create`` (its expansion could not be queued): nothing of it is left."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(batch_key(batch.id), items_key(batch.id))
        pipe.zrem(tenant_batches_key(batch.tenant), batch.id)
        pipe.zrem(EXPANDING, batch.id)
        pipe.zrem(OPEN, batch.id)
        if batch.options.thread_id:
            pipe.lrem(thread_key(batch.tenant, batch.options.thread_id), 0, batch.id)
        pipe.execute()

    def open_progress(self, limit: int = 1000) -> tuple[int, dict[str, int]]:
        """How many batches are unfinished, and their counters summed (items, rejected,
        and jobs under each status), over the ``limit`` oldest, for /metrics."""
        ids = [_text(i) for i in self.redis.zrange(OPEN, 0, limit - 1)]
        pipe = self.redis.pipeline(transaction=False)
        for batch_id in ids:
            pipe.hgetall(batch_key(batch_id))
        totals: dict[str, int] = {}
        for raw in pipe.execute() if ids else []:
            for raw_name, value in raw.items():
                name = _text(raw_name)
                if name in {"items", "rejected"} or name.startswith("status:"):
                    state = name.removeprefix("status:")
                    totals[state] = totals.get(state, 0) + int(value)
        return int(self.redis.zcard(OPEN)), totals

    def get(self, batch_id: str, tenant: str | None = None) -> BatchState:
        # A batch's other keys are its own key and a ':' suffix (shared.batch_keys): an id
        # holding a ':' names one of those (its jobs, its items), never a batch. Read as
        # one, it was a WRONGTYPE 500, and to another tenant a sign that the batch exists.
        if ":" in batch_id:
            raise BatchNotFound.of(batch_id)
        counters = {_text(k): _text(v) for k, v in self.redis.hgetall(batch_key(batch_id)).items()}
        record = counters.pop("record", None)
        if record is None:
            raise BatchNotFound.of(batch_id)
        batch = Batch.model_validate_json(record)
        if tenant is not None and batch.tenant != tenant:
            raise BatchNotFound.of(batch_id)
        return BatchState(batch, counters)

    def list_ids(self, tenant: str, limit: int, before: float | None = None) -> list[str]:
        """The tenant's batches, newest first, created before ``before`` (cursor paging)."""
        return self.list_page(tenant, limit, before)[0]

    def list_page(
        self, tenant: str, limit: int, before: float | None = None, before_id: str | None = None
    ) -> tuple[list[str], Position | None]:
        """``list_ids``, with the next page's position (shared.keyset_paging.newest_first)."""
        return newest_first(self._after, tenant_batches_key(tenant), limit, before, before_id)

    def states(self, batch_ids: list[str], tenant: str) -> list[BatchState]:
        """The listed batches that still exist: one discarded between the listing and this
        read (its expansion could not be queued) is left out, not the whole listing failed."""
        states = []
        for batch_id in batch_ids:
            try:
                states.append(self.get(batch_id, tenant))
            except BatchNotFound:
                continue
        return states

    # -- expansion ---------------------------------------------------------------------------
    def add_listed(
        self, batch_id: str, items: list[BatchItem], since: str, after: str, done: bool
    ) -> None:
        """Append one page of a prefix listing, listed from the cursor ``since``, and move the
        cursor to ``after``, atomically, so a listing resumed after a crash neither skips nor
        repeats a key (_ADD_LISTED); with ``done``, the items are all listed."""
        args = [since, after, "1" if done else "", *(i.model_dump_json() for i in items)]
        self._add_listed(keys=[batch_key(batch_id), items_key(batch_id)], args=args)

    def listed(self, batch_id: str) -> int:
        return int(self.redis.llen(items_key(batch_id)))

    def items(self, batch_id: str, start: int, stop: int) -> list[BatchItem]:
        raw = self.redis.lrange(items_key(batch_id), start, stop - 1)
        return [BatchItem.model_validate_json(r) for r in raw]

    def chunks_done(self, batch_id: str) -> set[int]:
        return {int(_text(m)) for m in self.redis.smembers(chunks_done_key(batch_id))}

    def chunk_done(self, batch_id: str, start: int, chunks: int) -> bool:
        """Record one chunk as expanded; True when it was the last."""
        keys = [batch_key(batch_id), chunks_done_key(batch_id)]
        return bool(self._chunk_done(keys=keys, args=[start, chunks]))

    def heartbeat(self, batch_id: str) -> None:
        self.redis.zadd(EXPANDING, {batch_id: time.time()}, xx=True)

    def claim_stalled(self, older_than: float, limit: int = 100) -> list[str]:
        """Batches whose expansion has not moved since ``older_than``, each marked as moved
        now in the same step, so a second sweeper at once does not plan them too."""
        args: list[EncodableT] = [older_than, limit, time.time()]
        ids = self._claim_stalled(keys=[EXPANDING], args=args)
        return [_text(i) for i in ids]

    def is_rejected(self, batch_id: str, index: int) -> bool:
        return bool(self.redis.hexists(rejects_key(batch_id), str(index)))

    def reject(self, batch_id: str, rejection: ItemRejection, job_key: str) -> bool:
        """Record an item that never became a job (counted once, however often tried);
        False when it is recorded already, or is a job (its record at ``job_key``)."""
        keys = [batch_key(batch_id), rejects_key(batch_id), rejected_key(batch_id), job_key]
        args: list[str | int] = [rejection.index, rejection.model_dump_json(), rejection.code]
        return bool(self._reject(keys=keys, args=args))

    def item_failure(self, batch_id: str, index: int) -> int:
        """Count one unexpected failure of an item; how many it has had."""
        return int(self.redis.hincrby(errors_key(batch_id), str(index), 1))

    def mark_canceled(self, batch_id: str, message: TaskMessage | None = None) -> bool:
        """Mark the batch canceled, unless it has completed (with no retry under way),
        queueing its cancel task's ``message`` in the same step; whether it was marked or
        is marked already (its cancel under way, no second task queued)."""
        queue = batch_key(batch_id) if message is None else message.queue
        args: list[EncodableT] = [time.time(), "" if message is None else message.payload]
        return bool(self._cancel(keys=[batch_key(batch_id), OPEN, queue], args=args))

    def open_retry(self, batch_id: str, token: str, message: TaskMessage | None = None) -> int:
        """Accept a retry of the batch's failed jobs, under way until ``retry_done(token)``,
        queueing its task's ``message`` in the same step: 1, or 0 when none failed, -1 when
        the batch was canceled (see RETRY_OPEN)."""
        keys = [batch_key(batch_id), batch_key(batch_id) if message is None else message.queue]
        args: list[EncodableT] = [token, time.time(), "" if message is None else message.payload]
        return int(self._retry_open(keys=keys, args=args))

    def retry_done(self, batch_id: str, token: str) -> None:
        """The retry ``token`` is through; the batch ends if nothing else is left."""
        self._retry_done(keys=[batch_key(batch_id)], args=[token])

    # -- reading jobs and items --------------------------------------------------------------
    def page(
        self, batch_id: str, status: str | None, after: int, limit: int
    ) -> list[tuple[int, str]]:
        """(item index, job id) of the batch's jobs after ``after``, in item order."""
        key = status_key(batch_id, status) if status else jobs_key(batch_id)
        rows = self.redis.zrangebyscore(key, f"({after}", "+inf", 0, limit, withscores=True)
        return [(int(row[1]), _text(row[0])) for row in rows if isinstance(row, tuple | list)]

    def rejections(self, batch_id: str, after: int, limit: int) -> list[ItemRejection]:
        rows = [
            _text(r)
            for r in self.redis.zrangebyscore(rejected_key(batch_id), f"({after}", "+inf", 0, limit)
        ]
        if not rows:
            return []
        raws = self.redis.hmget(rejects_key(batch_id), rows)
        return [ItemRejection.model_validate_json(r) for r in raws if r is not None]

    def rows(self, batch_id: str, page: int = 500) -> Iterator[tuple[int, str | ItemRejection]]:
        """Every item in index order: its job id, or its rejection. Read a page at a time
        from the two sorted sets and merged, so an export of any size holds one page."""
        jobs = self._stream_jobs(batch_id, page)
        rejected = self._stream_rejections(batch_id, page)
        nxt_job, nxt_rej = next(jobs, None), next(rejected, None)
        while nxt_job is not None or nxt_rej is not None:
            if nxt_rej is None or (nxt_job is not None and nxt_job[0] < nxt_rej.index):
                assert nxt_job is not None
                yield nxt_job
                nxt_job = next(jobs, None)
            else:
                yield nxt_rej.index, nxt_rej
                nxt_rej = next(rejected, None)

    def _stream_jobs(self, batch_id: str, page: int) -> Iterator[tuple[int, str]]:
        after = -1
        while rows := self.page(batch_id, None, after, page):
            yield from rows
            after = rows[-1][0]

    def _stream_rejections(self, batch_id: str, page: int) -> Iterator[ItemRejection]:
        after = -1
        while rows := self.rejections(batch_id, after, page):
            yield from rows
            after = rows[-1].index

    def delivery_ids(self, batch_id: str) -> list[str]:
        return [_text(i) for i in self.redis.lrange(deliveries_key(batch_id), 0, -1)]
