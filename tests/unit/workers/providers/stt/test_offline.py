"""The front end's preparation of a recording for the offline engines holds a few copies
of it at most, whatever its length (workers.providers.stt.offline)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from workers.providers.stt import moonshine_offline, offline, whisper_offline

RATE = 16_000


@pytest.mark.parametrize(
    ("front_end", "copies"),
    [(whisper_offline.FRONT_END, 4), (moonshine_offline.FRONT_END, 6)],
    ids=["whisper", "moonshine"],
)
def test_preparing_a_recording_holds_a_few_copies_of_it_at_most(
    front_end: offline.FrontEnd, copies: int
) -> None:
    # Ten minutes here; an hour's recording is 115 MB of samples, prepared for both
    # engines at once. Each held 14 copies' worth while its band was measured at once.
    seconds = np.arange(600 * RATE) / RATE
    pcm = (3000 * np.sin(2 * np.pi * 220 * seconds) * (np.sin(seconds) > 0)).astype(np.int16)

    tracemalloc.start()
    try:
        offline.prepare(pcm, front_end)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < copies * pcm.nbytes


def test_the_samples_whisper_decodes_are_the_recordings_own_where_no_step_changes_them() -> None:
    pcm = (np.random.default_rng(1).normal(0, 3000, 10 * RATE)).astype(np.int16)
    unchanged = offline.FrontEnd(highpass=False, normalise_loudness=False, vad=False)

    prepared = offline.prepare(pcm, unchanged)

    assert np.array_equal(prepared.pcm, pcm)
    assert prepared.pcm is not pcm
