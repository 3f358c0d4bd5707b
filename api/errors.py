"""Every error leaves the API as ``{"error": {"code", "message"}}`` with a 4xx/5xx status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import JobNotFound, MediaRejected, VoicePipeError
from shared.models import ErrorInfo


class ApiError(VoicePipeError):
    """An error with its HTTP status, raised by routes."""

    def __init__(
        self, status_code: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code
        self.headers = headers


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx answer: a stable ``code`` and a ``message`` for people."""

    error: ErrorInfo


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status is documented as answering an ErrorBody."""
    return {status: {"model": ErrorBody} for status in statuses}


def missing_file() -> ApiError:
    return ApiError(
        400, "missing_file", "No audio was sent: upload it as the multipart form field 'file'."
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path", "header"}]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), exc.status_code, headers=exc.headers)

    @app.exception_handler(MediaRejected)
    async def _media(_: Request, exc: MediaRejected) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), exc.status_code)

    @app.exception_handler(JobNotFound)
    async def _not_found(_: Request, exc: JobNotFound) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), 404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            field = _field_name(err.get("loc", ()))
            if err.get("type") == "missing" and field == "file":
                refused = missing_file()
                return JSONResponse(error_body(refused.code, refused.message), 400)
            problems.append(f"{field}: {err.get('msg', 'invalid')}")
        return JSONResponse(
            error_body("invalid_request", "The request is not valid: " + "; ".join(problems)),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        message = str(exc.detail)
        if exc.status_code == 400:
            # Starlette's form parser: malformed multipart, a part header over its 4 KB limit
            # (e.g. a very long file name) or a text field over 1 MB.
            message = (
                f"The form could not be read ({exc.detail}). Send multipart/form-data with "
                "the recording in the field 'file', a short file name and short text fields."
            )
        return JSONResponse(
            error_body(code, message),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )
