"""The offline speech engine on real human speech, scored against reference transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wer_report import format_report, measure

AUDIO_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "audio"
# Measured 0.24 on these clips; the margin absorbs decoder or resampler updates, not a
# regression of the pipeline that feeds the engine.
MAX_CORPUS_WER = 0.30


def test_local_engine_transcribes_the_shared_clips_within_the_corpus_wer_budget() -> None:
    if not (AUDIO_DIR / "manifest.json").is_file():
        pytest.skip(f"no shared speech clips at {AUDIO_DIR}")

    report = measure(AUDIO_DIR)
    print()
    print(format_report(report))

    assert len(report.clips) > 0
    assert report.corpus_wer <= MAX_CORPUS_WER, format_report(report)
