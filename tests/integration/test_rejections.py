"""Bad uploads get a 4xx with their own code, and leave nothing behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import audio_factory as af
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

# (case, file name, bytes, expected status, expected code)
CASES: list[tuple[str, str, bytes, int, str]] = [
    ("empty file", "voicemail.wav", b"", 400, "empty_file"),
    ("text named .wav", "voicemail.wav", af.text_as_wav(), 415, "unsupported_format"),
    (
        "random bytes named .mp3",
        "voicemail.mp3",
        af.random_bytes(50_000, seed=7),
        415,
        "unsupported_format",
    ),
    ("video without audio", "clip.mp4", af.video_without_audio(), 422, "no_audio_stream"),
    ("cut under 0.3 s", "voicemail.wav", af.truncated("wav", 6_000), 422, "truncated"),
    ("shorter than 0.3 s", "voicemail.wav", af.encode("wav", 0.2), 422, "too_short"),
    (
        "wav magic, garbage body",
        "voicemail.wav",
        af.with_magic(b"RIFF\x00\x00\x00\x00WAVE"),
        422,
        "undecodable",
    ),
]


@pytest.fixture
def nothing_new(running_stack: RunningStack) -> Iterator[None]:
    objects = running_stack.storage.list()
    jobs = running_stack.jobs.all_ids()
    yield
    assert running_stack.storage.list() == objects, "a rejected upload left an object behind"
    assert running_stack.jobs.all_ids() == jobs, "a rejected upload created a job"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_upload_is_refused_with_its_own_code(
    running_stack: RunningStack,
    nothing_new: None,
    name: str,
    data: bytes,
    status: int,
    code: str,
) -> None:
    response = running_stack.http.post("/v1/jobs", files={"file": (name, data, "audio/wav")})

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert len(error["message"]) > 20, "the message must tell a person what to do"


def test_a_30_mb_upload_is_refused_as_too_large(
    running_stack: RunningStack, nothing_new: None
) -> None:
    data = af.random_bytes(30 * 1024 * 1024, seed=1)

    response = running_stack.http.post("/v1/jobs", files={"file": ("big.wav", data)})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_an_oversized_upload_without_content_length_is_cut_off(
    running_stack: RunningStack, nothing_new: None
) -> None:
    boundary = "vpboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n'
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        chunk = b"\0" * (1024 * 1024)
        for _ in range(30):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    response = running_stack.http.post(
        "/v1/jobs",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_request_without_a_file_field_says_what_to_send(
    running_stack: RunningStack, nothing_new: None
) -> None:
    response = running_stack.http.post("/v1/jobs", data={"voice": "joe"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_file"


def test_an_unknown_provider_is_refused_before_anything_is_stored(
    running_stack: RunningStack, nothing_new: None
) -> None:
    response = running_stack.http.post(
        "/v1/jobs",
        files={"file": ("a.wav", af.encode("wav", 1.0))},
        data={"tts_provider": "nope"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_provider"
    assert "local" in response.json()["error"]["message"]


def test_stages_must_start_from_transcription(
    running_stack: RunningStack, nothing_new: None
) -> None:
    response = running_stack.http.post(
        "/v1/jobs",
        files={"file": ("a.wav", af.encode("wav", 1.0))},
        data={"stages": "llm,tts"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_stages"
