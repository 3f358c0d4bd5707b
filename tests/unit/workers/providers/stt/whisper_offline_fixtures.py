"""What the offline Whisper tests share: one loaded engine a test module, a spoken sentence with
a phone number in it, and the engine's transcript of it. Imported by name into each module (and
listed in its __all__)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from shared.models import Transcript
from tests.unit.workers.providers.stt.offline_speech import as_input, speak
from workers.providers.stt.whisper_offline import WhisperOfflineStt

SENTENCE = (
    "Hello, this is John. I would like to change my appointment to next Friday afternoon. "
    "Please call me back at four one five, eight six seven, two two nine one."
)


@pytest.fixture(scope="module")
def stt() -> WhisperOfflineStt:
    provider = WhisperOfflineStt()
    provider.load()
    return provider


@pytest.fixture(scope="module")
def spoken() -> npt.NDArray[np.int16]:
    return speak(SENTENCE)


@pytest.fixture(scope="module")
def transcript(stt: WhisperOfflineStt, spoken: npt.NDArray[np.int16]) -> Transcript:
    return stt.transcribe(as_input(spoken))
