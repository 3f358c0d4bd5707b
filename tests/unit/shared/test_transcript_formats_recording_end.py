"""Captions stay within the recording, whatever times the engine gave its last words."""

from __future__ import annotations

import itertools
import json

import pysubs2
import pytest

from shared.models import Transcript, Word
from shared.transcript_formats import render


def _ends_ms(transcript: Transcript) -> list[tuple[int, int]]:
    """Each cue's start and end as a subtitle player reads them, SRT and VTT alike."""
    times = []
    for fmt in ("srt", "vtt"):
        subs = pysubs2.SSAFile.from_string(render(transcript, fmt), format_=fmt)
        times.append([(event.start, event.end) for event in subs])
    assert times[0] == times[1]
    segments = json.loads(render(transcript, "json"))["segments"]
    assert [(round(s["start_s"] * 1000), round(s["end_s"] * 1000)) for s in segments] == times[0]
    return times[0]


@pytest.mark.parametrize(
    "words",
    [
        # The last word's end a little past the end of the audio (Whisper's word times can be).
        [("hello", 0.0, 0.5), ("there", 0.6, 1.9), ("friend", 1.95, 2.3)],
        # A word that starts after the recording has ended.
        [("one.", 0.0, 1.0), ("two.", 1.2, 1.99), ("three", 2.1, 2.4)],
    ],
)
def test_no_cue_ends_after_the_recording_even_where_word_times_run_past_it(
    words: list[tuple[str, float, float]],
) -> None:
    transcript = Transcript(
        text=" ".join(w for w, _, _ in words),
        provider="local",
        duration_s=2.0,
        words=[Word(word=w, start_s=s, end_s=e) for w, s, e in words],
    )

    cues = _ends_ms(transcript)

    assert cues[-1][1] <= 2000
    assert all(end > start for start, end in cues)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(cues))


def test_whisper_segments_past_the_recording_end_are_cut_at_it() -> None:
    transcript = Transcript(
        text="see you soon",
        provider="whisper",
        duration_s=3.0,
        details={"segments": [{"start_s": 0.5, "end_s": 3.8, "text": "see you soon"}]},
    )

    assert _ends_ms(transcript)[-1][1] <= 3000
