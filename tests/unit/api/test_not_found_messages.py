"""An unknown batch or job id is answered 404 with a sentence a person can act on: what was
asked for, that none of that id exists for this API key's tenant, and how to list them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


def test_an_unknown_batch_id_says_none_exists_for_this_tenant_and_how_to_list_batches(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)

    for path in ("/v1/batches/bat_nope", "/v1/batches/bat_nope/jobs"):
        answer = http.get(path)

        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == {
            "code": "batch_not_found",
            # "no batch bat_nope" before.
            "message": "No batch with the id bat_nope exists for this API key's tenant: "
            "check the id (GET /v1/batches lists your batches, newest first).",
        }


def test_an_unknown_job_id_says_none_exists_for_this_tenant_and_how_to_list_jobs(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)

    for answer in (http.get("/v1/jobs/job_nope"), http.post("/v1/jobs/job_nope/cancel")):
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == {
            "code": "job_not_found",
            "message": "No job with the id job_nope exists for this API key's tenant: "
            "check the id (GET /v1/jobs lists your jobs, newest first).",
        }
