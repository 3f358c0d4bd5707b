"""What a JSON batch says of an item that is no object, or of a value its own check refuses:
a sentence a person can act on, never pydantic's "Input should be a valid dictionary" or its
"Value error," prefix."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def _refusal(http: TestClient, body: object) -> str:
    answer = http.post("/v1/batches", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_batch"
    return str(answer.json()["error"]["message"])


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (
            "mailbox/vm1.wav",
            'items.1: an object, {"key": "mailbox/vm1.wav"}, not a string: an item is an '
            'object with one of "key", "url" or "text"',
        ),
        (
            "https://example.com/vm1.wav",
            'items.1: an object, {"url": "https://example.com/vm1.wav"}, not a string: an '
            'item is an object with one of "key", "url" or "text"',
        ),
        (
            7,
            'items.1: an object, {"key": "mailbox/vm1.wav"}, not a number: an item is an '
            'object with one of "key", "url" or "text"',
        ),
    ],
)
def test_a_manifest_item_that_is_no_object_is_said_as_the_object_to_send(
    http: TestClient, item: object, said: str
) -> None:
    # Before: "items.1: Input should be a valid dictionary or instance of ManifestItem".
    message = _refusal(http, {"items": [{"key": "a.wav"}, item]})

    assert message == f"The batch is not valid: {said}"


def test_an_empty_manifest_key_says_a_key_is_expected_not_an_empty_string(
    http: TestClient,
) -> None:
    # Before: "items.0.key: Value error, invalid object key '': give a key …".
    message = _refusal(http, {"items": [{"key": ""}]})

    assert message == (
        "The batch is not valid: items.0.key: an object key in the import location, "
        '"mailbox/vm1.wav", not an empty string'
    )


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"key": "../a.wav"}]},
        {"prefix": {"prefix": "/mail/"}},
        {"items": [{"text": "hi", "key": "b.wav"}]},
    ],
)
def test_a_value_a_check_refuses_is_said_without_pydantics_value_error_prefix(
    http: TestClient, body: object
) -> None:
    message = _refusal(http, body)

    assert "Value error" not in message
    assert ": " in message
