"""A small HTTP client of the VoicePipe API, used by the CLI and the demo."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, cast

import httpx

from api.cli.answers import (
    BATCH_FIELDS,
    JOB_FIELDS,
    PASSING_STATUS,
    TERMINAL,
    ApiClientError,
    check_export_type,
    retry_after_s,
)
from api.cli.upload_files import Counted, allow_open_files, form_value

# The error every method raises, importable beside the client that raises it.
__all__ = ["ApiClientError", "VoicePipeClient"]

# The server stores every part before it answers: a big batch takes a while to acknowledge.
BATCH_UPLOAD_READ_TIMEOUT_S = 900.0
# How long a job watch waits out an answer of PASSING_STATUS or a refused connection.
AWAY_GIVE_UP_S = 60.0


class VoicePipeClient:
    def __init__(
        self, base_url: str, *, api_key: str | None = None, timeout_s: float = 60.0
    ) -> None:
        # No key: the embedded stack on loopback serves everyone as tenant "default".
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout_s = timeout_s
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
        # A path nothing serves: the API's own "not_found" (a missing job is job_not_found)
        # or another server's page.
        hint = self._v1_hint() if response.status_code == 404 else ""
        try:
            err = response.json()["error"]
            code, message = str(err["code"]), str(err["message"])
            message += hint if code == "not_found" else ""
        except (ValueError, KeyError, TypeError):
            # Not the API's own refusal (a proxy's page, an empty 401): the status and the
            # address are then all that tells the user where the answer came from.
            body = " ".join(response.text.split())[:200]
            code = "http_error"
            message = f"{response.url} answered {response.status_code} {response.reason_phrase}"
            message += hint + (f": {body}" if body else "")
        raise ApiClientError(response.status_code, code, message, retry_after_s(response))

    def _v1_hint(self) -> str:
        """A base URL ending in /v1 (copied from the docs' paths) asks for /v1/v1/…, which
        nothing serves; every path this client asks for starts with /v1 already."""
        base = str(self.http.base_url).rstrip("/")
        if not base.endswith("/v1"):
            return ""
        root = base.removesuffix("/v1")
        return (
            f" (the API's URL {base} ends in /v1: drop the /v1, giving --url or "
            f"VOICEPIPE_API__PUBLIC_URL as {root})"
        )

    def _json(
        self, response: httpx.Response, fields: Mapping[str, type | tuple[type, ...]] | None = None
    ) -> dict[str, Any]:
        """The answer's JSON object, with the ``fields`` its reader reads; any other body
        means --url names some other server (a proxy's default page, another service), said
        so rather than as a traceback."""
        self._check(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            kind = response.headers.get("content-type", "no content type")
            raise ApiClientError(
                response.status_code,
                "not_voicepipe",
                f"{response.url} answered {response.status_code} with {kind}, not the "
                "VoicePipe API's JSON: check --url (or VOICEPIPE_API__PUBLIC_URL)",
            )
        # Present, and of its type: null is a value of some ("progress" before any item).
        odd = [n for n, kind in (fields or {}).items() if not isinstance(body.get(n, ...), kind)]
        if odd:
            raise ApiClientError(
                response.status_code,
                "not_voicepipe",
                f"{response.url} answered {response.status_code} with JSON lacking "
                f"{', '.join(odd)} as the VoicePipe API gives them: check --url (or "
                "VOICEPIPE_API__PUBLIC_URL)",
            )
        return body

    def healthy(self) -> bool:
        try:
            return self.http.get("/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def submit(
        self,
        path: Path,
        name: str | None = None,
        idempotency_key: str | None = None,
        **options: str,
    ) -> dict[str, Any]:
        """One job; ``name`` is the file name sent (default: the file's own)."""
        fields = {k: v for k, v in options.items() if v}
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        with path.open("rb") as handle:
            part = (name or path.name, handle)
            response = self.http.post(
                "/v1/jobs", files={"file": part}, data=fields, headers=headers
            )
        body = self._json(response, JOB_FIELDS)
        body["replayed"] = response.headers.get("idempotent-replayed") == "true"
        return body

    def engines(self) -> dict[str, list[str]] | None:
        """The providers the server runs, each with its stages (GET /v1/models lists them as
        ``voicepipe-<name>``); None when it does not say (an older server, a proxy, an
        outage): the upload's own refusal then decides."""
        try:
            body = self._json(self.http.get("/v1/models"), {"data": list})
        except (ApiClientError, httpx.HTTPError):
            return None
        found: dict[str, list[str]] = {}
        for card in body["data"]:
            name = card.get("id") if isinstance(card, dict) else None
            if isinstance(name, str) and name.startswith("voicepipe-"):
                found[name.removeprefix("voicepipe-")] = list(card.get("stages") or [])
        return found

    def job(self, job_id: str) -> dict[str, Any]:
        body = self._json(self.http.get(f"/v1/jobs/{job_id}"), JOB_FIELDS)
        return body

    def retry_job(self, job_id: str) -> dict[str, Any]:
        return self._json(self.http.post(f"/v1/jobs/{job_id}/retry"), JOB_FIELDS)

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        return self._json(self.http.post(f"/v1/jobs/{job_id}/cancel"), JOB_FIELDS)

    def reply_audio(self, job_id: str) -> bytes:
        return self._check(self.http.get(f"/v1/jobs/{job_id}/reply")).content

    def transcript(self, job_id: str, fmt: str) -> bytes:
        """The transcript as txt, json, srt or vtt."""
        url = f"/v1/jobs/{job_id}/transcript"
        return self._check(self.http.get(url, params={"format": fmt})).content

    def submit_batch(
        self,
        paths: Sequence[Path],
        names: Mapping[Path, str] | None = None,
        idempotency_key: str | None = None,
        sent: Callable[[int], None] | None = None,
        **options: str | bool | int | None,
    ) -> dict[str, Any]:
        """One multipart request with a `file` part per path, sent by its name in ``names``
        (default: the file's own, which the export shows as its source); ``options`` apply to
        every item; ``sent`` is told of each chunk of the files read for sending (a negative
        count when a retry reads a file again from its start).

        httpx reads each open file in chunks as it sends, so memory stays flat whatever the
        batch's size; every file is open for the request's duration, hence the fd limit."""
        fields = {k: form_value(v) for k, v in options.items() if v is not None and v != ""}
        allow_open_files(len(paths))
        timeout = httpx.Timeout(
            self.timeout_s, read=max(self.timeout_s, BATCH_UPLOAD_READ_TIMEOUT_S)
        )
        with ExitStack() as opened:
            named = names or {}
            # What httpx calls of a file (read, seek, tell, fileno), counted on the way.
            files = [
                ("file", (named.get(p, p.name), cast(IO[bytes], Counted(handle, sent))))
                for p in paths
                for handle in (opened.enter_context(p.open("rb")),)
            ]
            headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
            response = self.http.post(
                "/v1/batches", files=files, data=fields, timeout=timeout, headers=headers
            )
        body = self._json(response, {"id": str})
        # 200, not 202: the batch an earlier request with the same key made.
        body["replayed"] = response.headers.get("idempotent-replayed") == "true"
        return body

    def batch(self, batch_id: str) -> dict[str, Any]:
        body = self._json(self.http.get(f"/v1/batches/{batch_id}"), BATCH_FIELDS)
        return body

    def batch_jobs(
        self, batch_id: str, status: str | None = None, cursor: int = -1, limit: int = 100
    ) -> dict[str, Any]:
        """One page of the batch's jobs in item order: ``{"jobs", "next_cursor"}``."""
        params: dict[str, str | int] = {"cursor": cursor, "limit": limit}
        if status:
            params["status"] = status
        url = f"/v1/batches/{batch_id}/jobs"
        body = self._json(self.http.get(url, params=params))
        return body

    def all_batch_jobs(self, batch_id: str, status: str | None = None) -> Iterator[dict[str, Any]]:
        """Every job of the batch in item order, a page at a time."""
        cursor: int | None = -1
        while cursor is not None:
            page = self.batch_jobs(batch_id, status=status, cursor=cursor, limit=500)
            yield from page["jobs"]
            cursor = page["next_cursor"]

    def cancel_batch(self, batch_id: str) -> dict[str, Any]:
        body = self._json(self.http.post(f"/v1/batches/{batch_id}/cancel"))
        return body

    def retry_batch(self, batch_id: str) -> dict[str, Any]:
        body = self._json(self.http.post(f"/v1/batches/{batch_id}/retry"), BATCH_FIELDS)
        return body

    def export_batch(self, batch_id: str, fmt: str, dest: Path | IO[bytes]) -> int:
        """Stream the results (csv or jsonl) into ``dest``; return the bytes written.

        A file is written beside its final name and renamed at the end, so an interrupted
        export never leaves a truncated table that looks complete."""
        url = f"/v1/batches/{batch_id}/results"
        with self.http.stream("GET", url, params={"format": fmt}) as response:
            if not response.is_success:
                response.read()
                self._check(response)
            check_export_type(response, fmt)
            if not isinstance(dest, Path):
                return _copy(response, dest)
            partial = dest.with_name(f".{dest.name}.part")
            try:
                with partial.open("wb") as out:
                    written = _copy(response, out)
                partial.replace(dest)
            finally:
                partial.unlink(missing_ok=True)
        return written

    def result_rows(self, batch_id: str) -> Generator[dict[str, Any]]:
        """The batch's export rows (its JSONL), each as it arrives: a caller that has what it
        wanted stops reading, and the rest is not downloaded."""
        url = f"/v1/batches/{batch_id}/results"
        with self.http.stream("GET", url, params={"format": "jsonl"}) as response:
            if not response.is_success:
                response.read()
                self._check(response)
            check_export_type(response, "jsonl")
            for line in response.iter_lines():
                if line.strip():
                    yield json.loads(line)

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
        away_since: float | None = None
        while pending:
            for job_id in list(pending):
                try:
                    job = self.job(job_id)
                    away_since = None
                except (httpx.TransportError, ApiClientError) as exc:
                    # As the batch watch: a restart or a broker stall is waited out.
                    if isinstance(exc, ApiClientError) and exc.status not in PASSING_STATUS:
                        raise
                    away_since = away_since or time.monotonic()
                    if time.monotonic() - away_since > AWAY_GIVE_UP_S:
                        raise
                    break
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


def _copy(response: httpx.Response, out: IO[bytes]) -> int:
    written = 0
    for chunk in response.iter_bytes():
        out.write(chunk)
        written += len(chunk)
    out.flush()
    return written
