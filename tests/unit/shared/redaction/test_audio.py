from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from shared.redaction.audio import PAD_S, TONE_LEVEL, silence_spans

RATE = 8000


def _speech(seconds: float = 2.0, channels: int = 0) -> NDArray[np.int16]:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = (8000 * np.sin(2 * np.pi * 220 * t) + 3000 * np.sin(2 * np.pi * 530 * t)).astype(
        np.int16
    )
    return np.stack([wave] * channels, axis=1) if channels else wave


def _index(seconds: float) -> int:
    return int(seconds * RATE)


def test_silence_zeroes_the_span_and_its_padding_and_keeps_the_rest() -> None:
    pcm = _speech()
    out = silence_spans(pcm, RATE, [(0.5, 1.0)])
    inside = slice(_index(0.5 - PAD_S / 2), _index(1.0 + PAD_S / 2))
    assert out.dtype == np.int16
    assert out.shape == pcm.shape
    assert not out[inside].any()
    outside = np.r_[0 : _index(0.5 - PAD_S), _index(1.0 + PAD_S) + 1 : len(pcm)]
    assert np.array_equal(out[outside], pcm[outside])


def test_silence_fades_rather_than_cutting_so_no_click_is_left() -> None:
    pcm = np.full(RATE, 10000, dtype=np.int16)
    out = silence_spans(pcm, RATE, [(0.5, 0.6)], pad_s=0.0, fade_s=0.005)
    edge = _index(0.5)
    steps = np.abs(np.diff(out[edge - 5 : edge + 60].astype(np.int32)))
    assert steps.max() < 10000 / 10  # a ramp over 40 samples, not one step
    assert out[edge + 45] == 0


def test_bleep_fills_the_span_with_a_modest_one_kilohertz_tone() -> None:
    pcm = _speech()
    out = silence_spans(pcm, RATE, [(0.5, 1.0)], mode="bleep")
    middle = out[_index(0.6) : _index(0.9)].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(middle))
    peak_hz = np.fft.rfftfreq(len(middle), 1 / RATE)[spectrum.argmax()]
    assert peak_hz == pytest.approx(1000, abs=5)
    assert np.abs(middle).max() == pytest.approx(TONE_LEVEL * 32767, rel=0.01)
    assert np.array_equal(out[: _index(0.4)], pcm[: _index(0.4)])


def test_float_stereo_keeps_its_shape_and_type_and_every_channel_is_silenced() -> None:
    pcm = _speech(channels=2).astype(np.float32) / 32768
    out = silence_spans(pcm, RATE, [(1.0, 1.2)])
    assert out.shape == pcm.shape
    assert out.dtype == np.float32
    assert not out[_index(1.05) : _index(1.15)].any()
    assert np.array_equal(out[: _index(0.9)], pcm[: _index(0.9)])


def test_overlapping_and_out_of_range_spans_are_merged_and_clipped() -> None:
    pcm = _speech(1.0)
    out = silence_spans(pcm, RATE, [(0.2, 0.4), (0.3, 0.5), (0.9, 5.0), (-1.0, 0.01)])
    assert not out[_index(0.25) : _index(0.45)].any()
    assert not out[_index(0.95) :].any()
    assert not out[: _index(0.005)].any()
    assert np.array_equal(out[_index(0.6) : _index(0.8)], pcm[_index(0.6) : _index(0.8)])


def test_no_spans_give_an_equal_copy_and_the_input_is_never_changed() -> None:
    pcm = _speech(0.5)
    before = pcm.copy()
    same = silence_spans(pcm, RATE, [])
    silence_spans(pcm, RATE, [(0.1, 0.2)], mode="bleep")
    assert np.array_equal(same, pcm)
    assert same is not pcm
    assert np.array_equal(pcm, before)


@pytest.mark.parametrize(
    ("pcm", "mode"),
    [
        (np.zeros(10, dtype=np.uint8), "silence"),
        (np.zeros((2, 2, 2), dtype=np.int16), "silence"),
        (np.zeros(10, dtype=np.int16), "mute"),
    ],
)
def test_unsupported_samples_or_modes_are_refused(pcm: NDArray[np.generic], mode: str) -> None:
    with pytest.raises((TypeError, ValueError)):
        silence_spans(pcm, RATE, [(0.0, 0.001)], mode=mode)  # type: ignore[arg-type]
