"""A small HTTP client of the VoicePipe API, used by the CLI and the demo."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

TERMINAL = {"succeeded", "failed", "canceled"}
STAGE_NAMES = ("stt", "llm", "tts")


class ApiClientError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class VoicePipeClient:
    def __init__(
        self, base_url: str, *, api_key: str | None = None, timeout_s: float = 60.0
    ) -> None:
        # No key: the embedded stack on loopback serves everyone as tenant "default".
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s, headers=headers)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> VoicePipeClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        try:
            err = response.json()["error"]
            code, message = str(err["code"]), str(err["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "http_error", response.text[:200]
        raise ApiClientError(response.status_code, code, message)

    def healthy(self) -> bool:
        try:
            return self.http.get("/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def submit(self, path: Path, **options: str) -> dict[str, Any]:
        fields = {k: v for k, v in options.items() if v}
        with path.open("rb") as handle:
            response = self.http.post("/v1/jobs", files={"file": (path.name, handle)}, data=fields)
        body: dict[str, Any] = self._check(response).json()
        return body

    def job(self, job_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self._check(self.http.get(f"/v1/jobs/{job_id}")).json()
        return body

    def reply_audio(self, job_id: str) -> bytes:
        return self._check(self.http.get(f"/v1/jobs/{job_id}/reply")).content

    def wait(
        self,
        job_ids: Iterable[str],
        *,
        timeout_s: float = 600.0,
        poll_s: float = 0.5,
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Poll until every job is terminal; ``on_change`` sees each new job version."""
        pending = list(job_ids)
        latest: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout_s
        while pending:
            for job_id in list(pending):
                job = self.job(job_id)
                if latest.get(job_id, {}).get("updated_at") != job["updated_at"]:
                    latest[job_id] = job
                    if on_change:
                        on_change(job)
                if job["status"] in TERMINAL:
                    pending.remove(job_id)
            if pending:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(pending)} job(s) not finished after {timeout_s} s")
                time.sleep(poll_s)
        return latest


def stages_done(job: dict[str, Any]) -> int:
    """How many of the job's stages are behind it (for progress bars)."""
    if job["status"] in TERMINAL:
        return len(job["stages"])
    return sum(1 for rec in job["stages"].values() if rec["status"] == "succeeded")
