"""A WAV is judged by the header fields its samples depend on (rate, channels, bits) and its
data chunk, not by the byte rate field, which real writers get wrong."""

from __future__ import annotations

import struct

import pytest

from shared.audio import decode_pcm16k, probe
from shared.errors import MediaRejected
from tests import audio_factory as factory


def with_byte_rate(data: bytes, byte_rate: int) -> bytes:
    changed = bytearray(data)
    fmt = changed.index(b"fmt ", 12)
    struct.pack_into("<I", changed, fmt + 16, byte_rate)
    return bytes(changed)


@pytest.mark.parametrize("byte_rate", [16000, 1, 64000, 0])
def test_an_intact_wav_whose_byte_rate_field_is_wrong_is_accepted_at_its_length(
    byte_rate: int,
) -> None:
    # 16 kHz mono 16-bit: the real byte rate is 32,000.
    data = with_byte_rate(factory.encode("wav", 2.0), byte_rate)

    info = probe(data)

    assert info.duration_s == pytest.approx(2.0)
    assert len(decode_pcm16k(data)) == 32000


def test_a_cut_wav_whose_byte_rate_field_is_wrong_is_still_refused_as_truncated() -> None:
    whole = with_byte_rate(factory.encode("wav", 4.0), 64000)

    with pytest.raises(MediaRejected) as caught:
        probe(whole[: len(whole) // 2])

    assert caught.value.code == "truncated"
    assert "announces 4.0 s" in caught.value.message


def test_a_cut_stereo_wav_is_measured_against_its_own_rate_channels_and_bits() -> None:
    whole = factory.encode("wav", 4.0, rate=8000, channels=2)

    with pytest.raises(MediaRejected) as caught:
        probe(whole[: len(whole) // 2])

    assert caught.value.code == "truncated"
    assert "announces 4.0 s" in caught.value.message
