"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

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
        refused = broker_refusal(exc) if name == "broker" else None
        return f"unavailable: {type(exc).__name__}" + (f": {refused}" if refused else "")
    return "ok"


def _live_pools(services: Services) -> dict[str, int]:
    global _pools_read
    now = time.monotonic()
    if _pools_read is None or now - _pools_read[0] > _POOLS_CACHE_S:
        _pools_read = (now, PoolLiveness(services.probe).live(QUEUES))
    return _pools_read[1]
