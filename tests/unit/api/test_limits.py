from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from api.limits import BodySizeLimit


def _app(limit: int) -> TestClient:
    app = FastAPI()

    @app.post("/upload")
    @app.post("/v1/audio/transcriptions")
    async def upload(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    app.add_middleware(BodySizeLimit, max_body_bytes=limit, max_file_mb=0.001)
    return TestClient(app)


def test_body_within_the_limit_reaches_the_route() -> None:
    response = _app(1000).post("/upload", content=b"x" * 1000)

    assert response.json() == {"received": 1000}


def test_declared_length_over_the_limit_is_refused_with_413() -> None:
    response = _app(1000).post("/upload", content=b"x" * 1001)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_streamed_body_over_the_limit_is_refused_with_413() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 500

    response = _app(1000).post("/upload", content=chunks())

    assert response.status_code == 413
    assert "limit" in response.json()["error"]["message"]


def test_get_requests_are_not_limited() -> None:
    assert _app(1).get("/upload").status_code == 405


def test_an_oversized_upload_to_an_openai_route_is_refused_in_openais_error_shape() -> None:
    # Before, this one refusal of the OpenAI-compatible routes lacked `type` and `param`.
    response = _app(1000).post("/v1/audio/transcriptions", content=b"x" * 1001)

    assert response.status_code == 413
    error = response.json()["error"]
    assert (error["code"], error["type"], error["param"]) == (
        "too_large",
        "invalid_request_error",
        None,
    )
    assert "limit" in error["message"]
