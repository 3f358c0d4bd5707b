"""Whisper's skips: a window whose text left out speech is decoded again half by half
(workers.providers.stt.whisper_skips)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.providers.stt.whisper_skips import (
    quiet_cut,
    shifted,
    skipping,
    stretched,
    uncovered,
)

RATE = 16000


@dataclass
class _Word:
    word: str
    start: float
    end: float
    probability: float = 0.9


@dataclass
class _Segment:
    text: str
    start: float
    end: float
    words: list[_Word] = field(default_factory=list)
    compression_ratio: float = 1.2
    no_speech_prob: float = 0.2


def _said(text: str, start: float, seconds_each: float = 0.4, end: float | None = None) -> _Segment:
    """A segment of ``text`` from ``start``, to ``end`` (its last word's end if None)."""
    words = [
        _Word(" " + word, start + i * seconds_each, start + (i + 1) * seconds_each)
        for i, word in enumerate(text.split())
    ]
    return _Segment(" " + text, start, words[-1].end if end is None else end, words)


@pytest.mark.parametrize(
    ("word", "start", "end"),
    [(" like", 1.2, 8.1), (" to", 8.1, 11.5), (" only", 2.7, 8.9)],
)
def test_a_word_aligned_over_seconds_of_speech_is_stretched_over_a_skip(
    word: str, start: float, end: float
) -> None:
    assert stretched(_Word(word, start, end))


@pytest.mark.parametrize(
    ("word", "start", "end"),
    [
        (" 615-940-2287,", 9.0, 12.4),  # a number takes seconds to say
        (" W-I-S-N-A-W-S-K-I.", 3.4, 5.5),  # so does a spelling
        (" wondering", 9.0, 10.6),  # a drawled word
    ],
)
def test_numbers_spellings_and_slow_words_are_not_skips(
    word: str, start: float, end: float
) -> None:
    assert not stretched(_Word(word, start, end))


def test_a_segment_with_one_stretched_word_is_skipping() -> None:
    segment = _said("I'd like to set up an appointment", 0.0)
    assert not skipping(segment)
    segment.words[1] = _Word(" like", 0.4, 7.3)
    assert skipping(segment)


def test_the_cut_falls_in_the_quietest_moment_of_the_middle_third() -> None:
    noise = np.random.default_rng(1).integers(-3000, 3000, 12 * RATE).astype(np.int16)
    noise[int(5.0 * RATE) : int(5.3 * RATE)] = 0  # a pause in the middle third
    noise[int(1.0 * RATE) : int(2.0 * RATE)] = 0  # a longer one outside it
    cut = quiet_cut(noise)
    assert cut is not None
    assert 5.0 <= cut / RATE < 5.3


def test_a_stretch_too_short_to_hear_in_halves_is_not_cut() -> None:
    assert quiet_cut(np.zeros(3 * RATE, dtype=np.int16)) is None


def test_a_segment_decoded_from_a_later_stretch_is_moved_to_where_it_was_said() -> None:
    moved = shifted(_said("no rush", 0.5), 10.0)
    assert (moved.start, moved.end) == (10.5, 11.3)
    assert [(w.start, w.end) for w in moved.words] == [(10.5, 10.9), (10.9, 11.3)]


class _Model:
    """Whisper that skips the start of a 12 s window, and hears each half of it (or, with
    ``skips_again``, skips in the first half too; with ``half_loops``, loops on the first
    half unless decoded with a repetition penalty)."""

    def __init__(self, skips_again: bool = False, half_loops: bool = False) -> None:
        self.lengths: list[float] = []
        self._skips_again = skips_again
        self._half_loops = half_loops

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        seconds = len(audio) / RATE
        self.lengths.append(round(seconds, 1))
        if self._half_loops and seconds < 6 and options["repetition_penalty"] == 1.0:
            return [_Segment(" 5-5-5-5-5-5-5-5-5-5-5-5", 0.2, seconds, compression_ratio=3.1)], None
        # Each segment runs to the end of the audio it was given: no speech is left uncovered.
        if seconds > 10:
            skipped = _said("I'd like to book in", 0.0, end=seconds)
            skipped.words[1] = _Word(" like", 0.4, 7.5)
            return [skipped], None
        if seconds < 6:  # the first half: it is cut at 5.0 s (the pause below)
            first = _said("Hi, it's Aoife Byrne, about the curtains.", 0.2, end=seconds)
            if self._skips_again:
                first.words[2] = _Word(" Aoife", 0.9, 4.5)
            return [first], None
        return [_said("I'd like to book in", 0.1, end=seconds)], None


def _decoded(model: _Model) -> Any:
    stt = WhisperOfflineStt()
    stt._model = model
    pcm = np.full(12 * RATE, 2000, dtype=np.int16)
    pcm[int(5.0 * RATE) : int(5.2 * RATE)] = 0
    return stt._decode(pcm)


def test_a_window_that_skipped_speech_is_decoded_again_half_by_half() -> None:
    model = _Model()
    decoding = _decoded(model)
    assert model.lengths == [12.0, 5.0, 7.0]
    assert decoding.texts == ["Hi, it's Aoife Byrne, about the curtains.", "I'd like to book in"]
    assert not decoding.skipped
    # The second half's words are where they were said in the whole recording (cut at the
    # pause's first whole 30 ms frame, 5.01 s).
    assert [w.start_s for w in decoding.words[-5:]] == pytest.approx([5.11, 5.51, 5.91, 6.31, 6.71])


def test_a_skip_the_halves_do_not_mend_keeps_the_window_and_says_so() -> None:
    decoding = _decoded(_Model(skips_again=True))
    assert decoding.texts == ["I'd like to book in"]
    assert decoding.skipped


def test_a_half_that_loops_is_decoded_again_with_the_penalty_and_kept() -> None:
    model = _Model(half_loops=True)
    decoding = _decoded(model)
    assert model.lengths == [12.0, 5.0, 5.0, 7.0]
    assert decoding.texts == ["Hi, it's Aoife Byrne, about the curtains.", "I'd like to book in"]
    assert (decoding.looped, decoding.skipped) == (True, False)


def test_seconds_no_segment_spans_are_uncovered_and_short_pauses_are_not() -> None:
    segments = [_said("Call me back", 4.0, end=6.0), _said("on 0117 928 4410", 7.5, end=12.0)]
    assert uncovered(segments, duration_s=16.0) == [(0.0, 4.0), (12.0, 16.0)]
    assert uncovered(segments, duration_s=14.0) == [(0.0, 4.0)]


class _JumpingModel:
    """Whisper that begins a 12 s window's text at 6 s, leaving out the speech before; the
    first 6 s alone it hears (or, with ``hears_nothing``, writes nothing of)."""

    def __init__(self, hears_nothing: bool = False) -> None:
        self.lengths: list[float] = []
        self._hears_nothing = hears_nothing

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        seconds = len(audio) / RATE
        self.lengths.append(round(seconds, 1))
        if seconds > 10:
            return [_said("Please call me at 0117 928 4410", 6.0, end=12.0)], None
        if self._hears_nothing:
            return [], None
        return [_said("Hi, it's Kateryna Bondarenko.", 0.3, end=seconds)], None


def _decoded_jump(model: _JumpingModel) -> Any:
    stt = WhisperOfflineStt()
    stt._model = model
    return stt._decode(np.full(12 * RATE, 2000, dtype=np.int16))


def test_speech_before_the_windows_first_segment_is_decoded_on_its_own_and_put_first() -> None:
    model = _JumpingModel()
    decoding = _decoded_jump(model)
    assert model.lengths == [12.0, 6.0]
    assert decoding.texts == ["Hi, it's Kateryna Bondarenko.", "Please call me at 0117 928 4410"]
    assert not decoding.skipped


def test_left_out_speech_that_gives_no_words_alone_is_said_to_be_skipped() -> None:
    decoding = _decoded_jump(_JumpingModel(hears_nothing=True))
    assert decoding.texts == ["Please call me at 0117 928 4410"]
    assert decoding.skipped


class _DeafModel:
    """Whisper that writes nothing, or only what it invents in noise."""

    def __init__(self, invents: bool = False) -> None:
        self.calls = 0
        self._invents = invents

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[Any], None]:
        self.calls += 1
        if self._invents:
            noise = _Segment(" I'm sorry. I'm sorry. I'm sorry.", 0.0, 12.0, no_speech_prob=0.99)
            return [noise], None
        return [], None


@pytest.mark.parametrize("invents", [False, True])
def test_a_recording_whisper_hears_nothing_of_is_decoded_once(invents: bool) -> None:
    # The whole recording would be one gap: the same audio, decoded again to the same end.
    model = _DeafModel(invents)
    stt = WhisperOfflineStt()
    stt._model = model
    decoding = stt._decode(np.full(12 * RATE, 2000, dtype=np.int16))
    assert model.calls == 1
    assert (decoding.texts, decoding.skipped, decoding.looped) == ([], False, False)
