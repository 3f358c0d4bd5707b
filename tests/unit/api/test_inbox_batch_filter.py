"""GET /v1/inbox?batch_id=: an id that names none of the tenant's batches is a 404, as
GET /v1/batches/{id} answers it, not an empty page read as a batch with no voicemails."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from shared.batches import Batch, BatchItem
from shared.batchstore import BatchNotFound
from tests.conftest import ValkeyProcess
from tests.unit.api.review_routes_helpers import ACME, GLOBEX, _services, review_client


def _acme_batch(http: TestClient) -> Batch:
    batch = Batch(source="manifest", tenant="acme")
    _services(http).batches.create(batch, [BatchItem(key="vm.wav")])
    return batch


def test_an_unknown_batch_id_is_a_404_batch_not_found_worded_as_the_batch_routes_word_it(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = review_client(tmp_path, valkey)

    answer = http.get("/v1/inbox", params={"batch_id": "bat_nosuchbatch"}, headers=ACME)

    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["code"] == "batch_not_found"
    assert answer.json()["error"]["message"] == BatchNotFound.of("bat_nosuchbatch").message
    batch_route = http.get("/v1/batches/bat_nosuchbatch", headers=ACME).json()
    assert answer.json()["error"]["message"] == batch_route["error"]["message"]


def test_another_tenants_batch_is_answered_as_one_that_does_not_exist(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = review_client(tmp_path, valkey)
    batch = _acme_batch(http)

    theirs = http.get("/v1/inbox", params={"batch_id": batch.id}, headers=GLOBEX)
    unknown = http.get("/v1/inbox", params={"batch_id": "bat_nosuchbatch"}, headers=GLOBEX)

    assert theirs.status_code == 404, theirs.text
    assert theirs.json()["error"] == {
        **unknown.json()["error"],
        "message": BatchNotFound.of(batch.id).message,
    }


def test_the_tenants_own_batch_without_voicemails_is_an_empty_page(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = review_client(tmp_path, valkey)
    batch = _acme_batch(http)

    answer = http.get("/v1/inbox", params={"batch_id": batch.id}, headers=ACME)

    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == 0
