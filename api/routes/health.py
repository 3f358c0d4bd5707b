"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {}})
async def readyz(services: ServicesDep) -> JSONResponse:
    checks: dict[str, str] = {}
    for name, ping in (("broker", services.jobs.ping), ("storage", services.storage.ping)):
        try:
            await run_in_threadpool(ping)
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            checks[name] = f"unavailable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503
    )
