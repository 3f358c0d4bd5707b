"""GET /v1/batches/{id}/jobs?status=rejected lists the items refused at intake (never made
into jobs), in item order and paged like the jobs, as the export shows them."""

from __future__ import annotations

from pathlib import Path

from shared.batches import Batch, BatchItem, ItemRejection, batch_job_id
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of


def test_a_batchs_rejected_items_are_listed_by_status_rejected(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    batch = Batch(source="manifest")
    services.batches.create(batch, [BatchItem(key=f"vm{i}.wav") for i in range(3)])
    for index in (2, 0):
        rejection = ItemRejection(
            index=index,
            source=f"vm{index}.wav",
            code="object_not_found",
            message="No object is stored under this key.",
            metadata={"mailbox": index},
        )
        services.batches.reject(
            batch.id, rejection, services.jobs.record_key(batch_job_id(batch.id, index))
        )

    first = http.get(f"/v1/batches/{batch.id}/jobs", params={"status": "rejected", "limit": 1})
    rest = http.get(
        f"/v1/batches/{batch.id}/jobs",
        params={"status": "rejected", "cursor": first.json()["next_cursor"]},
    )

    # A 422 before: "rejected" was no status the listing took.
    assert first.status_code == 200, first.text
    assert first.json()["jobs"] == []
    assert first.json()["rejected"] == [
        {
            "index": 0,
            "source": "vm0.wav",
            "code": "object_not_found",
            "message": "No object is stored under this key.",
            "metadata": {"mailbox": 0},
        }
    ]
    assert [r["index"] for r in rest.json()["rejected"]] == [2]
    assert rest.json()["next_cursor"] is None
