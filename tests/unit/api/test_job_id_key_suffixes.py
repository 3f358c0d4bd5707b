"""A job id with a ':' in it can name one of a real job's own Redis keys (the list of its
webhook events): every job route answers such an id as any unknown one, for its tenant and
for every other, never with a 500 that would also tell another tenant the job exists."""

from __future__ import annotations

import base64
from pathlib import Path

from api.security import generate_key, key_entry
from shared.webhook_models import job_deliveries_key
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

ACME_KEY = generate_key()
GLOBEX_KEY = generate_key()
ACME = {"Authorization": f"Bearer {ACME_KEY}"}
GLOBEX = {"Authorization": f"Bearer {GLOBEX_KEY}"}
SECRET = "whsec_" + base64.b64encode(b"voicepipe-test-secret-32-bytes!!").decode()
READS = (
    "",
    "/transcript",
    "/reply",
    "/redacted-audio",
    "/listening-copy",
    "/audio",
    "/webhooks",
    "/usage",
    "/reviews",
)


def test_a_job_id_naming_one_of_a_jobs_own_keys_is_not_found_for_every_tenant(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(
        tmp_path,
        valkey,
        auth={"keys": [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]},
        webhooks={"secrets": [f"acme:{SECRET}"]},
    )
    made = http.post(
        "/v1/jobs",
        data={"text": "Call me back", "stages": "stt,llm", "callback_url": "https://hooks.example"},
        headers=ACME,
    )
    assert made.status_code == 202, made.text
    job_id = made.json()["id"]
    # Its job.canceled event is recorded in the job's list of events.
    assert http.post(f"/v1/jobs/{job_id}/cancel", headers=ACME).status_code == 200
    assert services_of(http).jobs.redis.exists(job_deliveries_key(job_id))
    named = f"{job_id}:webhooks"

    for headers in (ACME, GLOBEX):
        for route in READS:
            answer = http.get(f"/v1/jobs/{named}{route}", headers=headers)
            assert answer.status_code == 404, (route, answer.text)
            assert answer.json()["error"]["code"] == "job_not_found"
        for action in ("cancel", "retry"):
            answer = http.post(f"/v1/jobs/{named}/{action}", headers=headers)
            assert answer.status_code == 404, (action, answer.text)
        answer = http.post(f"/v1/jobs/{named}/reviews", json={"done": True}, headers=headers)
        assert answer.status_code == 404, answer.text
        assert http.delete(f"/v1/jobs/{named}", headers=headers).status_code == 404
