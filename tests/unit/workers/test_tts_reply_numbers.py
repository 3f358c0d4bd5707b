"""The reply keeps its callback number in digits (what the inbox and the CSV export show);
only the voice is handed it spelled, digit by digit in its groups."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import workers.tts as tts
from shared.models import (
    Job,
    JobOptions,
    JobResults,
    Stage,
    StageRecord,
    StageStatus,
    SynthesizedAudio,
)
from shared.settings import Settings
from tests.factories import wav_input_meta


def _heard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: str) -> tuple[str, Job]:
    heard: list[str] = []

    class Voice:
        def synthesize(self, text: str, voice: str | None, fmt: str) -> SynthesizedAudio:
            heard.append(text)
            return SynthesizedAudio(
                data=b"x", media_type="audio/wav", extension="wav", duration_s=1.0,
                provider="fake", voice="v",
            )  # fmt: skip

    monkeypatch.setattr(tts, "tts_provider", lambda *_: Voice())
    job = Job(input=wav_input_meta(), options=JobOptions(tts_provider="openai"))
    job.stages[Stage.LLM] = StageRecord(status=StageStatus.SUCCEEDED, provider="local")
    job.results.reply = reply
    ctx = SimpleNamespace(settings=Settings(data_dir=tmp_path))
    results = JobResults()
    tts.synthesize_job(job, ctx).record_results(results, "reply.wav")  # type: ignore[arg-type]
    assert results.spoken_characters == len(heard[0])
    return heard[0], job


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (
            "We'll call you back shortly at (415) 555-0198.",
            "We'll call you back shortly at four one five, five five five, zero one nine eight.",
        ),
        (
            "We'll call you back at (800) 555-0199.",
            "We'll call you back at one eight hundred, five five five, zero one nine nine.",
        ),
        (
            "We'll call you back at +44 20 7946 0958.",
            "We'll call you back at plus four four, two zero, seven nine four six, "
            "zero nine five eight.",
        ),
    ],
)
def test_the_voice_is_handed_the_replys_callback_number_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: str, said: str
) -> None:
    heard, job = _heard(tmp_path, monkeypatch, reply)
    assert heard == said
    assert job.results.reply == reply  # what the inbox shows keeps its digits
