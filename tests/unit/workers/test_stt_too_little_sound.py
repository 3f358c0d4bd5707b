"""A recording with sound, but less than VOICEPIPE_WORKERS__MIN_SPEECH_S of it, fails
stt.empty_media with a message that says the minimum and the setting, not that it is
silence: a 0.5 s clip that is sound from end to end was told it "looks like silence"."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from shared.errors import StageFailed
from shared.models import Job, JobOptions, Stage
from tests.factories import wav_input_meta
from workers.context import WorkerContext
from workers.stt import transcribe_job


def _buzz_wav(seconds: float) -> bytes:
    t = np.arange(round(seconds * 16_000)) / 16_000
    samples = (0.3 * np.sin(2 * np.pi * 150 * t) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def test_a_short_recording_of_sound_is_told_it_is_under_the_minimum_not_silence(
    ctx: WorkerContext,
) -> None:
    data = _buzz_wav(0.4)
    job = Job(
        options=JobOptions(stages=[Stage.STT]),
        input=wav_input_meta(key="input.wav", size_bytes=len(data)),
    )
    ctx.storage.put(job.input.key, data)

    with pytest.raises(StageFailed) as caught:
        transcribe_job(job, ctx)

    assert caught.value.code == "empty_media"
    message = str(caught.value)
    assert "silence" not in message
    assert "0.5 s" in message
    assert "VOICEPIPE_WORKERS__MIN_SPEECH_S" in message
