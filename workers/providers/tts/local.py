"""The offline speech provider: piper and the bundled "joe" voice (shared.audio)."""

from __future__ import annotations

from shared.audio import MEDIA_TYPES, encode_pcm
from shared.audio.offline_voice import VOICE, load_voice, speak
from shared.errors import StageFailed
from shared.models import SynthesizedAudio
from shared.settings import LocalEngineSettings, OutputFormat
from workers.providers.base import TtsProvider


class PiperTts(TtsProvider):
    name = "local"

    def __init__(self, config: LocalEngineSettings | None = None) -> None:
        # Defaults: deterministic speech at normal pace (what tests and the demo want).
        self.config = config or LocalEngineSettings()

    def load(self) -> None:
        """Load the voice now (at worker start) rather than in the first task."""
        load_voice()

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
        local = self.config
        pcm, sample_rate = speak(
            text,
            noise_scale=local.piper_noise_scale,
            noise_w_scale=local.piper_noise_w_scale,
            length_scale=local.piper_length_scale,
        )
        return SynthesizedAudio(
            data=encode_pcm(pcm, sample_rate, output_format),
            media_type=MEDIA_TYPES[output_format],
            extension=output_format,
            duration_s=len(pcm) / sample_rate,
            provider=self.name,
            voice=VOICE,
        )
