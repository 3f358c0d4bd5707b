"""GET /v1/jobs/{id}/webhooks and GET /v1/batches/{id}/webhooks show each event's links as
the receiver is sent them: absolute, with the API's base URL."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from shared.batch_keys import deliveries_key
from shared.batches import Batch, BatchItem
from shared.webhook_models import WebhookDelivery, delivery_key
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

SECRET = "whsec_" + base64.b64encode(b"voicepipe-test-secret-32-bytes!!").decode()
HOOK = "https://hooks.example.com/voicemail"
BASE = "https://voicepipe.example.com"


def test_a_jobs_event_listing_shows_the_links_its_receiver_is_sent(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(
        tmp_path, valkey, webhooks={"secrets": [f"default:{SECRET}"]}, api={"public_url": BASE}
    )
    made = http.post(
        "/v1/jobs", data={"text": "Call me back", "stages": "stt,llm", "callback_url": HOOK}
    )
    job_id = made.json()["id"]
    http.post(f"/v1/jobs/{job_id}/cancel")

    listed = http.get(f"/v1/jobs/{job_id}/webhooks").json()["deliveries"]

    event = next(d for d in listed if d["type"] == "job.canceled")
    stored = services_of(http).deliveries.load(event["id"])
    assert stored is not None
    sent = json.loads(stored.body(BASE))
    # "/v1/jobs/job_…" was shown, where the receiver got "https://…/v1/jobs/job_…".
    assert event["data"]["links"]["job"] == f"{BASE}/v1/jobs/{job_id}"
    assert event["data"]["links"] == sent["data"]["links"]


def test_a_batchs_event_listing_shows_the_links_its_receiver_is_sent(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey, api={"public_url": BASE})
    services = services_of(http)
    batch = Batch(source="manifest")
    services.batches.create(batch, [BatchItem(key="vm.wav")])
    # As the batch's end records its batch.completed event (shared.batch_keys.SETTLE).
    path = f"/v1/batches/{batch.id}"
    event = WebhookDelivery(
        id=f"msg_{batch.id}_completed_1",
        tenant="default",
        url=HOOK,
        type="batch.completed",
        data={"batch_id": batch.id, "links": {"batch": path, "results": f"{path}/results"}},
    )
    services.batches.redis.set(delivery_key(event.id), event.model_dump_json())
    services.batches.redis.rpush(deliveries_key(batch.id), event.id)

    listed = http.get(f"/v1/batches/{batch.id}/webhooks").json()["deliveries"]

    assert listed[0]["data"]["links"] == {
        "batch": f"{BASE}{path}",
        "results": f"{BASE}{path}/results",
    }
