"""The usage ledger on the running stack: real jobs through the offline engines report the
audio they transcribed, the CPU each stage's worker spent and the characters spoken, and a
batch's usage is the sum of its jobs'."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal
from typing import Any

import pytest

from shared.language.said_numbers import said_numbers
from tests import audio_factory as af
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

SCRIPT = "Hi, this is Ana Lopez. My heater stopped working. Please call me back at 713 555 0182."
FIGURES = ("audio_s", "input_tokens", "output_tokens", "characters", "cpu_s", "cost")


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


def _get(stack: RunningStack, path: str, **params: str) -> Any:
    response = stack.http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _batch_of(stack: RunningStack, parts: list[tuple[str, bytes]], **fields: str) -> str:
    files = [("file", (name, data)) for name, data in parts]
    response = stack.http.post("/v1/batches", files=files, data=fields)
    assert response.status_code == 202, response.text
    batch_id: str = response.json()["id"]
    deadline = time.monotonic() + 180
    while _get(stack, f"/v1/batches/{batch_id}")["status"] not in {"completed", "canceled"}:
        assert time.monotonic() < deadline, f"batch {batch_id} did not complete"
        time.sleep(0.25)
    return batch_id


def test_a_local_job_reports_its_audio_seconds_cpu_seconds_and_characters_spoken(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    files = {"file": ("voicemail.wav", voicemail_wav, "audio/wav")}
    created = running_stack.http.post("/v1/jobs", files=files).json()
    job: dict[str, Any] = running_stack.wait(created["id"])
    assert job["status"] == "succeeded", job.get("error")

    usage = _get(running_stack, f"/v1/jobs/{job['id']}/usage")
    cpu = {line["stage"]: line["quantity"] for line in usage["lines"] if line["meter"] == "cpu_s"}

    assert usage["totals"]["audio_s"] == round(job["input"]["duration_s"], 3) > 0
    # The voice is billed for what it is handed: the reply with its callback number spelled
    # out (workers/tts.py), longer than the reply as stored, which keeps it in digits.
    spoken = said_numbers(job["results"]["reply"], running_stack.settings.local.default_region)
    assert usage["totals"]["characters"] == len(spoken) > len(job["results"]["reply"])
    assert set(cpu) == {"stt", "llm", "tts"}
    assert all(seconds > 0 for seconds in cpu.values()), cpu
    for stage, seconds in cpu.items():
        assert job["stages"][stage]["cpu_s"] == seconds
    # The offline engines cost no vendor anything, and CPU is unpriced by default.
    assert usage["totals"]["cost"] == 0.0
    assert all(line["engine"] == "local" for line in usage["lines"])

    window: dict[str, str] = {"from": job["created_at"], "to": job["finished_at"]}
    by_provider = _get(running_stack, "/v1/usage", group_by="provider", **window)
    stt = next(r for r in by_provider["rows"] if (r["stage"], r["engine"]) == ("stt", "local"))
    assert stt["audio_s"] >= usage["totals"]["audio_s"]
    latency = _get(running_stack, "/v1/usage/latency", **window)
    runs = {(r["stage"], r["provider"]) for r in latency["rows"] if r["phase"] == "run"}
    assert {("stt", "local"), ("llm", "local"), ("tts", "local")} <= runs


def test_a_batchs_usage_is_the_sum_of_its_jobs_figures_on_the_running_stack(
    running_stack: RunningStack,
) -> None:
    parts = [(f"u{i}.wav", af.encode("wav", 1.0 + i / 3, seed=40 + i)) for i in range(3)]
    batch_id = _batch_of(running_stack, parts, stages="stt")

    total = _get(running_stack, f"/v1/batches/{batch_id}/usage")["totals"]
    export = running_stack.http.get(f"/v1/batches/{batch_id}/results", params={"format": "csv"})
    table = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    each = [_get(running_stack, f"/v1/jobs/{row['job_id']}/usage")["totals"] for row in table]

    assert total["jobs"] == len(table) == 3
    assert total["audio_s"] > 0
    for figure in FIGURES:
        from_jobs = sum((Decimal(str(job[figure])) for job in each), Decimal(0))
        from_export = sum((Decimal(row[f"usage_{figure}"]) for row in table), Decimal(0))
        assert Decimal(str(total[figure])) == from_jobs == from_export, figure
