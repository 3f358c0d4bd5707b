"""The webhook events of a job deleted by DELETE /v1/jobs/{id}: nothing of the job's is left
in Redis for good, and an event still owed to the receiver is sent."""

from __future__ import annotations

import base64
from pathlib import Path

from shared.webhook_models import DUE, job_deliveries_key
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

SECRET = "whsec_" + base64.b64encode(b"voicepipe-test-secret-32-bytes!!").decode()
HOOK = "https://hooks.example.com/voicemail"


def test_deleting_a_job_leaves_no_list_of_its_events_behind(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # Before, the job's list of event ids (job:<id>:webhooks) had no expiry and nothing
    # deleted it: every deleted job with a callback_url left one in Redis for ever.
    http = app_client(tmp_path, valkey, webhooks={"secrets": [f"default:{SECRET}"]})
    services = services_of(http)
    made = http.post(
        "/v1/jobs", data={"text": "Call me back", "stages": "stt,llm", "callback_url": HOOK}
    )
    job_id = made.json()["id"]

    deleted = http.delete(f"/v1/jobs/{job_id}")

    assert deleted.status_code == 204
    assert services.jobs.redis.exists(job_deliveries_key(job_id)) == 0
    # The job.canceled event the DELETE's cancel made is still sent (it ends with a TTL).
    owed = [i.decode() for i in services.jobs.redis.zrange(DUE, 0, -1)]
    events = [services.deliveries.load(i) for i in owed]
    assert [e.type for e in events if e and e.data["job_id"] == job_id] == ["job.canceled"]
    assert http.get(f"/v1/jobs/{job_id}/webhooks").status_code == 404
