"""How much of a recording could be speech: a cheap energy gate run before paid engines.

Voicemail systems record hang-ups and silence; sending those to a transcription vendor
costs money and returns nothing (or, worse, invented words).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from shared.audio.acoustics import percentile

FRAME_S = 0.03
# Frames louder than this (dB below full scale) count as sound; room tone and line hiss
# on phone recordings sit well below it.
ACTIVE_DBFS = -45.0
# A caller far from the phone speaks under ACTIVE_DBFS (real speech turned down to -50 dBFS
# kept no frame over it, and failed as silence): quieter frames count too where they stand
# QUIET_MARGIN_DB over the recording's quietest tenth, so steady hiss, whose frames wander a
# few dB, never does; under QUIET_DBFS (comfort noise, room tone) nothing is sound.
QUIET_DBFS = -60.0
QUIET_MARGIN_DB = 12.0


def active_seconds(pcm16k: npt.NDArray[np.int16], rate: int = 16000) -> float:
    """Seconds of 30 ms frames loud enough to be sound: over ACTIVE_DBFS, or over QUIET_DBFS
    and clear of the recording's noise floor."""
    frame = int(rate * FRAME_S)
    usable = len(pcm16k) - len(pcm16k) % frame
    if usable <= 0:
        return 0.0
    frames = pcm16k[:usable].astype(np.float32).reshape(-1, frame) / 32768.0
    # The variance, not the mean square: a DC offset (a biased input, a muted line held at a
    # constant) is no sound, and counted it sent silence to the engines as sound.
    power = np.maximum(np.var(frames, axis=1, dtype=np.float64), 1e-12)
    level = 10 * np.log10(power)
    floor = percentile(level, 10)
    loud = (level > ACTIVE_DBFS) | ((level > QUIET_DBFS) & (level > floor + QUIET_MARGIN_DB))
    return float(np.count_nonzero(loud)) * FRAME_S
