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

    response = _client(tmp_path).post("/v1/batches", files=sent, data={"comment": "kept aside"})

    error = _refused(tmp_path, response)
    assert "'files'" in error["message"]
    assert "b.wav" in error["message"]
