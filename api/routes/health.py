"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import redis
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep
from api.errors import broker_refusal
from shared.pool_liveness import PoolLiveness
from shared.queues import QUEUES

router = APIRouter(tags=["health"])

# A probe's own timeout is often a second: the broker's checks give up before it, and the
# storage's (connecting, then the answer) within it.
READINESS_BUDGET_S = 1.0
STORAGE_PROBE_S = 0.5

# Probes may come several times a second from every load balancer; the pools' liveness only
# changes on the workers' beats (every 2 s), so one reading serves for this long.
_POOLS_CACHE_S = 1.0
_pools_read: tuple[float, dict[str, int]] | None = None


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {}})
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready: the broker and storage answer, and every pool has a live worker consuming its
    queue (`pools`: how many), so a stack that would take jobs nobody runs is not ready."""
    # Asked together: a probe hung on both answers within one check's timeout, not two.
    broker, storage = await asyncio.gather(
        _check("broker", services.probe.ping), _check("storage", services.storage_probe.ping)
    )
    checks = {"broker": broker, "storage": storage}
    pools: dict[str, int] = {}
    if checks["broker"] == "ok":
        try:
            pools = await run_in_threadpool(_live_pools, services)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            checks["pools"] = f"unavailable: {type(exc).__name__}"
        else:
            idle = [queue for queue, workers in pools.items() if not workers]
            checks["pools"] = f"no live worker for: {', '.join(idle)}" if idle else "ok"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks, "pools": pools},
        200 if ready else 503,
    )


async def _check(name: str, ping: Callable[[], object]) -> str:
    try:
        await run_in_threadpool(ping)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        why = (broker_refusal(exc) or _broker_hint(exc)) if name == "broker" else _storage_hint(exc)
        return f"unavailable: {type(exc).__name__}" + (f": {why}" if why else "")
    return "ok"


# What to look at, by the setting that holds it: this route is public, so the addresses,
# bucket and paths themselves (and the exceptions' messages, which carry them) stay out.
def _broker_hint(exc: BaseException) -> str | None:
    if isinstance(exc, redis.AuthenticationError):
        return "the broker refused the password in VOICEPIPE_BROKER__URL"
    if isinstance(exc, redis.TimeoutError | TimeoutError):
        return (
            f"the broker at VOICEPIPE_BROKER__URL did not answer within "
            f"{READINESS_BUDGET_S:g} s (hung, or overloaded)"
        )
    if isinstance(exc, redis.ConnectionError | ConnectionError):
        return "nothing answers at VOICEPIPE_BROKER__URL (is Redis or Valkey running there?)"
    return None


def _storage_hint(exc: BaseException) -> str | None:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "an error")
        return (
            f"the store answered {code} for the bucket: check VOICEPIPE_STORAGE__S3_BUCKET "
            "(404: no such bucket) and the storage credentials (403)"
        )
    if isinstance(exc, BotoCoreError):
        return (
            "the store could not be reached, or did not answer within "
            f"{STORAGE_PROBE_S:g} s: check VOICEPIPE_STORAGE__S3_ENDPOINT_URL"
        )
    if isinstance(exc, OSError):
        return (
            "the storage directory (VOICEPIPE_STORAGE__LOCAL_DIR, by default objects/ under "
            "VOICEPIPE_DATA_DIR) is missing or cannot be written"
        )
    return None


def _live_pools(services: Services) -> dict[str, int]:
    global _pools_read
    now = time.monotonic()
    if _pools_read is None or now - _pools_read[0] > _POOLS_CACHE_S:
        _pools_read = (now, PoolLiveness(services.probe).live(QUEUES))
    return _pools_read[1]
