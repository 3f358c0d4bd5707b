"""A batch request over its part count, its total size or its manifest size gets a clear 4xx
before anything is stored (the app is real; no store is reached)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from shared.redis_keys import RetryWithin
from shared.settings import Settings


def _client(tmp_path: Path, manifest_bytes: int = 200) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": "redis://127.0.0.1:1/0"},  # nothing listens: a store call would fail
        batches={"max_parts": 2, "max_total_bytes": 4096, "max_manifest_bytes": manifest_bytes},
    )
    return TestClient(create_app(settings))


def test_more_file_parts_than_allowed_are_refused_with_400(tmp_path: Path) -> None:
    files = [("file", (f"{i}.wav", b"x" * 10)) for i in range(3)]

    response = _client(tmp_path).post("/v1/batches", files=files)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_parts"
    assert "at most 2" in response.json()["error"]["message"]
    assert list((tmp_path / "objects").rglob("*")) == []


def test_a_batch_upload_over_its_total_size_is_refused_with_413(tmp_path: Path) -> None:
    files = [("file", ("big.wav", b"x" * 5000))]

    response = _client(tmp_path).post("/v1/batches", files=files)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "batch" in response.json()["error"]["message"]


def test_a_manifest_over_its_size_is_refused_with_413(tmp_path: Path) -> None:
    items = [{"key": f"mailbox/{i:04d}.wav"} for i in range(20)]

    response = _client(tmp_path).post("/v1/batches", json={"items": items})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "manifest_too_large"


@pytest.mark.parametrize("prefix", ["../", "/", "mail/../../globex/mail/"])
def test_a_prefix_that_names_no_folder_is_refused_with_400(tmp_path: Path, prefix: str) -> None:
    # Before, it was accepted and its batch stayed "expanding" for ever.
    response = _client(tmp_path).post("/v1/batches", json={"prefix": {"prefix": prefix}})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_batch"
    assert "give a folder of the import location" in response.json()["error"]["message"]


def test_refusals_are_counted_on_a_client_that_does_not_wait_out_a_broker_restart(
    tmp_path: Path,
) -> None:
    # The workers' client retries for ~19 s, and the API's stores give the broker their
    # budget (3 s); a count is not worth holding a 4xx that long (these tests' broker is
    # down, and each refusal waited it out).
    services = _client(tmp_path).app.state.services  # type: ignore[attr-defined]
    stores, refusals = services.jobs.redis.get_retry(), services.refusals._redis.get_retry()
    assert isinstance(stores, RetryWithin)
    assert isinstance(refusals, RetryWithin)
    assert stores.budget_s == services.settings.broker.api_timeout_s
    assert refusals.budget_s <= 0.5


@pytest.mark.parametrize("cursor", ["nan", "inf", "-inf", "abc"])
def test_a_batch_list_cursor_that_is_no_finite_number_is_refused_with_422(
    tmp_path: Path, cursor: str
) -> None:
    # 'nan' reached Redis, which refused it as a score: a 500.
    response = _client(tmp_path).get("/v1/batches", params={"cursor": cursor})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "cursor" in response.json()["error"]["message"]


_NO_NAME = b'--xyz\r\nContent-Disposition: form-data; filename="a.wav"\r\n\r\nRIFF\r\n--xyz--\r\n'


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("multipart/form-data", b"--xyz\r\n\r\n", "Missing boundary"),
        ("multipart/form-data; boundary=xyz", _NO_NAME, '"name" must be provided'),
    ],
    ids=["no boundary", "a part with no name"],
)
def test_a_batch_form_that_cannot_be_read_is_refused_for_what_is_wrong_with_it(
    tmp_path: Path, content_type: str, body: bytes, reason: str
) -> None:
    # Every form error was reported as too many 'file' parts.
    response = _client(tmp_path).post(
        "/v1/batches", content=body, headers={"Content-Type": content_type}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert reason in response.json()["error"]["message"]


def test_a_batch_text_field_over_1_mb_is_refused_as_the_field_it_is(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})

    response = TestClient(create_app(settings)).post(
        "/v1/batches",
        files=[("file", ("a.wav", b"RIFF"))],
        data={"system_prompt": "x" * 1_100_000},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "exceeded maximum size of 1024KB" in response.json()["error"]["message"]


def test_a_batch_form_cut_off_before_its_closing_boundary_is_refused_with_400(
    tmp_path: Path,
) -> None:
    # Before: 202, the parts before the cut made a batch and the cut-off one was dropped.
    parts = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="%d.wav"\r\n\r\n'
        b"RIFF....\r\n" % i
        for i in range(3)
    )
    response = _client(tmp_path).post(
        "/v1/batches",
        content=parts[:-40],
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "closing boundary" in response.json()["error"]["message"]
    assert list((tmp_path / "objects").rglob("*")) == []


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_an_item_metadata_number_json_cannot_carry_is_refused_not_turned_into_null(
    tmp_path: Path, number: str
) -> None:
    # Python's json.dumps writes float("nan") as NaN: before, the batch was accepted and the
    # value became null on the job and in every export, without a word.
    body = f'{{"items": [{{"text": "hi", "metadata": {{"n": {number}}}}}]}}'

    response = _client(tmp_path).post(
        "/v1/batches", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_batch"
    assert "items.0.metadata.n" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('"' + "a" * 300 + '"', "a string of at most 256 characters (this one has 300)"),
        ('{"y": 1}', "a metadata value is a string, a number, true/false or null, not an object"),
        ("[1, 2]", "a metadata value is a string, a number, true/false or null, not a list"),
    ],
)
def test_a_metadata_value_of_no_allowed_kind_is_refused_in_one_plain_sentence(
    tmp_path: Path, value: str, said: str
) -> None:
    # Before, pydantic's union was spelt out member by member: "items.0.metadata.x.
    # constrained-str: ...; items.0.metadata.x.int: Input should be a valid integer, unable
    # to parse string as an integer; ...float...; ...bool: unable to interpret input".
    body = f'{{"items": [{{"text": "hi", "metadata": {{"x": {value}}}}}]}}'

    response = _client(tmp_path, manifest_bytes=4096).post(
        "/v1/batches", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert (
        response.json()["error"]["message"] == f"The batch is not valid: items.0.metadata.x: {said}"
    )


def test_a_metadata_key_too_long_is_said_of_the_key_not_of_its_value(tmp_path: Path) -> None:
    body = f'{{"items": [{{"text": "hi", "metadata": {{"{"k" * 70}": 1}}}}]}}'

    response = _client(tmp_path, manifest_bytes=4096).post(
        "/v1/batches", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert "at most 64 characters" in message
    assert "256" not in message


@pytest.mark.parametrize(
    ("field", "said"),
    [
        (
            '"prefix": "mailbox/"',
            'prefix: an object naming the folder, {"prefix": {"prefix": "mailbox/"}}, not a string',
        ),
        (
            '"items": [{"text": "hi"}], "stages": 5',
            'stages: a list of stage names, ["stt", "llm"], or the names separated by commas, '
            '"stt,llm"; not a number',
        ),
        (
            '"items": [{"text": "hi"}], "stages": ["stt", 3]',
            'stages: a list of stage names, ["stt", "llm"], or the names separated by commas, '
            '"stt,llm"; not a list holding something else',
        ),
    ],
)
def test_a_prefix_or_stages_of_the_wrong_shape_is_refused_saying_the_shape_expected(
    tmp_path: Path, field: str, said: str
) -> None:
    # Before: "prefix: Input should be an object", and for stages pydantic's union member by
    # member ("stages.str: Input should be a valid string; stages.list[str]: ...").
    response = _client(tmp_path, manifest_bytes=4096).post(
        "/v1/batches", content=f"{{{field}}}", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"] == f"The batch is not valid: {said}"


@pytest.mark.parametrize(
    "stages",
    ['"' + "stt,llm," * 5 + '"', '["stt", "llm", "tts", "stt", "llm", "tts", "stt", "llm", "tts"]'],
)
def test_stages_too_long_are_refused_saying_what_stages_may_be_not_counting_items(
    tmp_path: Path, stages: str
) -> None:
    # Before: "stages: Value should have at most 32 items after validation, not 40", its
    # characters called items.
    response = _client(tmp_path, manifest_bytes=4096).post(
        "/v1/batches",
        content=f'{{"items": [{{"text": "hi"}}], "stages": {stages}}}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert message.startswith(
        "The batch is not valid: stages: stt, stt,llm or stt,llm,tts, as a list of stage names, "
        '["stt", "llm"], or the names separated by commas, "stt,llm" (this one is '
    ), message
    assert "items" not in message


@pytest.mark.parametrize(
    ("prefix", "said"),
    [
        (
            '{"prefix": 5}',
            "prefix.prefix: a string, the start of the recordings' keys (a folder, "
            '"mailbox/", or the start of names, "mailbox/2026-"), not a number',
        ),
        (
            '{"prefix": ["mailbox/"]}',
            "prefix.prefix: a string, the start of the recordings' keys (a folder, "
            '"mailbox/", or the start of names, "mailbox/2026-"), not a list',
        ),
        (
            '{"bucket": 5, "prefix": "mailbox/"}',
            "prefix.bucket: a string, the import location's bucket (or leave it out), not a number",
        ),
    ],
)
def test_a_prefix_object_holding_a_value_of_the_wrong_type_says_what_that_value_is(
    tmp_path: Path, prefix: str, said: str
) -> None:
    # Before: "prefix.prefix: Input should be a valid string"; and a bucket of the wrong type
    # was said of the whole prefix ("prefix: an object naming the folder, ..., not a number").
    response = _client(tmp_path, manifest_bytes=4096).post(
        "/v1/batches",
        content=f'{{"prefix": {prefix}}}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"] == f"The batch is not valid: {said}"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            '{"items": [{"key": "a.wav"}, {"key": 5}]}',
            'items.1.key: a string, an object key in the import location, "mailbox/vm1.wav", '
            "not a number",
        ),
        (
            '{"items": [{"url": ["https://example.com/a.wav"]}]}',
            "items.0.url: a string, the recording's http(s) URL, not a list",
        ),
        (
            '{"prefix": {"prefix": ""}}',
            'prefix.prefix: the start of the recordings\' keys (a folder, "mailbox/", or the '
            'start of names, "mailbox/2026-"), not an empty string',
        ),
        (
            '{"prefix": {}}',
            "prefix.prefix: missing: give the start of the recordings' keys (a folder, "
            '"mailbox/", or the start of names, "mailbox/2026-")',
        ),
    ],
)
def test_a_manifest_string_of_the_wrong_type_empty_or_missing_says_what_is_expected(
    tmp_path: Path, body: str, said: str
) -> None:
    # Before: "Input should be a valid string", "String should have at least 1 character",
    # "Field required", none saying what the value is for.
    response = _client(tmp_path, manifest_bytes=4096).post(
        "/v1/batches", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"] == f"The batch is not valid: {said}"


def test_stages_out_of_order_are_refused_naming_the_stages_allowed_in_plain_words(
    tmp_path: Path,
) -> None:
    # Before: "stages must be one of ['stt', 'stt,llm', 'stt,llm,tts'] …", a Python list.
    body = {"items": [{"key": "a.wav"}], "stages": ["stt", "tts"]}

    response = _client(tmp_path).post("/v1/batches", json=body)

    assert response.status_code == 400, response.text
    assert response.json()["error"] == {
        "code": "invalid_stages",
        "message": "stages must be stt, stt,llm or stt,llm,tts (each stage needs the one "
        'before it); got "stt,tts".',
    }
