"""Whisper's decoding of long audio: in pieces, each timed from where it was cut
(workers.providers.stt.whisper_decoding)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from workers.providers.stt import whisper_decoding
from workers.providers.stt.whisper_offline import WhisperOfflineStt

RATE = 16000


class _Model:
    """Hears one word half a second into whatever audio it is handed, in one segment that
    spans it all, and notes how long each audio was."""

    def __init__(self) -> None:
        self.lengths: list[float] = []

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        seconds = len(audio) / RATE
        self.lengths.append(seconds)
        word = SimpleNamespace(word=" hello", start=0.5, end=1.0, probability=0.9)
        segment = SimpleNamespace(
            text=" hello",
            start=0.0,
            end=seconds,
            words=[word],
            compression_ratio=1.2,
            no_speech_prob=0.1,
        )
        return [segment], None


def _decoded(seconds: float) -> tuple[_Model, Any]:
    """``seconds`` of sound with a short pause every 25 s, decoded."""
    model = _Model()
    stt = WhisperOfflineStt()
    stt._model = model
    sound = np.sin(np.arange(int(seconds * RATE)) / RATE * 2 * np.pi * 220) * 3000
    for pause_s in range(25, int(seconds), 25):
        sound[pause_s * RATE : int((pause_s + 0.3) * RATE)] = 0
    return model, stt._decode(sound.astype(np.int16))


def test_long_audio_is_handed_to_whisper_in_pieces_no_longer_than_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An hour at the real limit would take minutes of test; the cutting is the same.
    monkeypatch.setattr(whisper_decoding, "MAX_PIECE_S", 30.0, raising=False)
    model, _ = _decoded(70.0)

    # Cut in the pauses, at 25 and 50 s.
    assert len(model.lengths) == 3
    assert max(model.lengths) <= 30.0
    assert sum(model.lengths) == pytest.approx(70.0)


def test_each_pieces_words_are_timed_from_the_start_of_the_recording(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(whisper_decoding, "MAX_PIECE_S", 30.0, raising=False)
    model, decoding = _decoded(70.0)

    piece_starts = np.cumsum([0.0, *model.lengths[:-1]])
    assert [w.start_s for w in decoding.words] == [round(s + 0.5, 2) for s in piece_starts]
    assert [w.end_s for w in decoding.words] == [round(s + 1.0, 2) for s in piece_starts]
    assert decoding.texts == ["hello"] * 3


def test_audio_within_the_limit_is_decoded_whole() -> None:
    model, decoding = _decoded(70.0)

    assert model.lengths == [70.0]
    assert [w.start_s for w in decoding.words] == [0.5]
