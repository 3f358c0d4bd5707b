"""Joined AMR files: two .amr recordings concatenated, each behind its own "#!AMR\n" header,
as some voicemail systems export a message and its continuation."""

from __future__ import annotations

import pytest

from shared.audio import decode_pcm16k, probe, structure
from shared.audio.structure import amr_as_one
from shared.errors import MediaRejected
from tests import audio_factory as factory

# A wide band AMR stream of "no data" frames (frame type 15, one byte each, 20 ms): the
# wheels' FFmpeg decodes wide band but cannot encode it.
_WB_NO_DATA = b"#!AMR-WB\n" + b"\x7c" * 100


def parts(*seconds: float) -> list[bytes]:
    return [factory.encode("amr", s, seed=i) for i, s in enumerate(seconds)]


@pytest.mark.parametrize("seconds", [(2.0, 3.0), (1.0, 1.0, 1.0)])
def test_joined_amr_files_probe_and_decode_as_the_whole_recording(
    seconds: tuple[float, ...],
) -> None:
    pieces = parts(*seconds)
    # Each part's own length (the encoder adds a last 20 ms frame to each).
    whole = sum(probe(piece).duration_s for piece in pieces)
    data = b"".join(pieces)

    info = probe(data)
    pcm = decode_pcm16k(data)

    assert info.duration_s == pytest.approx(whole, abs=0.001)
    assert len(pcm) / 16000 == pytest.approx(whole, abs=0.001)


def test_a_single_amr_is_given_back_unchanged() -> None:
    data = factory.encode("amr", 1.0)

    assert amr_as_one(data) is data


def test_an_amr_header_inside_a_frame_is_sound_not_a_join() -> None:
    # Frames of type 4 (20 bytes with the ToC byte) whose payload happens to hold the
    # header's bytes: only where a frame would start is "#!AMR\n" a header.
    frame = b"\x24\x00" + b"#!AMR\n" + bytes(12)
    data = b"#!AMR\n" + frame * 3

    assert amr_as_one(data) == data


def test_a_narrow_and_a_wide_band_amr_joined_are_refused_at_intake() -> None:
    data = factory.encode("amr", 1.0) + _WB_NO_DATA

    with pytest.raises(MediaRejected) as caught:
        probe(data)

    assert caught.value.code == "undecodable"
    assert "narrow band and a wide band" in caught.value.message
    assert "separate file" in caught.value.message


@pytest.mark.parametrize("cut", [1, 7, 12])  # of the last frame's 13 bytes
def test_joined_amr_files_whose_first_ends_inside_a_frame_decode_without_that_frame(
    cut: int,
) -> None:
    first, second = parts(2.0, 3.0)
    data = first[:-cut] + second
    # The first part's whole frames, and all of the second: the partial frame is dropped.
    frame = 0.02
    whole = probe(first).duration_s - frame + probe(second).duration_s

    info = probe(data)
    pcm = decode_pcm16k(data)

    assert info.duration_s == pytest.approx(whole, abs=0.001)
    assert len(pcm) / 16000 == pytest.approx(whole, abs=0.001)


def test_a_narrow_band_amr_cut_inside_a_frame_then_a_wide_band_one_is_told_as_a_join() -> None:
    data = factory.encode("amr", 1.0)[:-3] + _WB_NO_DATA

    with pytest.raises(MediaRejected) as caught:
        probe(data)

    assert "narrow band and a wide band" in caught.value.message


def test_the_probe_stops_walking_joined_amr_past_the_longest_recording_it_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A 1 MB upload of one-byte "no data" frames between two joined files: walking all of
    # them (to find the second header) cost ~0.3 s, and 25 MB ~4 s of the API's one intake
    # thread, for a recording the count then refuses at 600 s anyway.
    head, tail = parts(1.0, 1.0)
    data = head + b"\x7c" * (1 << 20) + tail
    walked: list[int] = []
    real = structure._amr_header_at

    def counting(data: bytes, at: int) -> bytes | None:
        walked.append(at)
        return real(data, at)

    monkeypatch.setattr(structure, "_amr_header_at", counting)
    with pytest.raises(MediaRejected) as refused:
        probe(data, max_duration_s=10.0)

    assert refused.value.code == "too_long"
    # The walk reads the second file's header only if it got that far.
    assert len(data) - len(tail) not in walked
