"""A batch upload whose recordings are not all `file` parts with a file name is refused with
a 400 naming the part, before anything is stored: before, such a part was dropped and the
batch made without it (202, one recording fewer than sent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from shared.settings import Settings

WAV = b"RIFF" + b"\0" * 60


def _client(tmp_path: Path) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": "redis://127.0.0.1:1/0"},  # nothing listens: a store call would fail
        storage={"local_dir": tmp_path / "objects"},
    )
    return TestClient(create_app(settings))


def _refused(tmp_path: Path, response: object) -> dict[str, str]:
    assert getattr(response, "status_code", None) == 400, getattr(response, "text", "")
    error: dict[str, str] = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "invalid_request"
    assert not (tmp_path / "objects").exists() or list((tmp_path / "objects").rglob("*")) == []
    return error


@pytest.mark.parametrize(
    "sent",
    [
        [("file", ("a.wav", WAV)), ("file", (None, WAV))],  # curl -F 'file=<b.wav'
        [("file", ("a.wav", WAV)), ("file", ("", WAV))],  # a file name left out
    ],
    ids=["no-filename", "empty-filename"],
)
def test_a_file_part_without_a_file_name_among_recordings_is_refused_naming_it(
    tmp_path: Path, sent: list[tuple[str, tuple[str | None, bytes]]]
) -> None:
    response = _client(tmp_path).post("/v1/batches", files=sent)

    error = _refused(tmp_path, response)
    assert "part 2" in error["message"]
    assert "file name" in error["message"]


def test_a_recording_sent_under_another_name_than_file_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    sent = [("file", ("a.wav", WAV)), ("files", ("b.wav", WAV))]

    response = _client(tmp_path).post("/v1/batches", files=sent)

    error = _refused(tmp_path, response)
    assert "'files'" in error["message"]
    assert "b.wav" in error["message"]


@pytest.mark.parametrize("field", ["stage", "callback", "comment"])
def test_a_form_field_a_batch_does_not_take_is_refused_naming_it_and_the_nearest(
    tmp_path: Path, field: str
) -> None:
    # Dropped before: a misspelt "stage=stt" ran every job of the batch through all three
    # stages, and "callback=" left it without events, each answered 202.
    sent = [("file", ("a.wav", WAV))]

    response = _client(tmp_path).post("/v1/batches", files=sent, data={field: "stt"})

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "unknown_field"
    assert f"{field!r}" in error["message"]
    assert "POST /v1/batches" in error["message"]
    if field == "stage":
        assert "did you mean 'stages'?" in error["message"]
    stored = tmp_path / "objects"
    assert not stored.exists() or list(stored.rglob("*")) == []


def test_an_empty_field_a_batch_does_not_take_asks_for_nothing(tmp_path: Path) -> None:
    sent = [("file", ("a.wav", WAV)), ("_", (None, b""))]

    response = _client(tmp_path).post("/v1/batches", files=sent)

    # Past the form: refused only for want of a broker here (nothing listens).
    assert response.json()["error"]["code"] != "unknown_field", response.text
