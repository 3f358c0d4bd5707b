"""Idempotency-Key on ``POST /v1/batches``: the same key and tenant give back the same batch.

A batch request is the one most worth repeating safely: a client that loses the answer to
an upload of a thousand recordings (a timeout, a dropped connection, Ctrl-C after the last
byte went out) cannot tell whether the batch was made, and sending it again without a key
runs every recording twice. The claim is the one the jobs' keys use (api.idempotency: SET NX
in the job store, 24 hours), in a namespace of its own, so a job's key and a batch's key
never answer for each other. Batches are never deleted, so a key names its batch for the
claim's whole life.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from starlette.concurrency import run_in_threadpool

from api.deps import Services
from api.errors import ApiError, job_store_unavailable
from api.idempotency import ABANDONED_S, TTL_S
from shared.batches import Batch
from shared.batchstore import BatchNotFound, BatchStore
from shared.broker_clock import PAST_FENCE, BrokerClock, TooLate
from shared.jobstore import JobStore
from shared.models import JobOptions
from shared.redis_keys import key as redis_key

log = logging.getLogger(__name__)
# Keeps a batch's key apart from a job's key of the same text.
_NAMESPACE = "batch\0"
# Fenced (shared.broker_clock): a claim a stalled broker runs after the request gave up and
# answered 503 would name a batch never made, and answer every retry "in progress" until it
# counted as abandoned (ABANDONED_S), while the batch it promised was never to come.
_FENCED_CLAIM = (
    PAST_FENCE
    + """
if past_fence(ARGV[3]) then return -1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
return 0
"""
)


def _key_hash(key: str) -> str:
    return hashlib.sha256(f"{_NAMESPACE}{key}".encode()).hexdigest()


def request_digest(items: Iterable[str], options: JobOptions) -> str:
    """What a batch request is told by: each item (a part's name and content hash, or a
    manifest's item) in order, and the options applied to all of them."""
    hasher = hashlib.sha256()
    for item in items:
        hasher.update(hashlib.sha256(item.encode()).digest())
    hasher.update(options.model_dump_json().encode())
    return hasher.hexdigest()


def _claim_fenced(
    jobs: JobStore, clock: BrokerClock | None, tenant: str, hashed: str, value: str
) -> bool:
    started = time.monotonic()
    fence = "" if clock is None else clock.fence_ms(jobs.redis, started)
    script = jobs.redis.register_script(_FENCED_CLAIM)
    made = script(keys=[redis_key("idem", tenant, hashed)], args=[value, TTL_S, fence])
    if made == -1:
        assert clock is not None
        clock.forget()
        raise TooLate("the broker ran the Idempotency-Key's claim after its fence")
    return bool(made)


def claim(
    jobs: JobStore,
    batches: BatchStore,
    tenant: str,
    key: str,
    batch_id: str,
    digest: str,
    clock: BrokerClock | None = None,
) -> str | None:
    """Claim the key for the new batch ``batch_id``; returns the id of the batch an earlier
    request with the key made instead, when there is one."""
    mine = f"{batch_id}|{digest}"
    hashed = _key_hash(key)
    while not _claim_fenced(jobs, clock, tenant, hashed, mine):
        held = jobs.idempotency_get(tenant, hashed)
        if held is None:
            continue  # released (its request failed) between the two calls: claim again
        if held == mine:
            return None
        earlier_id, _, claimed_digest = held.partition("|")
        if claimed_digest != digest:
            raise ApiError(
                409,
                "idempotency_conflict",
                f"Idempotency-Key {key[:64]!r} was already used with other files or other "
                "options. Use a new key for a new batch.",
            )
        try:
            batches.get(earlier_id, tenant)
        except BatchNotFound:
            if not _abandoned(earlier_id):
                raise ApiError(
                    409,
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry in "
                    "a moment.",
                ) from None
            # Its request failed without releasing the key (the broker went away between
            # the two): the key is free again.
            if jobs.idempotency_take_over(tenant, hashed, held, mine, TTL_S):
                return None
            continue
        return earlier_id
    return None


def release(jobs: JobStore, tenant: str, key: str) -> None:
    jobs.idempotency_release(tenant, _key_hash(key))


def _abandoned(batch_id: str) -> bool:
    try:
        made = int(batch_id.removeprefix("bat_")[:12], 16) / 1000
    except ValueError:
        return True
    return time.time() - made > ABANDONED_S


async def claim_and_record(
    services: Services,
    batch: Batch,
    key: str | None,
    digest: str,
    record: Callable[[], Awaitable[object]],
) -> tuple[str, bool]:
    """``record`` the batch, unless the Idempotency-Key ``key`` already named one: then that
    batch's id, and true."""
    if key:
        try:
            earlier = await run_in_threadpool(
                claim,
                services.jobs,
                services.batches,
                batch.tenant,
                key,
                batch.id,
                digest,
                services.clock,
            )
        except ApiError:
            raise
        except Exception as exc:
            raise job_store_unavailable(
                exc, "The job store is not reachable; try again.", "Nothing was made."
            ) from exc
        if earlier is not None:
            return earlier, True
    try:
        await record()
    except BaseException:
        if key:
            await _release(services, batch.tenant, key)
        raise
    return batch.id, False


async def _release(services: Services, tenant: str, key: str) -> None:
    # The broker that refused the batch may refuse this too: the client is still told why.
    try:
        await run_in_threadpool(release, services.jobs, tenant, key)
    except Exception:
        log.warning("releasing the Idempotency-Key of a refused batch failed", exc_info=True)
