"""Whisper base itself on a second of tone: how many 30 s windows it encodes for a recording
whose window loops and is decoded again (workers.providers.stt.whisper_decoding,
whisper_language)."""

from __future__ import annotations

from typing import Any

import pytest
from faster_whisper import WhisperModel

from tests.audio_factory import tone
from workers.providers.stt.whisper_offline import WhisperOfflineStt

# A tone Whisper base loops on ("I'm sorry, I'm sorry, ..."), measured.
LOOPED_TONE = tone(1.0, seed=3)


@pytest.fixture(scope="module")
def stt() -> WhisperOfflineStt:
    provider = WhisperOfflineStt()
    provider.load()
    return provider


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The features of each encoding the model computes (not one handed back)."""
    features: list[Any] = []
    encode = WhisperModel.encode

    def counted(model: Any, window: Any) -> Any:
        features.append(window)
        return encode(model, window)

    monkeypatch.setattr(WhisperModel, "encode", counted)
    return features


def test_a_looping_second_of_tone_is_encoded_once_and_written_as_nothing(
    stt: WhisperOfflineStt, computed: list[Any]
) -> None:
    stt._loaded().start_hearing()
    decoding = stt._decode(LOOPED_TONE)

    assert decoding.looped
    assert decoding.texts == []
    # Before: the loop's tail as a window of its own, and the retry's window encoded again.
    assert len(computed) == 1
