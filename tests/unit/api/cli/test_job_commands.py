"""`voicepipe retry`, `voicepipe cancel` and `voicepipe fetch` of a job that has no outputs
(yet, or any more), against a fake client. A failed job's fetch named only the API's
`POST /v1/jobs/…/retry`, which the CLI had no command for; a running one's said "Poll the
job", with nothing in the CLI to poll it by."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import api.cli.batch_commands
from api.cli import main
from api.cli.client import ApiClientError
from shared.settings import reset_settings_cache

FAILED = (
    "Job job_1 failed (stt_failed: boom) before its transcript was made, so it has none. "
    "POST /v1/jobs/job_1/retry runs it again from its first unfinished stage, which helps "
    "where the cause has passed (an outage, a cancel), not where it is the recording's or "
    "the options'."
)
NOT_READY = (
    "The transcript of job job_1 is not ready yet (status: running). Poll the job until it "
    "has succeeded."
)


class Jobs:
    """GET, retry and cancel of one job, whose status moves through ``statuses``."""

    def __init__(self, *statuses: str) -> None:
        self.statuses = list(statuses)
        self.calls: list[str] = []
        self.error: ApiClientError | None = None
        self.waited: float | None = None
        self.interrupted = False  # Ctrl-C while waiting

    def __enter__(self) -> Jobs:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def _view(self, job_id: str) -> dict[str, Any]:
        return {"id": job_id, "status": self.statuses[0], "stages": {}, "results": {}}

    def job(self, job_id: str) -> dict[str, Any]:
        return self._view(job_id)

    def transcript(self, job_id: str, fmt: str) -> bytes:
        status = self.statuses[0]
        if status == "failed":
            raise ApiClientError(409, "job_failed", FAILED)
        if status != "succeeded":
            raise ApiClientError(409, "not_ready", NOT_READY)
        return b"Call me back.\n"

    def wait(self, job_ids: Sequence[str], *, timeout_s: float, **_: Any) -> dict[str, Any]:
        self.waited = timeout_s
        if self.interrupted:
            raise KeyboardInterrupt
        if len(self.statuses) == 1:
            raise TimeoutError(f"1 job(s) not finished after {timeout_s} s")
        self.statuses.pop(0)
        return {job_ids[0]: self._view(job_ids[0])}

    def retry_job(self, job_id: str) -> dict[str, Any]:
        self.calls.append(f"retry {job_id}")
        if self.error:
            raise self.error
        return {**self._view(job_id), "status": "queued"}

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        self.calls.append(f"cancel {job_id}")
        if self.error:
            raise self.error
        ended = self.statuses[0] in {"succeeded", "failed", "canceled"}
        return {**self._view(job_id), "status": self.statuses[0] if ended else "canceled"}


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Jobs]:
    client = Jobs("running")
    monkeypatch.setattr(api.cli.batch_commands, "open_client", lambda url, key: client)
    reset_settings_cache()
    yield client
    reset_settings_cache()


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_retry_runs_a_failed_job_again_and_says_how_to_follow_it(jobs: Jobs) -> None:
    result = _run("retry", "job_1")

    assert result.exit_code == 0, result.output
    assert jobs.calls == ["retry job_1"]
    assert "Retrying job_1" in result.output
    assert "voicepipe fetch job_1 --wait" in result.output


def test_retry_of_a_job_that_cannot_run_again_says_the_api_refusal(jobs: Jobs) -> None:
    jobs.error = ApiClientError(409, "not_retryable", "Job job_1 is succeeded; only failed …")

    result = _run("retry", "job_1")

    assert result.exit_code == 1
    assert "Error: not_retryable: Job job_1 is succeeded" in result.output


def test_cancel_cancels_an_unfinished_job(jobs: Jobs) -> None:
    result = _run("cancel", "job_1")

    assert result.exit_code == 0, result.output
    assert jobs.calls == ["cancel job_1"]
    assert "Canceled job_1" in result.output


def test_cancel_of_a_finished_job_says_it_had_already_ended(jobs: Jobs) -> None:
    jobs.statuses = ["succeeded"]

    result = _run("cancel", "job_1")

    assert result.exit_code == 0, result.output
    assert "job_1 had already ended (succeeded)" in result.output


def test_cancel_of_an_already_canceled_job_says_so_and_exits_0(jobs: Jobs) -> None:
    # The API answers a repeated cancel 200 with the job as it is, as it answered the first:
    # the CLI said "Canceled job_1." again, as if this call had canceled it.
    jobs.statuses = ["canceled"]

    result = _run("cancel", "job_1")

    assert result.exit_code == 0, result.output
    assert "job_1 was already canceled: nothing to cancel." in result.output
    assert "Canceled job_1" not in result.output
    assert jobs.calls == []


def test_cancel_of_a_job_that_another_caller_canceled_meanwhile_says_canceled(
    jobs: Jobs,
) -> None:
    jobs.statuses = ["running", "canceled"]
    jobs.job = lambda job_id: {**jobs._view(job_id), "status": jobs.statuses.pop(0)}  # type: ignore[method-assign]

    result = _run("cancel", "job_1")

    assert result.exit_code == 0, result.output
    assert jobs.calls == ["cancel job_1"]
    assert "Canceled job_1" in result.output


def test_cancel_of_an_unknown_job_says_the_api_refusal(jobs: Jobs) -> None:
    jobs.error = ApiClientError(404, "job_not_found", "No job job_1.")

    result = _run("cancel", "job_1")

    assert result.exit_code == 1
    assert "Error: job_not_found: No job job_1." in result.output


def test_fetch_of_a_failed_job_names_the_retry_command(jobs: Jobs, tmp_path: Path) -> None:
    jobs.statuses = ["failed"]

    result = _run("fetch", "job_1", "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert "job_failed: Job job_1 failed (stt_failed: boom)" in result.output
    assert "`voicepipe retry job_1` runs it again" in result.output
    assert "POST /v1" not in result.output


def test_fetch_of_a_running_job_names_the_wait_option(jobs: Jobs, tmp_path: Path) -> None:
    result = _run("fetch", "job_1", "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert "not_ready: The transcript of job job_1 is not ready yet (status: running)" in (
        result.output
    )
    assert "voicepipe fetch job_1 --wait" in result.output
    assert "Poll the job" not in result.output


def test_fetch_wait_waits_for_the_job_to_end_then_fetches(jobs: Jobs, tmp_path: Path) -> None:
    jobs.statuses = ["running", "succeeded"]

    result = _run("fetch", "job_1", "--wait", "--timeout", "30", "-o", str(tmp_path / "out"))

    assert result.exit_code == 0, result.output
    assert jobs.waited == 30
    assert (tmp_path / "out" / "transcript.txt").read_bytes() == b"Call me back.\n"


def test_fetch_wait_that_times_out_says_so_and_writes_nothing(jobs: Jobs, tmp_path: Path) -> None:
    result = _run("fetch", "job_1", "--wait", "--timeout", "5", "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert "job_1 has not ended after 5 s (status: running)" in result.output
    assert not (tmp_path / "out").exists()


def test_ctrl_c_during_fetch_wait_exits_130_and_says_the_command_that_waits_again(
    jobs: Jobs, tmp_path: Path
) -> None:
    jobs.interrupted = True
    out = tmp_path / "out"

    result = _run("fetch", "job_1", "--wait", "-o", str(out), "--url", "http://api.test:9000")

    assert result.exit_code == 130, result.output
    assert "Job job_1 keeps running" in result.output
    assert f"voicepipe fetch job_1 --wait -o {out} --url http://api.test:9000" in result.output
    assert not out.exists()
