"""What a short recording with no speech costs Whisper: its windows' token cap fitted to their
audio, a decoding cut off at that cap taken for the loop it is, and a window decoded again
not encoded again (workers.providers.stt.whisper_decoding, whisper_language)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from faster_whisper import WhisperModel

from workers.providers.stt.whisper_loops import RETRY_REPETITION_PENALTY
from workers.providers.stt.whisper_offline import WhisperOfflineStt

RATE = 16000
# Whisper base's <|endoftext|>: its text tokens come before it, its timestamps after.
_EOT = 50257
_START = 50364  # <|0.00|>
_SORRY = [286, 478, 2597, 11]  # " I'm sorry,"


@dataclass
class _Segment:
    text: str
    tokens: list[int]
    compression_ratio: float
    seek: int = 0
    start: float = 0.0
    end: float = 1.0
    no_speech_prob: float = 0.75
    words: list[Any] = field(default_factory=list)


class _Tokenizer:
    def token_to_id(self, token: str) -> int:
        assert token == "<|endoftext|>"
        return _EOT


class _LoopingModel:
    """Writes a 1 s tone as Whisper base does: "I'm sorry, ..." until its tokens run out
    (about half of ``max_new_tokens``), or, with the retry's penalty, a finished " You"."""

    hf_tokenizer = _Tokenizer()

    def __init__(self) -> None:
        self.asked: list[tuple[int, float]] = []

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        cap, penalty = options["max_new_tokens"], options["repetition_penalty"]
        self.asked.append((cap, penalty))
        if penalty == RETRY_REPETITION_PENALTY:
            return [_Segment(" You", [_START, 291, _START + 50], 0.6)], None
        tokens = [_START, *(_SORRY * cap)][: cap // 2 + 1]
        # The ratio of such a loop cut off at 19 tokens, under the bar of 2.4.
        return [_Segment(" I'm sorry, I'm sorry, I'm sorry, I'm sorry, I'm", tokens, 2.14)], None


def _decoded(seconds: float) -> tuple[_LoopingModel, Any]:
    model = _LoopingModel()
    stt = WhisperOfflineStt()
    stt._model = model
    return model, stt._decode(np.full(int(seconds * RATE), 3000, dtype=np.int16))


def test_a_one_second_window_is_decoded_into_at_most_a_few_dozen_tokens() -> None:
    model, _ = _decoded(1.0)

    assert model.asked
    assert all(cap <= 80 for cap, _penalty in model.asked)


def test_a_whole_window_keeps_the_cap_of_200_tokens() -> None:
    model, _ = _decoded(30.0)

    assert model.asked[0][0] == 200


def test_a_decoding_cut_off_at_its_cap_is_a_loop_decoded_again_and_not_written() -> None:
    model, decoding = _decoded(1.0)

    assert decoding.looped
    assert [penalty for _cap, penalty in model.asked] == [1.0, RETRY_REPETITION_PENALTY]
    assert decoding.texts == ["You"]


class _Encodings:
    """Counts the encodings the model computes, each a distinct object."""

    def __init__(self) -> None:
        self.computed = 0

    def encode(self, features: Any) -> object:
        self.computed += 1
        return object()


@pytest.fixture
def hearing(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, _Encodings]:
    from workers.providers.stt.whisper_language import LanguageHearingWhisper

    encodings = _Encodings()
    monkeypatch.setattr(WhisperModel, "encode", lambda _model, features: encodings.encode(features))
    # No model loaded: only its encode's keeping is tried.
    model = LanguageHearingWhisper.__new__(LanguageHearingWhisper)
    model._first = threading.local()
    return model, encodings


def test_a_window_decoded_again_is_not_encoded_again(hearing: tuple[Any, _Encodings]) -> None:
    model, encodings = hearing
    window = np.random.default_rng(0).standard_normal((80, 3000)).astype(np.float32)
    model.start_hearing()

    first = model.encode(window)
    again = model.encode(window.copy())

    assert encodings.computed == 1
    assert again is first


def test_another_window_or_another_recording_is_encoded_anew(
    hearing: tuple[Any, _Encodings],
) -> None:
    model, encodings = hearing
    window = np.random.default_rng(0).standard_normal((80, 3000)).astype(np.float32)
    model.start_hearing()
    model.encode(window)
    model.encode(window[:, ::-1].copy())
    model.start_hearing()
    model.encode(window)

    assert encodings.computed == 3


class _TwoWindowModel:
    """Decodes two windows, one as it is read: the first loops unless asked with the retry's
    penalty; notes each window it decodes."""

    def __init__(self, retry_loops: bool) -> None:
        self.decoded: list[tuple[float, int]] = []
        self._retry_loops = retry_loops

    def transcribe(self, audio: Any, **options: Any) -> tuple[Any, None]:
        return self._windows(options["repetition_penalty"]), None

    def _windows(self, penalty: float) -> Any:
        retry = penalty == RETRY_REPETITION_PENALTY
        for seek, text in ((0, " 8-8-8-8-8-8-8-8-8-8"), (3000, " Bye now.")):
            self.decoded.append((penalty, seek))
            if seek == 0 and retry and not self._retry_loops:
                text = " Call me on 888."
            ratio = 3.5 if text.startswith(" 8-8") else 1.2
            yield _Segment(text, [], ratio, seek=seek, no_speech_prob=0.1)


def _heard(retry_loops: bool) -> tuple[_TwoWindowModel, Any]:
    model = _TwoWindowModel(retry_loops)
    stt = WhisperOfflineStt()
    stt._model = model
    return model, stt._decode(np.full(45 * RATE, 3000, dtype=np.int16), word_timestamps=False)


def test_the_windows_after_a_loop_are_not_decoded_when_the_retry_replaces_them() -> None:
    model, decoding = _heard(retry_loops=False)

    assert decoding.texts == ["Call me on 888.", "Bye now."]
    assert model.decoded == [
        (1.0, 0),
        (RETRY_REPETITION_PENALTY, 0),
        (RETRY_REPETITION_PENALTY, 3000),
    ]


def test_where_the_retry_loops_too_the_first_decoding_is_read_to_its_end() -> None:
    model, decoding = _heard(retry_loops=True)

    # The first decoding kept, its loop dropped as before.
    assert decoding.looped
    assert decoding.texts == ["Bye now."]
    assert (1.0, 3000) in model.decoded
