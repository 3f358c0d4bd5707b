"""The front end's preparation of a recording for the offline engines holds a few copies
of it at most, whatever its length, and the words heard are timed on the recording's own
timeline (workers.providers.stt.offline)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from shared.models import Word
from workers.providers.stt import moonshine_offline, offline, whisper_offline
from workers.providers.stt.frontend import Span

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


def _word(start_s: float, end_s: float) -> Word:
    return Word(word="minute", start_s=start_s, end_s=end_s)


def test_a_word_timed_across_a_join_is_put_in_the_stretch_that_holds_more_of_it() -> None:
    # Speech kept from 0-2 s and 6-8 s of the recording: joined at 2.0 s when decoded.
    spans = [Span(0, 0, 2 * RATE), Span(6 * RATE, 2 * RATE, 2 * RATE)]

    mostly_after, mostly_before = offline.to_source_times(
        [_word(1.98, 2.5), _word(1.5, 2.02)], spans
    )

    # Not 1.98-6.5 s, over the 4 s pause cut out between the stretches.
    assert (mostly_after.start_s, mostly_after.end_s) == (6.0, 6.5)
    assert (mostly_before.start_s, mostly_before.end_s) == (1.5, 2.0)


def test_words_within_one_stretch_keep_their_times() -> None:
    spans = [Span(0, 0, 2 * RATE), Span(6 * RATE, 2 * RATE, 2 * RATE)]

    words = offline.to_source_times([_word(0.5, 1.0), _word(2.0, 2.4), _word(1.6, 2.0)], spans)

    assert [(w.start_s, w.end_s) for w in words] == [(0.5, 1.0), (6.0, 6.4), (1.6, 2.0)]
