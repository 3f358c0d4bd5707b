"""How much of a recording could be speech: a cheap energy gate run before paid engines.

Voicemail systems record hang-ups and silence; sending those to a transcription vendor
costs money and returns nothing (or, worse, invented words).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FRAME_S = 0.03
# Frames louder than this (dB below full scale) count as sound; room tone and line hiss
# on phone recordings sit well below it.
ACTIVE_DBFS = -45.0


def active_seconds(pcm16k: npt.NDArray[np.int16], rate: int = 16000) -> float:
    """Seconds of 30 ms frames whose loudness is above the activity threshold."""
    frame = int(rate * FRAME_S)
    usable = len(pcm16k) - len(pcm16k) % frame
    if usable <= 0:
        return 0.0
    frames = pcm16k[:usable].astype(np.float32).reshape(-1, frame) / 32768.0
    rms = np.sqrt(np.mean(np.square(frames), axis=1))
    loud = rms > 10 ** (ACTIVE_DBFS / 20)
    return float(np.count_nonzero(loud)) * FRAME_S
