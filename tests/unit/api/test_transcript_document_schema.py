"""GET /v1/jobs/{id}/transcript?format=json is documented field by field in the OpenAPI
document, and what the route serves is what that schema describes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from api.main import create_app
from shared.models import Transcript, Word
from shared.settings import Settings
from shared.transcript_formats import render


def _document(tmp_path: Path) -> dict[str, Any]:
    # Nothing listens on port 1: a store call would fail.
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})
    document: dict[str, Any] = TestClient(create_app(settings)).get("/openapi.json").json()
    return document


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _served() -> dict[str, Any]:
    transcript = Transcript(
        text="Hi, call me back.",
        language="en",
        provider="local",
        duration_s=2.5,
        words=[
            Word(word="Hi,", start_s=0.1, end_s=0.4, confidence=0.9),
            Word(word="call", start_s=0.6, end_s=0.9, confidence=0.8),
            Word(word="me", start_s=0.9, end_s=1.0, confidence=0.95),
            Word(word="back.", start_s=1.0, end_s=1.4, confidence=0.7),
        ],
        details={"engine": "faster-whisper", "model": "whisper-base"},
    )
    served: dict[str, Any] = json.loads(render(transcript, "json"))
    return served


def test_every_field_of_the_json_transcript_is_described_in_the_openapi_document(
    tmp_path: Path,
) -> None:
    document = _document(tmp_path)
    answer = document["paths"]["/v1/jobs/{job_id}/transcript"]["get"]["responses"]["200"]
    schema = _resolved(document, answer["content"]["application/json"]["schema"])
    served = _served()

    assert set(schema["properties"]) == set(served)
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
    for listed, sample in (("words", served["words"][0]), ("segments", served["segments"][0])):
        items = _resolved(document, schema["properties"][listed]["items"])
        assert set(items["properties"]) == set(sample), listed
        assert all(p.get("description") for p in items["properties"].values()), listed
    Draft202012Validator({**schema, "components": document["components"]}).validate(served)
