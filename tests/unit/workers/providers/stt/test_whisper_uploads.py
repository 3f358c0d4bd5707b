"""Whisper API: uploads re-encoded as mp3 when the API would refuse them as they are (over 25 MB,
a format it does not take, no original bytes), and digital silence answered without a call."""

from __future__ import annotations

import numpy as np
import pytest

from shared.audio import decode_pcm16k
from tests.audio_factory import encode_samples, tone
from tests.fakes import openai as openai_fake
from tests.fakes.openai import OpenAIFake
from tests.unit.workers.providers.stt.whisper_api_helpers import (
    PATH,
    form_fields,
    settings_for,
    transcribe_error,
)
from workers.providers.base import AudioInput
from workers.providers.stt import whisper
from workers.providers.stt.whisper import WhisperStt


@pytest.fixture(scope="module")
def oversized() -> AudioInput:
    """7 minutes of 16 kHz stereo WAV: just over 25 MB, built without a decode."""
    mono = np.tile(tone(1.0), 7 * 60)  # a repeated second costs no synthesis
    data = encode_samples(np.stack([mono, mono]), "wav", 16_000, channels=2)
    assert len(data) > 25 * 1024 * 1024
    return AudioInput(data=data, media_type="audio/wav", extension="wav", pcm16k=mono)


def test_audio_over_25_mb_is_reencoded_and_accepted(
    fake: OpenAIFake, oversized: AudioInput
) -> None:
    fake.transcript_text = "a long message"
    transcript = WhisperStt(settings_for(fake)).transcribe(oversized)

    ((filename, sent),) = form_fields(fake.calls(PATH)[0])["file"]
    assert filename == "audio.mp3"
    assert len(sent) < whisper.MAX_UPLOAD_BYTES
    assert transcript.text == "a long message"
    assert transcript.details["reencoded"]["original_bytes"] == len(oversized.data)
    assert transcript.details["reencoded"]["format"] == "mp3"
    assert transcript.duration_s == pytest.approx(420, abs=1)


def test_the_fake_answers_413_to_an_upload_over_25_mb(
    fake: OpenAIFake, oversized: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper, "MAX_UPLOAD_BYTES", 10**9)  # send it as it is
    error = transcribe_error(settings_for(fake), oversized)

    assert (error.code, error.status) == ("provider_rejected", 413)


def test_a_file_just_under_the_limit_is_reencoded_as_the_form_around_it_counts_too(
    fake: OpenAIFake, spoken: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The API's limit is on the request body; the file alone fits with 100 bytes to spare.
    limit = len(spoken.data) + 100
    monkeypatch.setattr(whisper, "MAX_UPLOAD_BYTES", limit)
    monkeypatch.setattr(openai_fake, "MAX_UPLOAD_BYTES", limit)

    transcript = WhisperStt(settings_for(fake)).transcribe(spoken)

    (call,) = fake.calls(PATH)
    assert len(call.body) <= limit
    assert form_fields(call)["file"][0][0] == "audio.mp3"
    assert "upload limit" in transcript.details["reencoded"]["reason"]


@pytest.mark.parametrize("case", ["over-limit", "raw-aac", "no-bytes"])
def test_uploads_the_api_would_refuse_as_they_are_are_reencoded_as_mp3(
    fake: OpenAIFake, spoken: AudioInput, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    audio, reason = spoken, "upload limit"
    if case == "over-limit":  # the limit is a module constant so this stays cheap
        monkeypatch.setattr(whisper, "MAX_UPLOAD_BYTES", len(spoken.data) - 1)
    elif case == "raw-aac":  # ADTS is not among the formats the API takes
        data = encode_samples(tone(2.0), "aac", 16_000)
        audio, reason = AudioInput(data, "audio/aac", "aac", decode_pcm16k(data)), "aac"
    else:
        audio, reason = AudioInput(b"", "audio/wav", "wav", spoken.pcm16k), "no original"
    transcript = WhisperStt(settings_for(fake)).transcribe(audio)

    ((filename, sent),) = form_fields(fake.calls(PATH)[0])["file"]
    assert filename == "audio.mp3"
    assert decode_pcm16k(sent).size == pytest.approx(audio.pcm16k.size, rel=0.05)
    assert reason in transcript.details["reencoded"]["reason"]


def test_digital_silence_is_answered_empty_without_a_call(fake: OpenAIFake) -> None:
    silence = np.zeros(16_000, dtype=np.int16)
    audio = AudioInput(encode_samples(silence, "wav", 16_000), "audio/wav", "wav", silence)
    transcript = WhisperStt(settings_for(fake)).transcribe(audio)

    assert (transcript.text, transcript.words) == ("", [])
    assert transcript.details["skipped"] == "silent audio"
    assert fake.calls(PATH) == []
