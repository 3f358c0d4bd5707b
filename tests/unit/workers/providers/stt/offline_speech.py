"""What the offline engines' tests feed them: speech in the offline voice, as uploads are
decoded, and the engines' input around it."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from shared.audio import decode_pcm16k
from workers.providers.base import AudioInput
from workers.providers.tts.local import PiperTts

RATE = 16_000


def as_input(pcm: npt.NDArray[np.int16], language: str | None = None) -> AudioInput:
    return AudioInput(
        data=b"", media_type="audio/wav", extension="wav", pcm16k=pcm, language=language
    )


def speak(text: str) -> npt.NDArray[np.int16]:
    """``text`` in the offline voice, decoded the way uploads are."""
    return decode_pcm16k(PiperTts().synthesize(text, None, "wav").data)
