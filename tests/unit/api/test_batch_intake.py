"""POST /v1/batches in one process against a real Valkey: what a batch form's parts and
fields become, and what is refused before anything is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def test_a_part_named_past_255_characters_is_kept_under_its_name_shortened_as_jobs_do(
    http: TestClient,
) -> None:
    files = [("file", ("a.wav", b"RIFF")), ("file", ("b" * 300 + ".wav", b"RIFF"))]

    answer = http.post("/v1/batches", files=files)

    assert answer.status_code == 202, answer.text
    items = services_of(http).batches.items(answer.json()["id"], 0, 2)
    assert items[0].filename == "a.wav"
    assert items[1].filename == "b" * 196 + ".wav"  # its end kept: the extension


def test_a_file_name_with_quotes_is_kept_as_the_user_named_it_not_as_the_form_spelt_it(
    http: TestClient,
) -> None:
    # httpx (so `voicepipe submit`), curl and browsers write '"' in a part's file name as
    # %22, as HTML's form encoding says: the export showed 'Zoë %22work%22.m4a'.
    files = [("file", ('Zoë "work".wav', b"RIFF")), ("file", ("100%25 done.wav", b"RIFF"))]

    answer = http.post("/v1/batches", files=files)

    assert answer.status_code == 202, answer.text
    items = services_of(http).batches.items(answer.json()["id"], 0, 2)
    assert [i.filename for i in items] == ['Zoë "work".wav', "100%25 done.wav"]


def test_a_batch_stopped_after_some_parts_were_staged_leaves_none_behind(
    http: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = services_of(http).storage
    put = storage.put

    def put_once(key: str, data: bytes, *args: object) -> None:
        if key.endswith("000001"):
            raise OSError("disk full")
        put(key, data, *args)

    monkeypatch.setattr(storage, "put", put_once)
    files = [("file", ("a.wav", b"RIFF")), ("file", ("b.wav", b"RIFF"))]

    answer = http.post("/v1/batches", files=files)

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == []


def test_a_manifest_text_with_a_control_character_is_refused_with_400_naming_the_item(
    http: TestClient, tmp_path: Path
) -> None:
    items = [{"text": "Call me back"}, {"text": "Hello \x00 world"}]

    answer = http.post("/v1/batches", json={"items": items})

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_batch"
    assert "items.1.text" in answer.json()["error"]["message"]
    assert "U+0000" in answer.json()["error"]["message"]
    assert not (tmp_path / "objects").exists() or not any((tmp_path / "objects").rglob("*.txt"))


def test_a_manifest_text_with_a_right_to_left_override_is_refused_at_intake_naming_the_item(
    http: TestClient,
) -> None:
    # As POST /v1/jobs refuses it; before, the batch was made and the item passed as well.
    items = [{"text": "Call me back"}, {"text": "Call me on \u202e1234"}]

    answer = http.post("/v1/batches", json={"items": items})

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_batch"
    assert "items.1.text" in answer.json()["error"]["message"]
    assert "U+202E" in answer.json()["error"]["message"]


@pytest.mark.parametrize("stages", [["stt", "llm"], "stt,llm"])
def test_a_json_batch_takes_its_stages_as_a_list_as_answers_show_them_or_as_text(
    http: TestClient, stages: object
) -> None:
    # Before, ["stt", "llm"] was refused: "Input should be a valid string".
    answer = http.post("/v1/batches", json={"items": [{"key": "a.wav"}], "stages": stages})

    assert answer.status_code == 202, answer.text
    assert answer.json()["options"]["stages"] == ["stt", "llm"]


def test_a_manifest_item_that_is_not_valid_is_named_by_its_place(http: TestClient) -> None:
    # Before: "An item is not valid: body: …", with nothing to find it by among thousands.
    items = [{"key": "a.wav"}, {"text": "hi", "key": "b.wav"}]

    answer = http.post("/v1/batches", json={"items": items})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_batch"
    assert answer.json()["error"]["message"].startswith("The batch is not valid: items.1: ")


@pytest.mark.parametrize("key", ["mail/../secret.wav", "../a.wav", "mail/a\x00.wav", "/a.wav"])
def test_a_manifest_key_no_store_can_hold_is_refused_at_intake_naming_its_item(
    http: TestClient, key: str
) -> None:
    # Before: taken, and each such item rejected as object_not_found once processed.
    answer = http.post("/v1/batches", json={"items": [{"key": "a.wav"}, {"key": key}]})

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_batch"
    assert "items.1.key" in answer.json()["error"]["message"]
    assert services_of(http).batches.list_ids("default", 10) == []


def test_a_redacting_batchs_part_names_lose_the_callers_number(http: TestClient) -> None:
    files = [("file", ("vm_+14155552671_Maria_Lopez.wav", b"RIFF")), ("file", ("a.wav", b"RIFF"))]

    answer = http.post("/v1/batches", files=files, data={"redact": "phone_number"})

    assert answer.status_code == 202, answer.text
    items = services_of(http).batches.items(answer.json()["id"], 0, 2)
    assert [i.filename for i in items] == ["vm_[PHONE_NUMBER]_Maria_Lopez.wav", "a.wav"]


def test_a_manifest_of_texts_alone_naming_an_stt_provider_is_refused_as_a_text_job_is(
    http: TestClient,
) -> None:
    # A text job naming stt_provider is 400 option_not_applicable; a manifest of texts alone
    # was taken with it stored and never used. Beside a recording it applies, and passes.
    texts = [{"text": "Call me back."}, {"text": "It is Sam."}]

    answer = http.post("/v1/batches", json={"items": texts, "stt_provider": "local"})
    mixed = http.post(
        "/v1/batches", json={"items": [*texts, {"key": "a.wav"}], "stt_provider": "local"}
    )

    assert answer.status_code == 400, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["param"]) == (
        "option_not_applicable",
        "stt_provider",
    )
    assert mixed.status_code == 202, mixed.text
    assert len(services_of(http).batches.list_ids("default", 10)) == 1
