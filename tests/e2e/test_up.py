"""`voicepipe up`: the README's curl session against the running stack, then Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from shared.audio import decode_pcm16k
from tests import audio_factory as af

pytestmark = pytest.mark.integration


def _wait_ready(base: str, proc: subprocess.Popen[str], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "voicepipe up exited early"
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError("voicepipe up did not become ready")


def wait_announced(log: Path, proc: subprocess.Popen[str], timeout_s: float = 120) -> None:
    """Until `up` says the stack is up. /readyz answers before the workers consume their
    queues, which `up` waits for too: a signal sent between the two stops a start (exit
    130), not a running stack (exit 0)."""
    deadline = time.monotonic() + timeout_s
    while "VoicePipe is up" not in log.read_text():
        assert proc.poll() is None, "voicepipe up exited early"
        assert time.monotonic() < deadline, "voicepipe up did not say it was up"
        time.sleep(0.1)


def test_up_serves_jobs_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    base = f"http://127.0.0.1:{cli_env['VOICEPIPE_API__PORT']}"
    log = (tmp_path / "up.log").open("w")
    proc = subprocess.Popen(
        [voicepipe_bin, "up"], env=cli_env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_ready(base, proc)
        # Readiness of the API comes before the workers; submit anyway, as a user would.
        created = httpx.post(
            f"{base}/v1/jobs", timeout=30, files={"file": ("voicemail.wav", af.encode("wav", 2.0))}
        )
        assert created.status_code == 202
        job_id = created.json()["id"]
        for _ in range(600):
            job = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()
            if job["status"] in {"succeeded", "failed"}:
                break
            time.sleep(0.2)
        assert job["status"] == "succeeded", job
        audio = httpx.get(f"{base}/v1/jobs/{job_id}/reply", timeout=10)
        assert audio.headers["content-type"] == "audio/mpeg"
        assert len(decode_pcm16k(audio.content)) / 16000 >= 1.0
        wait_announced(tmp_path / "up.log", proc)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        log.close()

    assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz", timeout=2)
    output = (tmp_path / "up.log").read_text()
    assert "VoicePipe is up" in output
    assert "Stopping" in output
