"""Every error leaves the API as ``{"error": {"code", "message"}}`` with a 4xx/5xx status."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from kombu.exceptions import OperationalError
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope, Send

from api.field_problems import problem_text
from api.openai_compat.unoffered import OPENAI_ONLY_PATHS, not_offered
from api.response_headers import request_id_of
from shared.errors import JobNotFound, MediaRejected, StorageUnavailable, VoicePipeError
from shared.models import ErrorInfo

log = logging.getLogger("voicepipe.api")


class ApiError(VoicePipeError):
    """An error with its HTTP status, raised by routes."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code
        self.headers = headers
        # The request field at fault, for OpenAI's error shape (its `param`).
        self.param = param


class ErrorDetail(ErrorInfo):
    # Absent where no single field is at fault; a client finds the field without parsing
    # the message, as OpenAI's shape gives it on the compatible routes.
    param: str | None = Field(
        default=None, description="The request field at fault, where the refusal names one."
    )


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx answer: a stable ``code``, a ``message`` for people and,
    where one field is at fault, its name in ``param``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status is documented as answering an ErrorBody, a 503
    with the Retry-After it always carries."""
    return {status: _documented(status) for status in statuses}


def _documented(status: int) -> dict[str, Any]:
    if status != 503:
        return {"model": ErrorBody}
    retry_after = {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
    return {"model": ErrorBody, "headers": {"Retry-After": retry_after}}


def _documented_methods(request: Request) -> str | None:
    """The methods the OpenAPI document lists for the request's path, if it lists the path.

    Starlette names only the methods of the first route whose path matches, but one
    resource's methods are spread over several routes (GET and DELETE /v1/jobs/{id})."""
    segments = request.url.path.rstrip("/").split("/")
    for template, item in request.app.openapi()["paths"].items():
        parts = template.rstrip("/").split("/")
        if len(parts) == len(segments) and all(
            part == segment or (part.startswith("{") and part.endswith("}"))
            for part, segment in zip(parts, segments, strict=True)
        ):
            return ", ".join(sorted(method.upper() for method in item))
    return None


BROKER_UNAVAILABLE = (
    "The job store and queue (the broker) are not reachable; try again in a few seconds."
)

# A broker that answers but refuses to write: full (at maxmemory, with no eviction, as a job
# store must run) or a replica (READONLY: a managed Redis failing over, the client still on
# the demoted primary). Reads still work. Each was a plain-text 500 on the routes that write
# without a mapping of their own (DELETE, reviews), and "not reachable" on submissions,
# which sends an operator to look at the network.
BROKER_REFUSALS: dict[type[redis.RedisError], str] = {
    redis.exceptions.OutOfMemoryError: (
        "The job store (the broker) is full: at its memory limit it refuses to write. "
        "Try again later."
    ),
    redis.exceptions.ReadOnlyError: (
        "The job store (the broker) is read-only (a replica, or failing over). "
        "Try again in a few seconds."
    ),
}


# A database index the server does not have (it has 16 unless configured otherwise, and only
# it knows, so the settings cannot refuse one): every command fails at its connection's
# SELECT. Each route was a 500 "unexpected error" that named nothing to fix.
NO_SUCH_DATABASE = (
    "The broker has no database of the index VOICEPIPE_BROKER__URL names (its server's "
    "`databases` setting, 16 by default, is the limit): fix the URL or the server."
)


def broker_refusal(exc: BaseException) -> str | None:
    """What a broker that refused to write (or to use the URL's database) said, if ``exc``
    (or what caused it) is such a refusal; None otherwise."""
    seen: BaseException | None = exc
    while seen is not None:
        for kind, message in BROKER_REFUSALS.items():
            if isinstance(seen, kind):
                return message
        if isinstance(seen, redis.ResponseError) and "DB index is out of range" in str(seen):
            return NO_SUCH_DATABASE
        seen = seen.__cause__ or seen.__context__
    return None


def job_store_unavailable(exc: BaseException, unreachable: str, made: str) -> ApiError:
    """The 503 of a submission the job store did not take (``exc``): what a broker that
    refused to write said, then ``made`` (what became of the submission); ``unreachable``
    where it could not be reached."""
    refused = broker_refusal(exc)
    message = f"{refused} {made}" if refused else unreachable
    return ApiError(503, "job_store_unavailable", message)


