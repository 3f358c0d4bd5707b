"""What the VoicePipe API's answers look like to the CLI: the statuses that end a watch,
the fields a job's and a batch's answer must carry, and the error a refusal or another
server's answer becomes."""

from __future__ import annotations

from typing import Any

import httpx

TERMINAL = {"succeeded", "failed", "canceled"}
BATCH_TERMINAL = {"completed", "canceled"}
# Answers that mean "briefly away" (a broker stall, a proxy before a restarting API): a
# watch waits them out, as a refused connection.
PASSING_STATUS = {429, 502, 503, 504}
# The fields of a job's and a batch's answer the CLI reads, each with the type it reads it
# as: a 200 answer without them is some other server's, said so rather than as a KeyError.
JOB_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "status": str,
    "stages": dict,
    "results": dict,
    "updated_at": str,
}
BATCH_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "status": str,
    "items": (int, type(None)),
    "rejected": int,
    "progress": (int, float, type(None)),
    "eta_s": (int, float, type(None)),
    "counts": dict,
    "running_by_stage": dict,
    "failed_by_code": dict,
    "rejected_by_code": dict,
}
# What the API declares each export as.
EXPORT_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}


class ApiClientError(Exception):
    def __init__(
        self, status: int, code: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        # Seconds, from the answer's Retry-After (a 429 or 503 may say when to come back).
        self.retry_after = retry_after


def check_export_type(response: httpx.Response, fmt: str) -> None:
    """A results answer of another type (a proxy's sign-in page, another service) would be
    written as the table, and the command end as if it had exported it."""
    declared = response.headers.get("content-type")
    if declared is None or declared.split(";")[0].strip().lower() == EXPORT_TYPES[fmt]:
        return
    raise ApiClientError(
        response.status_code,
        "not_voicepipe",
        f"{response.url} answered {response.status_code} with {declared}, not the VoicePipe "
        f"API's {fmt} export: check --url (or VOICEPIPE_API__PUBLIC_URL)",
    )


def retry_after_s(response: httpx.Response) -> float | None:
    """Retry-After in seconds (its HTTP-date form is not worth the parsing here)."""
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def stages_done(job: dict[str, Any]) -> int:
    """How many of the job's stages are behind it (for progress bars)."""
    if job["status"] in TERMINAL:
        return len(job["stages"])
    return sum(1 for rec in job["stages"].values() if rec["status"] == "succeeded")
