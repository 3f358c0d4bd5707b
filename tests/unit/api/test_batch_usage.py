"""A batch's usage is exactly the sum of its jobs' figures: as each job's own ledger gives
them, and as the results export lists them."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from shared.batches import Batch, BatchItem, ItemRejection, batch_job_id
from shared.batchstore import BatchStore
from shared.jobstore import JobStore
from shared.models import Job, Stage, Usage
from shared.redis_keys import connect
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.usage_factories import finished_job

FIGURES = ("audio_s", "input_tokens", "output_tokens", "characters", "cpu_s", "cost")


def _jobs(batch_id: str) -> list[Job]:
    """Jobs with figures that do not add up neatly in binary floating point."""
    shapes: list[dict[str, Any]] = [
        {"audio_s": 12.345, "cpu_s": (0.1234, 0.0007, 1.1111)},
        {
            "audio_s": 61.7,
            "providers": ("whisper", "claude", "openai"),
            "transcription": {"engine": "whisper", "model": "whisper-1"},
            "usage": Usage(input_tokens=1234, output_tokens=321, model="claude-sonnet-4-6"),
            "reply": "Thanks, we'll call you back. " * 7,
        },
        {
            "audio_s": 33.3,
            "providers": ("hybrid", "local", "elevenlabs"),
            "transcription": {"mode": "hybrid", "engines_used": ["whisper", "local"]},
            "cpu_s": (7.7777, 0.3333, None),
        },
        {"audio_s": 5.05, "failed_at": Stage.TTS},
        {"audio_s": 0.7, "failed_at": Stage.STT},
    ]
    return [
        finished_job(
            id=batch_job_id(batch_id, index), batch_id=batch_id, batch_index=index, **shape
        )
        for index, shape in enumerate(shapes)
    ]


def _batch(valkey: ValkeyProcess) -> tuple[str, list[Job]]:
    client = connect(valkey.url)
    batch = Batch(source="manifest")
    items = [BatchItem(url=f"https://example.com/{i}.wav") for i in range(6)]
    BatchStore(client).create(batch, items)
    jobs = _jobs(batch.id)
    for job in jobs:
        JobStore(client).create(job)
    rejection = ItemRejection(index=5, source=items[5].source, code="fetch_failed", message="no")
    BatchStore(client).reject(batch.id, rejection, JobStore.record_key(batch_job_id(batch.id, 5)))
    return batch.id, jobs


def _sum(values: list[Any]) -> Decimal:
    # Decimal sums of the decimal figures as written: exact, whatever the order.
    return sum((Decimal(str(v)) for v in values if v not in (None, "")), Decimal(0))


def test_a_batchs_usage_equals_the_sum_of_its_jobs_figures_in_the_api_and_the_export(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    batch_id, jobs = _batch(valkey)
    client = TestClient(create_app(Settings(data_dir=tmp_path, broker={"url": valkey.url})))

    batch = client.get(f"/v1/batches/{batch_id}/usage").json()
    each = [client.get(f"/v1/jobs/{job.id}/usage").json()["totals"] for job in jobs]
    exported = client.get(f"/v1/batches/{batch_id}/results", params={"format": "csv"})
    table = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    lines = client.get(f"/v1/batches/{batch_id}/results", params={"format": "jsonl"}).text
    records = [json.loads(line) for line in lines.splitlines()]

    assert batch["totals"]["jobs"] == len(jobs) == 5
    assert batch["totals"]["cost"] > 0
    for figure in FIGURES:
        total = Decimal(str(batch["totals"][figure]))
        assert total == _sum([job[figure] for job in each]), figure
        assert total == _sum([row[f"usage_{figure}"] for row in table]), figure
        assert total == _sum([row[f"usage_{figure}"] for row in records]), figure
    assert table[5]["status"] == "rejected"
    assert table[5]["usage_cost"] == "", "an item that never became a job has no usage"
    by_provider = _sum([row["cost"] for row in batch["by_provider"]])
    assert by_provider == Decimal(str(batch["totals"]["cost"]))


def test_the_usage_of_a_batch_that_does_not_exist_is_not_found(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    client = TestClient(create_app(Settings(data_dir=tmp_path, broker={"url": valkey.url})))

    response = client.get("/v1/batches/bat_000000000000nothere/usage")

    assert response.status_code == 404
