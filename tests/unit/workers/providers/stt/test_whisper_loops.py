"""Whisper's decoding loops: noise's invented loops dropped, a looping window of speech
decoded again (workers.providers.stt.whisper_loops)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from workers.providers.stt.whisper_loops import (
    RETRY_REPETITION_PENALTY,
    hallucinated,
    looping,
)
from workers.providers.stt.whisper_offline import WhisperOfflineStt


def _segment(text: str, compression_ratio: float = 1.2, no_speech_prob: float = 0.2) -> Any:
    return SimpleNamespace(
        text=text, compression_ratio=compression_ratio, no_speech_prob=no_speech_prob, words=[]
    )


def test_noise_looping_with_no_speech_is_invented_and_not_decoded_again() -> None:
    noise = _segment(
        " I'm sorry, I'm sorry, I'm sorry.", compression_ratio=8.0, no_speech_prob=0.98
    )
    assert hallucinated(noise)
    assert not looping(noise)


@pytest.mark.parametrize(
    "segment",
    [
        # Whisper's own sign of a loop.
        _segment(" Hi, it's Niamh. Call me back.", compression_ratio=2.46),
        # A loop a long window's ratio hides.
        _segment(" Please call me at 713-864-2-1-1-1-1-1-1-1-1-1-1", compression_ratio=2.1),
    ],
)
def test_speech_stuck_in_a_loop_is_to_be_decoded_again(segment: Any) -> None:
    assert looping(segment)


def test_speech_with_a_digit_said_a_few_times_is_no_loop() -> None:
    assert not looping(_segment(" My number is 0800-111-1111, double one."))


class _Model:
    """Decodes a window as a loop unless asked with the retry's repetition penalty."""

    def __init__(self, again: str) -> None:
        self.penalties: list[float] = []
        self._again = again

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        self.penalties.append(options["repetition_penalty"])
        if options["repetition_penalty"] == RETRY_REPETITION_PENALTY:
            return [_segment(self._again)], None
        return [_segment(" Hi, it's Niamh.", 2.46), _segment(" 8-8-8-8-8-8-8-8-8", 3.5)], None


def _decoded(model: _Model) -> list[str]:
    stt = WhisperOfflineStt()
    stt._model = model
    decoding = stt._decode(np.zeros(16000, dtype=np.int16), word_timestamps=False)
    assert decoding.looped
    return decoding.texts


def test_a_looping_window_is_decoded_again_with_a_repetition_penalty() -> None:
    model = _Model(" Hi, it's Niamh. Call me back on 07882 415620.")
    assert _decoded(model) == ["Hi, it's Niamh. Call me back on 07882 415620."]
    assert model.penalties == [1.0, RETRY_REPETITION_PENALTY]


def test_a_window_that_loops_again_keeps_the_first_decoding_with_its_loops_dropped() -> None:
    assert _decoded(_Model(" 5-5-5-5-5-5-5-5-5-5")) == []
