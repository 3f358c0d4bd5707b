"""Small model builders shared by tests and the benchmark."""

from __future__ import annotations

from shared.models import InputMeta


def wav_input_meta(key: str = "x", size_bytes: int = 1) -> InputMeta:
    """What intake records for a one-second 16 kHz mono WAV (no file behind it)."""
    return InputMeta(
        media_type="audio/wav",
        container="wav",
        codec="pcm_s16le",
        size_bytes=size_bytes,
        duration_s=1.0,
        sample_rate=16000,
        channels=1,
        sha256="0" * 64,
        key=key,
    )
