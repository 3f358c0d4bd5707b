"""An MP4 or 3GP cut or damaged inside its index is a damaged file, not one without sound."""

from __future__ import annotations

import pytest

from shared.audio import probe
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests import hostile_audio as hostile


# (An M4A cut at 90 % of its index loses only its metadata (udta), and decodes whole.)
@pytest.mark.parametrize(
    ("fmt", "into_index"), [("3gp", 0.3), ("3gp", 0.5), ("3gp", 0.9), ("m4a", 0.3), ("m4a", 0.5)]
)
def test_a_file_cut_inside_its_index_is_undecodable_not_without_an_audio_track(
    fmt: factory.AudioFormat, into_index: float
) -> None:
    # A 3GP cut at 90 % ends inside its track's media box, before the handler that says the
    # track is sound: FFmpeg sees a "data" track, and the sender was told the file has no
    # audio and to upload the sound recording itself.
    cut = hostile.cut_inside_index(fmt, into_index)

    with pytest.raises(MediaRejected) as caught:
        probe(cut)

    assert caught.value.code == "undecodable"
    assert "cut off" in caught.value.message
    assert "no audio track" not in caught.value.message


@pytest.mark.parametrize(("fmt", "seed"), [("3gp", 1), ("3gp", 2), ("m4a", 16)])
def test_a_file_whose_index_is_damaged_is_undecodable_not_without_an_audio_track(
    fmt: factory.AudioFormat, seed: int
) -> None:
    # 64 bytes overwritten past the first quarter land in a small file's index: FFmpeg then
    # finds no track, or only a "data" one, and the sender was told the file has no audio.
    damaged = factory.corrupted(factory.encode(fmt, 4.0), count=64, seed=seed)

    with pytest.raises(MediaRejected) as caught:
        probe(damaged)

    assert caught.value.code == "undecodable"
    assert "damaged" in caught.value.message
    assert "no audio track" not in caught.value.message
