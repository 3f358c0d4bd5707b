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


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (
            {},
            'items.1: an item is an object with one of "key", "url" or "text", '
            '{"key": "mailbox/vm1.wav"}; this one has none',
        ),
        (
            {"metadata": {"caller_id": "7"}},
            'items.1: an item is an object with one of "key", "url" or "text", '
            '{"key": "mailbox/vm1.wav"}; this one has none',
        ),
        (
            {"text": "hi", "key": "b.wav"},
            'items.1: an item is an object with one of "key", "url" or "text"; '
            'this one has "key" and "text"',
        ),
        ({"text": "  "}, "items.1.text: the typed message a text job replies to, not blank"),
        ({"text": "\n\t "}, "items.1.text: the typed message a text job replies to, not blank"),
    ],
)
def test_an_item_with_nothing_to_run_is_refused_by_the_first_check_naming_it(
    http: TestClient, item: object, said: str
) -> None:
    # Before: {} was refused only after the options were checked as for a recording (a
    # `language` a text batch may give was refused as unsupported_language instead), and a
    # blank text became the item's rejection, empty_text, once the batch ran. The second
    # item is first read with "language": "fr", which a manifest of texts may carry.
    answer = http.post("/v1/batches", json={"items": [{"text": "call me"}, item], "language": "fr"})

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_batch"
    assert answer.json()["error"]["message"] == f"The batch is not valid: {said}"
