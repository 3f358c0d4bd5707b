"""A vendor's HTTP API on localhost, for tests, chaos runs and offline demos.

Each vendor fake (one module per vendor in ``tests/fakes/``) adds the vendor's routes and error body
shape; this base serves them over real HTTP with uvicorn, records every request, and
injects failures: scripted ones (``fail_next``) and random ones (``failure_rate``).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import StreamingResponse


@dataclass(frozen=True)
class Fault:
    """One scripted answer instead of the real one; ``delay_s`` simulates a hung server."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str = "application/json"
    # Only requests whose path starts with this take the fault (None: any request).
    path: str | None = None
    # Requests (on ``path``) answered as usual before this one takes the fault: a reply
    # spoken in parts failing at its third part is ``after=2``.
    after: int = 0
    # The route's own answer, its status and headers sent whole (Content-Length the full
    # body's) and its body broken off after this many bytes, the connection then closed:
    # a vendor's 200 cut mid-read. ``status`` and ``body`` are not used.
    cut_at: int | None = None

    def on(self, path: str) -> Fault:
        return replace(self, path=path)

    def cut(self) -> bool:
        return self.cut_at is not None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class FakeServer:
    """Base of every vendor fake. Subclasses implement ``routes`` and ``error``."""

    vendor = "fake"

    def __init__(self, *, failure_rate: float = 0.0, seed: int = 0) -> None:
        self.faults: deque[Fault] = deque()
        self.failure_rate = failure_rate
        self.random_faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.app = FastAPI(title=f"fake {self.vendor}")
        self.app.add_middleware(BaseHTTPMiddleware, dispatch=self._intercept)
        self.routes(self.app)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # -- what subclasses provide -------------------------------------------------------
    def routes(self, app: FastAPI) -> None:
        raise NotImplementedError

    def error(
        self,
        status: int,
        kind: str | None = None,
        *,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> Fault:
        """A fault shaped like this vendor's error answers."""
        raise NotImplementedError

    def transient_errors(self) -> list[Fault]:
        """The retryable failures a chaos run draws from."""
        return [self.error(429, retry_after=0.2), self.error(500), self.error(503), self.timeout()]

    # -- scripting ------------------------------------------------------------------------
    def fail_next(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def timeout(self, delay_s: float = 30.0) -> Fault:
        return Fault(status=200, body=b"{}", delay_s=delay_s)

    def cut_answer(self, at: int = 100, *, after: int = 0) -> Fault:
        """The route's real answer broken off after ``at`` bytes of its body."""
        return Fault(status=200, body=b"", cut_at=at, after=after)

    def calls(self, path_prefix: str = "") -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.requests.clear()

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault.path is None or path.startswith(fault.path):
                    if fault.after:
                        self.faults[index] = replace(fault, after=fault.after - 1)
                        return None
                    self.faults.remove(fault)
                    return fault
            if self.failure_rate and self._rng.random() < self.failure_rate:
                pool = self.random_faults or self.transient_errors()
                return self._rng.choice(pool)
        return None

    async def _intercept(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        body = await request.body()
        record = RecordedRequest(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            at=time.monotonic(),
        )
        with self._lock:
            self.requests.append(record)
        fault = self._next_fault(request.url.path)
        if fault is None:
            return await call_next(request)
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        if fault.cut_at is not None:
            return await _cut(await call_next(request), fault.cut_at)
        return Response(
            fault.body, fault.status, headers=fault.headers, media_type=fault.content_type
        )

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, port: int = 0, host: str = "127.0.0.1", *, yield_cpu: bool = False) -> str:
        """Serve on a thread of this process. ``yield_cpu``: that thread, and the threads it
        starts for requests, run under SCHED_IDLE where Linux has it, so the stack under
        test takes a core from them whenever it wakes: a vendor's cloud does not run on
        the host's cores, and its stand-in should cost them as little as it can."""
        self.host = host
        with socket.socket() as sock:
            sock.bind((host, port))
            self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            host=host,
            port=self.port,
            log_level="warning",
            lifespan="off",
            loop="asyncio",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        server = self._server

        def serve() -> None:
            if yield_cpu and hasattr(os, "SCHED_IDLE"):
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            server.run()

        self._thread = threading.Thread(target=serve, name=f"fake-{self.vendor}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fake {self.vendor} did not start")
            time.sleep(0.01)
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class _CutOff(Exception):
    """Ends a cut answer: the server closes the connection with its body unfinished."""


async def _cut(answer: Response, at: int) -> Response:
    """``answer`` declaring its whole length, sending ``at`` bytes of its body, then failing:
    the server (uvicorn) drops the connection, as a vendor's broken-off answer reaches a client."""
    body = b"".join([chunk async for chunk in answer.body_iterator])  # type: ignore[attr-defined]
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
    headers["content-length"] = str(len(body))

    async def part() -> Any:
        yield body[:at]
        raise _CutOff(f"answer cut after {at} of {len(body)} bytes")

    return StreamingResponse(part(), answer.status_code, headers=headers)


def json_fault(
    status: int,
    payload: dict[str, Any],
    *,
    retry_after: float | None = None,
    headers: dict[str, str] | None = None,
) -> Fault:
    all_headers = dict(headers or {})
    if retry_after is not None:
        all_headers["retry-after"] = f"{retry_after:g}"
    return Fault(status=status, body=json.dumps(payload).encode(), headers=all_headers)


def serve_forever(fake: FakeServer, port: int, host: str = "127.0.0.1") -> None:
    """Run a fake in the foreground (``python -m tests.fakes VENDOR``)."""
    fake.start(port, host)
    print(f"fake {fake.vendor} listening on {fake.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
