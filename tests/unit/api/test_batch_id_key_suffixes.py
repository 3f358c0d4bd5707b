"""A batch id with a ':' in it names one of a real batch's own Redis keys (its item list, its
jobs, its per-status sets): every batch route answers such an id as any unknown one, for its
tenant and for every other, never with a 500 that would also tell another tenant the batch
exists (the inbox's pages: tests/unit/api/web/test_web_batch_report.py)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.security import generate_key, key_entry
from shared.batch_keys import items_key
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

ACME_KEY = generate_key()
GLOBEX_KEY = generate_key()
ACME = {"Authorization": f"Bearer {ACME_KEY}"}
GLOBEX = {"Authorization": f"Bearer {GLOBEX_KEY}"}
ROUTES = ("", "/jobs", "/webhooks", "/results", "/usage", "/evaluation-set")
# Suffixes of the batch's own keys: an item list (made at intake), the others once it runs.
SUFFIXES = (":items", ":jobs", ":chunks", ":rejected", ":s:queued")


def _client(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    keys = [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]
    return app_client(tmp_path, valkey, auth={"keys": keys})


def _acme_batch(http: TestClient) -> str:
    made = http.post("/v1/batches", json={"items": [{"text": "Call me back."}]}, headers=ACME)
    assert made.status_code == 202, made.text
    batch_id: str = made.json()["id"]
    # The test means something only while the suffixed key is really there.
    assert services_of(http).jobs.redis.exists(items_key(batch_id))
    return batch_id


def test_a_batch_id_naming_one_of_a_batchs_own_keys_is_not_found_for_every_tenant(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = _client(tmp_path, valkey)
    batch_id = _acme_batch(http)

    for headers in (ACME, GLOBEX):
        for suffix in SUFFIXES:
            for route in ROUTES:
                answer = http.get(f"/v1/batches/{batch_id}{suffix}{route}", headers=headers)
                assert answer.status_code == 404, (suffix, route, answer.text)
                assert answer.json()["error"]["code"] == "batch_not_found"
            for action in ("cancel", "retry"):
                answer = http.post(f"/v1/batches/{batch_id}{suffix}/{action}", headers=headers)
                assert answer.status_code == 404, (suffix, action, answer.text)
