"""The OpenAI-compatible routes through the official SDK: what each refuses, and how, as
OpenAI would."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

import numpy as np
import openai
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.openai_compat import transcriptions
from shared import transcript_formats
from shared.audio import encode_pcm
from shared.models import Job, JobStatus, Transcript
from shared.settings import Settings
from shared.transcript_formats import Segment, segments
from tests import hostile_audio as hostile
from tests.conftest import ValkeyProcess


@pytest.mark.parametrize(
    ("field", "value"),
    [("speed", 5), ("response_format", "ogg"), ("input", ""), ("voice", "v" * 200)],
)
def test_a_speech_field_openai_would_refuse_is_its_400_naming_the_field(
    sdk: openai.OpenAI, field: str, value: object
) -> None:
    call: dict[str, Any] = {"model": "tts-1", "voice": "alloy", "input": "Hello there."}
    call[field] = value

    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.speech.create(**call)

    body = refused.value.body
    assert isinstance(body, dict)
    assert body["param"] == field
    assert body["type"] == "invalid_request_error"
    assert body["code"] == "invalid_value"
    assert field in body["message"]


def test_speech_without_words_names_its_input_field_not_those_of_jobs(
    sdk: openai.OpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.speech.create(model="tts-1", voice="alloy", input="   ")

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["param"] == "input"
    assert "input" in refused.value.message
    assert "'text'" not in refused.value.message
    assert "'file'" not in refused.value.message


def test_speech_sent_as_malformed_json_is_a_400_about_the_body_naming_no_field(
    sdk: openai.OpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.post(
            "/audio/speech",
            content=b'{"model": "tts-1",',
            cast_to=bytes,
            options={"headers": {"Content-Type": "application/json"}},
        )

    body = refused.value.body
    assert isinstance(body, dict)
    assert body["param"] is None
    assert body["code"] == "invalid_json"
    assert "JSON" in body["message"]


def test_a_transcription_field_openai_would_refuse_names_the_field(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.transcriptions.create(
            model="whisper-1", file=("vm.wav", b"RIFF"), temperature=3.0
        )

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["param"] == "temperature"


def test_an_unknown_timestamp_granularity_names_the_field_not_an_index_into_it(
    sdk: openai.OpenAI,
) -> None:
    # Before, `param` was "timestamp_granularities.1", a field no form has.
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.transcriptions.create(
            model="whisper-1",
            file=("vm.wav", b"RIFF"),
            response_format="verbose_json",
            timestamp_granularities=["word", "sentence"],  # type: ignore[list-item]
        )

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["param"] == "timestamp_granularities"
    assert "'word' or 'segment'" in refused.value.message


@pytest.mark.parametrize("response_format", ["json", "text", "srt", "vtt"])
def test_word_timestamps_asked_of_a_format_without_words_are_refused_as_openai_does(
    sdk: openai.OpenAI, response_format: Literal["json", "text", "srt", "vtt"]
) -> None:
    # Before, the words were left out and the transcript answered as if they had been asked
    # for nothing.
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.transcriptions.create(
            model="whisper-1",
            file=("vm.wav", b"RIFF"),
            response_format=response_format,
            timestamp_granularities=["word"],
        )

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["param"] == "timestamp_granularities"
    assert "verbose_json" in refused.value.body["message"]


@pytest.mark.parametrize(
    ("field", "parts"),
    [
        ("file", [("file", ("a.wav", b"RIFF")), ("file", ("b.wav", b"RIFF"))]),
        ("model", [("file", ("a.wav", b"RIFF")), ("model", (None, "a")), ("model", (None, "b"))]),
    ],
)
def test_a_transcription_field_sent_twice_is_refused_naming_it(
    tmp_path: Path, field: str, parts: list[tuple[str, tuple[str | None, object]]]
) -> None:
    # Before, the first of two recordings was transcribed and the second dropped unsaid.
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})

    answer = TestClient(create_app(settings)).post("/v1/audio/transcriptions", files=parts)

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"]) == ("duplicate_field", field)


def test_repeated_timestamp_granularities_are_one_list_not_a_duplicate(
    sdk: openai.OpenAI,
) -> None:
    with pytest.raises(openai.APIStatusError) as refused:
        sdk.audio.transcriptions.create(
            model="whisper-1",
            file=("vm.wav", b"RIFF"),
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
        )

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["code"] not in ("duplicate_field", "invalid_value")


def _tone_wav(seconds: float) -> bytes:
    t = np.arange(int(seconds * 16_000)) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (b"just some text, not a recording", "unsupported_format"),
        (None, "too_short"),
        (hostile.flac_silence(590, rate=655350, channels=8), "sample_rate_too_high"),
    ],
)
def test_a_recording_refused_at_intake_is_openais_400_keeping_its_code(
    sdk: openai.OpenAI, upload: bytes | None, code: str
) -> None:
    # Before, 415 and 422: the SDKs raise other classes than the BadRequestError that code
    # written for OpenAI catches for a file it cannot use.
    data = upload if upload is not None else _tone_wav(0.1)

    with pytest.raises(openai.BadRequestError) as refused:
        sdk.audio.transcriptions.create(model="whisper-1", file=("vm.wav", data))

    assert isinstance(refused.value.body, dict)
    assert (refused.value.body["code"], refused.value.body["type"]) == (
        code,
        "invalid_request_error",
    )


@pytest.mark.parametrize("spelling", ["true", "True", "1"])
def test_streamed_transcription_is_refused_however_the_flag_is_spelt(
    tmp_path: Path, spelling: str
) -> None:
    # Before, only "true" was: "True" or "1" got a JSON body where events were awaited.
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})
    parts = [("file", ("a.wav", b"RIFF")), ("stream", (None, spelling))]

    answer = TestClient(create_app(settings)).post("/v1/audio/transcriptions", files=parts)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "streaming_not_offered"


def test_a_stream_flag_that_is_no_boolean_is_refused_naming_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})
    parts = [("file", ("a.wav", b"RIFF")), ("stream", (None, "maybe"))]

    answer = TestClient(create_app(settings)).post("/v1/audio/transcriptions", files=parts)

    assert answer.status_code == 400, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["param"]) == (
        "invalid_value",
        "stream",
    )


def test_a_model_the_deployment_runs_is_retrieved_as_the_list_gives_it(sdk: openai.OpenAI) -> None:
    listed = {model.id: model for model in sdk.models.list()}

    local = sdk.models.retrieve("voicepipe-local")

    assert local == listed["voicepipe-local"]
    assert (local.model_extra or {})["stages"] == ["stt", "llm", "tts"]


def test_a_model_the_deployment_does_not_run_is_openais_404_model_not_found(
    sdk: openai.OpenAI,
) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.models.retrieve("voicepipe-openai")  # exists, but has no key here

    body = missing.value.body
    assert isinstance(body, dict)
    assert body["code"] == "model_not_found"
    assert body["type"] == "invalid_request_error"
    assert "voicepipe-local" in body["message"]


def test_translation_is_refused_in_openais_shape_pointing_to_transcription(
    sdk: openai.OpenAI,
) -> None:
    with pytest.raises(openai.NotFoundError) as refused:
        sdk.audio.translations.create(model="whisper-1", file=("vm.wav", b"RIFF"))

    body = refused.value.body
    assert isinstance(body, dict)
    assert body["code"] == "translations_not_offered"
    assert "/v1/audio/transcriptions" in body["message"]


def test_speech_input_with_a_control_character_is_refused_with_400_before_any_job(
    tmp_path: Path,
) -> None:
    # Nothing listens on the broker: a job queued would fail, not answer 400.
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})
    body = {"model": "tts-1", "voice": "alloy", "input": "Hello \u0000 world"}

    answer = TestClient(create_app(settings)).post("/v1/audio/speech", json=body)

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["type"]) == ("invalid_text", "invalid_request_error")
    assert "'input' field contains U+0000" in error["message"]
    assert error["param"] == "input"


def test_a_transcription_form_cut_off_before_its_closing_boundary_is_refused(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"})
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="vm.wav"\r\n\r\nRIFF\r\n'
        b'--B\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'
    )

    answer = TestClient(create_app(settings)).post(
        "/v1/audio/transcriptions",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )

    assert answer.status_code == 400, answer.text
    assert "closing boundary" in answer.json()["error"]["message"]


def test_refusals_of_the_openai_calls_are_counted_as_intake_rejections(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # Before, only /v1/jobs and /v1/batches counted theirs for /metrics.
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, storage={"local_dir": tmp_path / "objects"}
    )
    with TestClient(create_app(settings)) as http:
        figures = http.app.state.services.refusals  # type: ignore[attr-defined]
        before = figures.rejections()
        speech = http.post("/v1/audio/speech", json={"model": "tts-1", "voice": "a", "speed": 9})
        heard = http.post("/v1/audio/transcriptions", data={"model": "whisper-1"})

        after = figures.rejections()

    assert (speech.status_code, heard.status_code) == (400, 400)
    assert after.get("invalid_value", 0) == before.get("invalid_value", 0) + 1
    assert after.get("missing_file", 0) == before.get("missing_file", 0) + 1


def test_streamed_speech_longer_than_the_text_limit_is_refused_whole_naming_input(
    tmp_path: Path,
) -> None:
    # Each sentence alone is under the limit: before, a streamed call was cut into jobs
    # before the whole was measured, and the deployment's limit did not hold for it.
    settings = Settings(
        data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"}, api={"max_text_chars": 60}
    )
    sentence = "This sentence of words is forty characters. "
    body = {"model": "tts-1", "voice": "alloy", "input": sentence * 3, "stream_format": "audio"}

    answer = TestClient(create_app(settings)).post("/v1/audio/speech", json=body)

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"]) == ("text_too_long", "input")


@pytest.mark.parametrize("response_format", ["verbose_json", "srt"])
def test_a_finished_transcription_is_rendered_off_the_event_loop(
    sdk: openai.OpenAI,
    monkeypatch: pytest.MonkeyPatch,
    response_format: Literal["verbose_json", "srt"],
) -> None:
    # A long recording's captions and segments take a fifth of a second of CPU and more: on
    # the loop, every other request of the API process would wait for them.
    on_loop: list[bool] = []
    heard = Transcript(text="Hello there.", provider="local", duration_s=1.0)

    async def finished(services: Any, job: Job, wait_s: float) -> Job:
        job.status = JobStatus.SUCCEEDED
        return job

    async def stored(services: Any, job: Job) -> Transcript:
        return heard

    def rendering(transcript: Transcript) -> list[Segment]:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return segments(transcript)

    monkeypatch.setattr(transcriptions, "finished", finished)
    monkeypatch.setattr(transcriptions, "_transcript", stored)
    monkeypatch.setattr(transcriptions, "segments", rendering)
    monkeypatch.setattr(transcript_formats, "segments", rendering)
    wav = encode_pcm(np.zeros(16000, dtype=np.int16), 16000, "wav")

    sdk.audio.transcriptions.create(
        model="whisper-1",
        file=("vm.wav", wav),
        response_format=response_format,
        timestamp_granularities=["segment"] if response_format == "verbose_json" else [],
    )

    assert on_loop
    assert not any(on_loop)
