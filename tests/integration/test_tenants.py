"""With API keys configured, each tenant sees only its own jobs, outputs and objects."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from api.cli.stack import Stack
from api.security import generate_key, key_entry
from tests.integration.conftest import RunningStack, stack_settings

pytestmark = pytest.mark.integration

ACME_KEY = generate_key()
GLOBEX_KEY = generate_key()
ACME = {"Authorization": f"Bearer {ACME_KEY}"}
GLOBEX = {"X-API-Key": GLOBEX_KEY}
SCRIPT = "Hi, this is Ann from Acme. Please call me back at seven one three, five five five."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    keys = [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]
    settings = stack_settings(
        tmp_path_factory.mktemp("tenants"),
        auth={"keys": keys},
        providers={"stt": "pocketsphinx"},
    )
    supervisor = Stack(settings, flower=False)
    try:
        supervisor.start(timeout_s=120)
        running = RunningStack(supervisor)
        yield running
        running.http.close()
    finally:
        supervisor.stop()


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


def _submit(stack: RunningStack, headers: dict[str, str], data: bytes, **fields: str) -> Any:
    files = {"file": ("voicemail.wav", data, "audio/wav")}
    return stack.http.post("/v1/jobs", files=files, data=fields, headers=headers)


def _wait(stack: RunningStack, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = stack.http.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in {"succeeded", "failed", "canceled"}:
            return job
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} did not finish")


@pytest.fixture(scope="module")
def jobs(stack: RunningStack, voicemail_wav: bytes) -> dict[str, dict[str, Any]]:
    """One finished job per tenant: acme's runs every stage, globex's only transcription."""
    acme = _submit(stack, ACME, voicemail_wav)
    globex = _submit(stack, GLOBEX, voicemail_wav, stages="stt")
    assert acme.status_code == 202, acme.text
    assert globex.status_code == 202, globex.text
    finished = {
        "acme": _wait(stack, ACME, acme.json()["id"]),
        "globex": _wait(stack, GLOBEX, globex.json()["id"]),
    }
    for job in finished.values():
        assert job["status"] == "succeeded", job.get("error")
    return finished


def test_health_probes_and_api_docs_answer_without_a_key(stack: RunningStack) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert stack.http.get(path).status_code == 200, path


def test_a_request_without_a_key_is_refused_and_stores_nothing(
    stack: RunningStack, voicemail_wav: bytes
) -> None:
    before = stack.storage.list("")

    upload = _submit(stack, {}, voicemail_wav)
    listing = stack.http.get("/v1/jobs")
    voices = stack.http.get("/v1/voices")

    for response in (upload, listing, voices):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "missing_api_key"
        assert response.headers["www-authenticate"] == "Bearer"
    assert stack.storage.list("") == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {generate_key()}"},
        {"X-API-Key": generate_key()},
        {"Authorization": "Bearer not-a-key"},
        {"X-API-Key": ACME_KEY[:-1]},
    ],
)
def test_a_wrong_key_is_refused_with_invalid_api_key(
    stack: RunningStack, headers: dict[str, str]
) -> None:
    response = stack.http.get("/v1/jobs", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_a_job_and_its_outputs_answer_its_tenant_and_are_not_found_for_another(
    stack: RunningStack, jobs: dict[str, dict[str, Any]]
) -> None:
    job_id = jobs["acme"]["id"]
    paths = [f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/transcript", f"/v1/jobs/{job_id}/reply"]

    for path in paths:
        own = stack.http.get(path, headers=ACME)
        other = stack.http.get(path, headers=GLOBEX)

        assert own.status_code == 200, path
        assert other.status_code == 404, path
        assert other.json()["error"]["code"] == "job_not_found"
    assert stack.http.get(paths[2], headers=ACME).headers["content-type"] == "audio/mpeg"


def test_the_job_list_holds_only_the_callers_jobs(
    stack: RunningStack, jobs: dict[str, dict[str, Any]]
) -> None:
    for tenant, headers in (("acme", ACME), ("globex", GLOBEX)):
        listing = stack.http.get("/v1/jobs", headers=headers).json()

        assert [job["id"] for job in listing["jobs"]] == [jobs[tenant]["id"]]
        assert listing["total"] == 1
        assert {job["tenant"] for job in listing["jobs"]} == {tenant}


def test_every_stored_object_of_a_job_is_under_its_tenants_prefix(
    stack: RunningStack, jobs: dict[str, dict[str, Any]]
) -> None:
    for tenant, job in jobs.items():
        prefix = f"{tenant}/jobs/{job['id']}/"
        keys = [job["input"]["key"]] + [stage["output_key"] for stage in job["stages"].values()]

        assert all(key.startswith(prefix) for key in keys), keys
        assert sorted(stack.storage.list(prefix)) == sorted(keys)
    assert stack.storage.list("default/") == []


def test_api_keys_never_reach_the_logs(
    stack: RunningStack, jobs: dict[str, dict[str, Any]]
) -> None:
    for log in stack.stack.logs_dir.glob("*.log"):
        text = log.read_text(errors="replace")
        assert ACME_KEY not in text, log
        assert GLOBEX_KEY not in text, log


def test_a_batch_its_jobs_and_its_exports_are_not_found_for_another_tenant(
    stack: RunningStack, voicemail_wav: bytes
) -> None:
    files = [("file", ("a.wav", voicemail_wav)), ("file", ("b.wav", voicemail_wav))]
    created = stack.http.post("/v1/batches", files=files, data={"stages": "stt"}, headers=ACME)
    assert created.status_code == 202, created.text
    batch_id = created.json()["id"]
    deadline = time.monotonic() + 120
    while stack.http.get(f"/v1/batches/{batch_id}", headers=ACME).json()["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    job_id = stack.http.get(f"/v1/batches/{batch_id}/jobs", headers=ACME).json()["jobs"][0]["id"]

    refused = [
        stack.http.get(f"/v1/batches/{batch_id}", headers=GLOBEX),
        stack.http.get(f"/v1/batches/{batch_id}/jobs", headers=GLOBEX),
        stack.http.get(f"/v1/batches/{batch_id}/results?format=csv", headers=GLOBEX),
        stack.http.get(f"/v1/batches/{batch_id}/webhooks", headers=GLOBEX),
        stack.http.post(f"/v1/batches/{batch_id}/cancel", headers=GLOBEX),
        stack.http.post(f"/v1/batches/{batch_id}/retry", headers=GLOBEX),
        stack.http.get(f"/v1/jobs/{job_id}", headers=GLOBEX),
        stack.http.get(f"/v1/jobs/{job_id}/transcript?format=srt", headers=GLOBEX),
    ]
    listed = stack.http.get("/v1/batches", headers=GLOBEX).json()["batches"]

    for response in refused:
        assert response.status_code == 404, response.request.url
        assert response.json()["error"]["code"] in {"batch_not_found", "job_not_found"}
    assert batch_id not in [b["id"] for b in listed]
    mine = stack.http.get("/v1/batches", headers=ACME).json()["batches"]
    assert batch_id in [b["id"] for b in mine]


def test_an_openai_key_left_in_the_sdk_is_refused_saying_voicepipe_takes_its_own(
    stack: RunningStack,
) -> None:
    import openai

    # The SDK reads OPENAI_API_KEY from the environment when given no key: pointed here by
    # base_url alone, it sends the OpenAI key, and "unknown, revoked or mistyped" misled.
    sdk = openai.OpenAI(
        base_url=f"{stack.settings.api.base_url}/v1",
        api_key="sk-proj-" + "x" * 40,
        max_retries=0,
    )
    with sdk, pytest.raises(openai.AuthenticationError) as refused:
        sdk.models.list()

    message = refused.value.message
    assert "OpenAI key" in message
    assert "vp_" in message
    assert "x" * 8 not in message  # the key itself is never echoed
