"""The OpenAPI document says what this deployment accepts (the app is real; no store is
reached): its providers, the stages, the form's empty fields, the links from a created job or
batch, and every reference resolvable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from api.main import create_app
from shared.settings import Settings


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    # Nothing listens on port 1: a store call would fail.
    return Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"}, **overrides)


def _document(settings: Settings) -> dict[str, Any]:
    document: dict[str, Any] = TestClient(create_app(settings)).get("/openapi.json").json()
    return document


def _form(document: dict[str, Any], path: str) -> dict[str, Any]:
    content = document["paths"][path]["post"]["requestBody"]["content"]
    form: dict[str, Any] = content["multipart/form-data"]["schema"]
    return form


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    # The document's references point into its components, from its root.
    return Draft202012Validator({**schema, "components": document["components"]})


def test_providers_offered_are_those_this_deployment_can_run(tmp_path: Path) -> None:
    plain = _form(_document(_settings(tmp_path)), "/v1/jobs")["properties"]
    keyed = _form(_document(_settings(tmp_path, openai={"api_key": "sk-test"})), "/v1/jobs")[
        "properties"
    ]

    def names(prop: dict[str, Any]) -> list[str]:
        return [n for choice in prop["anyOf"] for n in choice.get("enum", [])]

    assert "whisper" not in names(plain["stt_provider"])
    assert "openai" not in names(plain["tts_provider"])
    assert "local" in names(plain["stt_provider"])
    assert "whisper" in names(keyed["stt_provider"])
    assert "openai" in names(keyed["tts_provider"])


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        ({"stages": "stt,llm"}, True),
        ({"stages": ""}, True),
        ({"stages": "llm"}, False),
        ({"stt_provider": "no-such-engine"}, False),
        ({"delete_after_seconds": ""}, True),
        ({"callback_url": "https://hooks.example.com/vp"}, True),
        ({"callback_url": "https://user:pw@hooks.example.com/"}, False),
        ({"callback_url": "ftp://hooks.example.com/"}, False),
        ({"stage_events": True}, True),
    ],
)
def test_the_job_form_schema_accepts_what_the_api_accepts(
    tmp_path: Path, fields: dict[str, Any], valid: bool
) -> None:
    document = _document(_settings(tmp_path))
    schema = _form(document, "/v1/jobs")

    assert _validator(document, schema).is_valid({"file": "x", **fields}) is valid


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"items": [{"url": "https://files.example.com/a.wav"}]}, True),
        ({"items": [{"key": "box/a.wav", "url": None}], "prefix": None}, True),
        ({"prefix": {"prefix": "box/"}}, True),
        ({"items": [{"key": "a"}], "prefix": {"prefix": "box/"}}, False),
        ({}, False),
        ({"items": []}, False),
        ({"items": [{"key": "a", "url": "https://x.example.com/a"}]}, False),
        ({"items": [{"key": "a", "metadata": {f"k{i}": i for i in range(17)}}]}, False),
        ({"items": [{"key": "a"}], "stage_events": 0}, False),
    ],
)
def test_the_json_batch_schema_accepts_what_the_api_accepts(
    tmp_path: Path, body: dict[str, Any], valid: bool
) -> None:
    document = _document(_settings(tmp_path))
    content = document["paths"]["/v1/batches"]["post"]["requestBody"]["content"]
    schema = content["application/json"]["schema"]

    assert _validator(document, schema).is_valid(body) is valid


def test_a_created_job_links_to_every_operation_on_it(tmp_path: Path) -> None:
    document = _document(_settings(tmp_path))
    links = document["paths"]["/v1/jobs"]["post"]["responses"]["202"]["links"]
    on_a_job = {
        operation["operationId"]
        for path, item in document["paths"].items()
        if path.startswith("/v1/jobs/{job_id}")
        for operation in item.values()
    }

    assert {link["operationId"] for link in links.values()} == on_a_job
    assert all(link["parameters"] == {"job_id": "$response.body#/id"} for link in links.values())


def test_every_operation_that_takes_a_key_documents_401(tmp_path: Path) -> None:
    document = _document(_settings(tmp_path))
    secured = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    ]

    assert len(secured) > 10
    assert all("401" in operation["responses"] for _, _, operation in secured)


def test_method_not_allowed_names_every_method_of_the_resource(tmp_path: Path) -> None:
    client = TestClient(create_app(_settings(tmp_path)))

    response = client.put("/v1/jobs/job_x")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_every_documented_503_says_it_carries_retry_after(tmp_path: Path) -> None:
    document = _document(_settings(tmp_path))
    unavailable = [
        (path, method, answers["503"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "503" in (answers := operation.get("responses", {})) and path != "/readyz"
    ]

    assert len(unavailable) >= 5, "the submissions and the OpenAI-compatible calls"
    for path, method, answer in unavailable:
        header = answer.get("headers", {}).get("Retry-After", {})
        assert header.get("required") is True, (method, path)