async def refuse_before_the_app(
    scope: Scope, send: Send, status: int, code: str, message: str
) -> None:
    """Answer a request the app never saw (a middleware's refusal), in the shape its route
    answers (OpenAI's on /v1/audio/...), counted in /metrics like the app's own refusals,
    and close its connection: its body was not read to the end."""
    await count_refusal(Request(scope), status, code)
    body = json.dumps(body_for(scope["path"], status, code, message)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# Every 503 says when to try again (Retry-After, RFC 9110): clients, our CLI and OpenAI's SDKs
# wait that long instead of at once, or with a guess of their own. A broker restart takes a
# second or two and the API's broker budget is 3 s; a store found down says its own wait
# (StorageUnavailable.retry_after_s, api/storage_guard.py).
RETRY_AFTER_S = 5


def retry_after(exc: BaseException | None = None) -> dict[str, str]:
    """The Retry-After header of a 503 caused by ``exc``."""
    seconds = exc.retry_after_s if isinstance(exc, StorageUnavailable) else RETRY_AFTER_S
    return {"Retry-After": str(seconds)}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


# The routes that answer as OpenAI's API does (api.openai_compat), errors included: the
# SDKs read `error.message` and raise their own class for each status.
_OPENAI_PATHS = ("/v1/audio/", "/v1/models", *OPENAI_ONLY_PATHS)
_OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def body_for(
    path: str, status: int, code: str, message: str, param: str | None = None
) -> dict[str, Any]:
    """The error body a request to ``path`` is answered with: OpenAI's shape on its routes,
    ours elsewhere (also for the refusals made before a route runs, api.limits)."""
    if path.startswith(_OPENAI_PATHS):
        fallback = "server_error" if status >= 500 else "invalid_request_error"
        kind = _OPENAI_TYPES.get(status, fallback)
        return {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return error_body(code, message) if param is None else error_body(code, message, param=param)


def _answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    param: str | None = None,
) -> JSONResponse:
    if status == 503 and not any(name.lower() == "retry-after" for name in headers or {}):
        headers = {**(headers or {}), **retry_after()}
    body = body_for(request.url.path, status, code, message, param)
    return JSONResponse(body, status, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path", "header"}]
    return ".".join(parts) or "request"


# Submissions whose refusals are counted for /metrics (voicepipe_intake_rejections).
# Where submissions come in: the OpenAI-compatible calls make jobs too.
_INTAKE_PATHS = frozenset(
    {"/v1/jobs", "/v1/batches", "/v1/audio/transcriptions", "/v1/audio/speech"}
)


async def count_refusal(request: Request, status: int, code: str) -> None:
    """Count a 4xx answer to a submission; counting never turns a refusal into a 500."""
    if not (400 <= status < 500 and request.method == "POST"):
        return
    if request.url.path.rstrip("/") not in _INTAKE_PATHS:
        return
    services = getattr(request.app.state, "services", None)
    if services is None:
        return
    try:
        await run_in_threadpool(services.refusals.count_rejection, code)
    except Exception:
        log.warning("counting a %s refusal failed", code, exc_info=True)


def _sent_json(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def _openai_invalid(
    request: Request, exc: RequestValidationError, message: str
) -> JSONResponse:
    """A request OpenAI would refuse, refused as it does: 400 (its SDKs raise BadRequestError,
    not UnprocessableEntityError) naming the field at fault, or none for unreadable JSON."""
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        await count_refusal(request, 400, "invalid_json")
        text = "The body is not valid JSON: send a JSON object of the call's fields."
        return _answer(request, 400, "invalid_json", text)
    field = _field_name(first.get("loc", ()))
    param = None if field == "request" else field
    await count_refusal(request, 400, "invalid_value")
    return _answer(request, 400, "invalid_value", message, param=param)


# The inbox's pages (api/web) are read by people in a browser: a dependency that is down is
# an HTML page there, not a JSON body.
_PAGES = "/inbox"


def _unavailable(
    request: Request, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    if not request.url.path.startswith(_PAGES):
        return _answer(request, 503, code, message, headers)
    # Imported here: the pages' modules import this one (their routes raise ApiError).
    from api.web.pages import unavailable_page

    return unavailable_page(request.url.path, message, headers or retry_after())


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        await count_refusal(request, exc.status_code, exc.code)
        return _answer(request, exc.status_code, exc.code, exc.message, exc.headers, exc.param)

    @app.exception_handler(MediaRejected)
    async def _media(request: Request, exc: MediaRejected) -> JSONResponse:
        status = exc.status_code
        if status in (415, 422) and request.url.path.startswith(_OPENAI_PATHS):
            # OpenAI answers a file it cannot use (wrong format, too short, damaged) with
            # 400, so its SDKs raise BadRequestError; a 415 or 422 would raise another class
            # than the one code written for OpenAI catches. The code says which it was.
            status = 400
        await count_refusal(request, status, exc.code)
        return _answer(request, status, exc.code, exc.message)

    @app.exception_handler(redis.ConnectionError)
    @app.exception_handler(redis.TimeoutError)
    @app.exception_handler(OperationalError)
    async def _broker_down(request: Request, exc: Exception) -> Response:
        # Any route's broker call that failed within the API's budget (shared.redis_keys.
        # connect_within): was a 500 with a plain-text body, after the stores' ~19 s of
        # retries (or ~95 s when the broker accepted connections but did not answer).
        log.warning("broker not reachable for %s %s: %r", request.method, request.url.path, exc)
        return _unavailable(request, "broker_unavailable", BROKER_UNAVAILABLE)

    @app.exception_handler(redis.exceptions.OutOfMemoryError)
    @app.exception_handler(redis.exceptions.ReadOnlyError)
    @app.exception_handler(redis.ResponseError)
    async def _broker_refused(request: Request, exc: Exception) -> Response:
        if broker_refusal(exc) is None:
            raise exc  # another error answer (a bug): the last resort's 500 and traceback
        # An error, not a warning: the broker will not recover by itself from being full.
        log.error("broker refused a write for %s %s: %s", request.method, request.url.path, exc)
        message = broker_refusal(exc) or BROKER_UNAVAILABLE
        return _unavailable(request, "broker_unavailable", message)

    @app.exception_handler(StorageUnavailable)
    async def _storage_down(request: Request, exc: StorageUnavailable) -> Response:
        # Any route's storage call (a recording, a transcript, an export's objects): was a
        # plain-text 500 with boto3's traceback in the log.
        log.warning("storage not reachable for %s %s: %s", request.method, request.url.path, exc)
        return _unavailable(request, exc.code, exc.message, retry_after(exc))

    @app.exception_handler(JobNotFound)
    async def _not_found(request: Request, exc: JobNotFound) -> JSONResponse:
        return _answer(request, 404, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            problems.append(f"{_field_name(err.get('loc', ()))}: {problem_text(err)}")
        message = "The request is not valid: " + "; ".join(problems)
        if request.url.path.startswith(_OPENAI_PATHS):
            return await _openai_invalid(request, exc, message)
        await count_refusal(request, 422, "invalid_request")
        return _answer(request, 422, "invalid_request", message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's last resort, outside every middleware, for what no handler took (a
        # bug). It answered plain text, "Internal Server Error", where a client of this API
        # reads {"error": ...} and an OpenAI SDK reads error.message. The body says nothing
        # of the exception (a path, a key or a caller's words may be in it), only a
        # reference; the server logs the traceback as Starlette re-raises it, just after
        # this line with the same reference. The inbox's pages have their own 500 page
        # (api.web.failures).
        # The answer's X-Request-Id, which an OpenAI SDK shows on the error it raises.
        reference = request_id_of(request.scope)
        # The path only: a query string may hold a search's words.
        log.error(
            "unexpected error answering %s %s (reference %s): %s",
            request.method,
            request.url.path,
            reference,
            type(exc).__name__,
        )
        message = (
            f"An unexpected error on the server (reference {reference}); nothing in the "
            "request is known to have caused it. Try again; if it happens again, give whoever "
            "runs this VoicePipe the reference, which its log shows beside the error."
        )
        return _answer(request, 500, "internal_error", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        message = str(exc.detail)
        if exc.status_code == 400 and _sent_json(request):
            # FastAPI reads a JSON body itself: malformed JSON is a validation error, but
            # one nested past the parser's recursion limit ("[" * 100000) lands here.
            code = "invalid_json"
            message = (
                "The body could not be read as JSON (nested too deeply): send a JSON object "
                "of the call's fields."
            )
        elif exc.status_code == 404 and exc.detail == "Not Found":
            message = not_offered(request.method, request.url.path) or message
        elif exc.status_code == 400:
            # Starlette's form parser: malformed multipart, a part header over its 4 KB limit
            # (e.g. a very long file name) or a text field over 1 MB.
            message = (
                f"The form could not be read ({exc.detail}). Send multipart/form-data with "
                "the recording in the field 'file', a short file name and short text fields."
            )
        headers = getattr(exc, "headers", None)
        allowed = _documented_methods(request) if exc.status_code == 405 else None
        if allowed is not None:
            headers = {**(headers or {}), "Allow": allowed}
        await count_refusal(request, exc.status_code, code)
        return _answer(request, exc.status_code, code, message, headers)
