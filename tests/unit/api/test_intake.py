"""POST /v1/jobs end to end in one process: small uploads are handled on the event loop,
larger ones on the intake thread, and a job store that fails leaves nothing behind."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api import intake
from api.intake import INLINE_MAX_BYTES
from shared.audio import encode_pcm
from tests import audio_factory as factory
from tests import hostile_audio as hostile
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

RATE = 16_000


def _wav(seconds: float) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), RATE, "wav")


SMALL = _wav(5.0)
LARGE = _wav(40.0)


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def _objects(http: TestClient) -> list[Path]:
    root = services_of(http).settings.storage.local_dir
    assert root is not None
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_sizes_tried_fall_on_both_sides_of_the_inline_limit() -> None:
    assert len(SMALL) <= INLINE_MAX_BYTES < len(LARGE)


@pytest.mark.parametrize("audio", [SMALL, LARGE], ids=["on the loop", "on the intake thread"])
def test_an_upload_is_stored_recorded_and_queued(http: TestClient, audio: bytes) -> None:
    answer = http.post("/v1/jobs", files={"file": ("vm.wav", audio, "audio/wav")})

    assert answer.status_code == 202, answer.text
    job = services_of(http).jobs.get(answer.json()["id"])
    assert job.input.size_bytes == len(audio)
    assert services_of(http).storage.get(job.input.key) == audio
    assert services_of(http).jobs.redis.llen("stt") == 1


class _BrokenRecorder:
    async def create_and_queue(self, job: object) -> None:
        raise ConnectionError("the job store went away")


@pytest.mark.parametrize("audio", [SMALL, LARGE], ids=["on the loop", "on the intake thread"])
def test_a_job_store_failure_answers_503_and_deletes_the_stored_input(
    http: TestClient, audio: bytes
) -> None:
    app = http.app
    app.state.services = dataclasses.replace(services_of(http), recorder=_BrokenRecorder())  # type: ignore[attr-defined,arg-type]

    answer = http.post("/v1/jobs", files={"file": ("vm.wav", audio, "audio/wav")})

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "job_store_unavailable"
    assert _objects(http) == []
    assert services_of(http).jobs.list_ids("default") == []


def test_a_text_job_with_a_control_character_is_refused_with_400_naming_the_field(
    http: TestClient,
) -> None:
    answer = http.post("/v1/jobs", data={"text": "Hello \x00 world"})

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_text"
    assert "'text' field contains U+0000" in answer.json()["error"]["message"]
    assert _objects(http) == []


@pytest.mark.parametrize("audio", [SMALL, LARGE], ids=["on the loop", "on the intake thread"])
def test_an_idempotency_key_sent_again_with_other_options_is_a_conflict_not_a_replay(
    http: TestClient, audio: bytes
) -> None:
    # Before, "stages=stt" after "stt,llm,tts" under the same key got the first job back
    # (200, replayed): the client believed it had a transcription-only job.
    key = {"Idempotency-Key": "vm-42"}
    file = {"file": ("vm.wav", audio, "audio/wav")}
    first = http.post("/v1/jobs", files=file, headers=key)
    same = http.post("/v1/jobs", files=file, headers=key)
    other = http.post("/v1/jobs", files=file, data={"stages": "stt"}, headers=key)

    assert (first.status_code, same.status_code) == (202, 200)
    assert same.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert "different options" in other.json()["error"]["message"]


def test_a_redacting_jobs_file_name_loses_the_callers_number_and_name(http: TestClient) -> None:
    upload = ("+14155552671 Maria Lopez.wav", SMALL, "audio/wav")

    redacted = http.post("/v1/jobs", files={"file": upload}, data={"redact": "all"})
    kept = http.post("/v1/jobs", files={"file": upload})

    jobs = services_of(http).jobs
    assert jobs.get(redacted.json()["id"]).input.filename == "[PHONE_NUMBER] [PERSON_NAME].wav"
    assert jobs.get(kept.json()["id"]).input.filename == "+14155552671 Maria Lopez.wav"


def test_an_upload_is_answered_before_it_is_hashed_unless_a_key_needs_the_hash(
    http: TestClient,
) -> None:
    # Hashing is left to the transcription stage, which reads the recording anyway: it was
    # the largest single cost of an upload (api.intake).
    plain = http.post("/v1/jobs", files={"file": ("vm.wav", SMALL, "audio/wav")})
    keyed = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", SMALL, "audio/wav")},
        headers={"Idempotency-Key": "vm-hash"},
    )

    assert plain.status_code == keyed.status_code == 202
    assert plain.json()["input"]["sha256"] is None
    assert keyed.json()["input"]["sha256"] == hashlib.sha256(SMALL).hexdigest()
    stored = services_of(http).jobs.get(keyed.json()["id"])
    assert stored.input.sha256 == hashlib.sha256(SMALL).hexdigest()


@pytest.mark.parametrize(
    ("field", "suggested"),
    [("stage", "'stages'"), ("callback", "'callback_url'"), ("metadata", "'file'")],
)
def test_a_form_field_the_route_does_not_take_is_refused_naming_it_and_what_to_send(
    http: TestClient, field: str, suggested: str
) -> None:
    # Before, it was dropped without a word: "stage=stt" ran all three stages, "callback="
    # sent no events, and the client was never told.
    answer = http.post(
        "/v1/jobs", data={field: "stt"}, files={"file": ("vm.wav", SMALL, "audio/wav")}
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unknown_field"
    assert repr(field) in error["message"]
    assert suggested in error["message"]
    assert _objects(http) == []


def test_an_empty_field_the_route_does_not_take_asks_for_nothing_and_is_let_pass(
    http: TestClient,
) -> None:
    # As an empty option means its default; clients send one to have a form sent as multipart.
    answer = http.post("/v1/jobs", files={"_": (None, ""), "file": ("vm.wav", SMALL, "audio/wav")})

    assert answer.status_code == 202, answer.text


def test_an_ogg_upload_of_many_tiny_packets_is_probed_off_the_event_loop(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 s of Opus in 2.5 ms frames is 120,000 packets in ~500 kB: under the inline size,
    # and reading its packets (the only way to measure it) held the event loop, and every
    # other request of the process, ~0.4 s (0.8 s at 590 s in 970 kB).
    audio = hostile.opus_in_short_frames(300)

    answer, probed_on = _probed_on(http, monkeypatch, "vm.ogg", audio, "audio/ogg")

    assert answer.status_code == 202, answer.text
    assert len(audio) <= INLINE_MAX_BYTES
    assert probed_on[0].startswith("intake")


def _probed_on(
    http: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    audio: bytes,
    media_type: str = "application/octet-stream",
) -> Any:
    """The answer to uploading ``audio`` as ``name``, and the threads its probe ran on."""
    probed_on: list[str] = []
    real = intake.validated_input

    def spying(*args: Any, **kwargs: Any) -> Any:
        probed_on.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(intake, "validated_input", spying)
    return http.post("/v1/jobs", files={"file": (name, audio, media_type)}), probed_on


def test_an_amr_upload_of_joined_files_is_probed_off_the_event_loop(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two AMR files joined around a megabyte of one-byte "no data" frames: the join is found
    # by walking every frame in Python (shared.audio.structure.amr_as_one), which held the
    # event loop, and every other request of the process, ~0.3 s before the probe refused it.
    head, tail = factory.encode("amr", 1.0), factory.encode("amr", 1.0, seed=1)
    audio = head + b"\x7c" * (INLINE_MAX_BYTES - len(head) - len(tail)) + tail

    answer, probed_on = _probed_on(http, monkeypatch, "vm.amr", audio)

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "too_long"
    assert len(audio) <= INLINE_MAX_BYTES
    assert probed_on[0].startswith("intake")


def test_a_flac_upload_of_many_tiny_frames_is_probed_off_the_event_loop(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FLAC frames of 16 samples, ~15 bytes each: 57,600 in under a megabyte (4.8 s at 192
    # kHz). The probe counts every frame by its header, and held the event loop ~0.3 s.
    audio = hostile.flac_silence(4.8, rate=192_000, block=16)

    answer, probed_on = _probed_on(http, monkeypatch, "vm.flac", audio)

    assert answer.status_code == 202, answer.text
    assert len(audio) <= INLINE_MAX_BYTES
    assert probed_on[0].startswith("intake")


def test_a_raw_aac_upload_of_many_short_frames_is_probed_off_the_event_loop(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Raw AAC records no length, so every ADTS frame is counted: 590 s of silence at 96 kHz
    # is 55,000 frames in ~610 kB, which held the event loop ~0.3 s.
    audio = factory.encode_samples(np.zeros(590 * 96_000, dtype=np.int16), "aac", 96_000)

    answer, probed_on = _probed_on(http, monkeypatch, "vm.aac", audio)

    assert answer.status_code == 202, answer.text
    assert len(audio) <= INLINE_MAX_BYTES
    assert probed_on[0].startswith("intake")


def test_an_upload_past_the_sample_rate_limit_is_refused_at_intake_naming_both(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey, api={"max_sample_rate_hz": 96000})
    flac = hostile.flac_silence(5, rate=192000, channels=2)

    answer = http.post("/v1/jobs", files={"file": ("vm.flac", flac, "audio/flac")})

    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "sample_rate_too_high"
    assert "192,000 Hz" in error["message"]
    assert "96,000 Hz" in error["message"]
    assert _objects(http) == []
