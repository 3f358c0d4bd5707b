"""A request body that stops arriving is answered 408, and a client that hangs up
mid-body ends its request quietly (api.body_timeout)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from fastapi import FastAPI, Request
from starlette.types import Message

from api.body_timeout import BodyIdleTimeout

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/jobs")
    @app.post("/v1/audio/transcriptions")
    async def upload(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    # Inside Starlette's error middleware, as api.main installs it.
    app.add_middleware(BodyIdleTimeout, idle_s=0.2)
    return app


async def _call(path: str, *messages: Message, then_wait: bool) -> list[Message]:
    """The app's answer to a body of ``messages``, after which the client either waits
    (sends nothing more) or hangs up."""
    queue = list(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then_wait:
            await asyncio.Event().wait()  # a client that declared more than it sent
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"content-length", b"2000000")],
    }
    await asyncio.wait_for(_app()(scope, receive, send), timeout=10)
    return sent


def _answer(sent: list[Message]) -> tuple[int, dict[str, object]]:
    return sent[0]["status"], json.loads(sent[-1]["body"])


async def test_a_body_that_stops_arriving_is_answered_408() -> None:
    sent = await _call(
        "/v1/jobs", {"type": "http.request", "body": b"x" * 1000, "more_body": True}, then_wait=True
    )

    status, body = _answer(sent)
    assert status == 408
    assert body["error"]["code"] == "request_timeout"  # type: ignore[index]
    assert (b"connection", b"close") in sent[0]["headers"]


async def test_a_stalled_body_on_an_openai_route_is_refused_in_openais_shape() -> None:
    sent = await _call(
        "/v1/audio/transcriptions",
        {"type": "http.request", "body": b"x", "more_body": True},
        then_wait=True,
    )

    status, body = _answer(sent)
    assert status == 408
    assert body["error"]["type"] == "invalid_request_error"  # type: ignore[index]


async def test_a_body_that_keeps_arriving_reaches_the_route() -> None:
    chunks: list[Message] = [
        {"type": "http.request", "body": b"x" * 100, "more_body": True} for _ in range(3)
    ]
    chunks.append({"type": "http.request", "body": b"", "more_body": False})

    sent = await _call("/v1/jobs", *chunks, then_wait=True)

    assert _answer(sent) == (200, {"received": 300})


async def test_a_client_that_hangs_up_mid_body_ends_its_request_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="voicepipe.api")

    sent = await _call(
        "/v1/jobs", {"type": "http.request", "body": b"x", "more_body": True}, then_wait=False
    )

    assert sent == []  # nobody to answer
    assert "hung up" in caplog.text
