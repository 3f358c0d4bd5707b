"""What the analysis of a voicemail records: how it sounds and how the caller seems to feel.

Models only (no numpy, no PyAV), so the job record can hold them anywhere; the estimators are
``shared.audio.acoustics`` (from the samples) and ``workers.triage.tone`` (words and voice).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Emotion = Literal["calm", "frustrated", "angry", "anxious", "happy"]

ESTIMATES_NOTE = (
    "Signal-level estimates from simple frame statistics (energy, autocorrelation pitch, "
    "spectrum); indicative only, not calibrated measurements."
)


class AudioAnalysis(BaseModel):
    """Acoustic estimates for one recording; see ``estimates_note``."""

    duration_s: float = Field(description="Length of the analysed audio, seconds.")
    speech_s: float = Field(
        description="Estimated speaking time: frames clear of the noise floor, joined across "
        "gaps under 0.3 s."
    )
    speaking_rate_wpm: float | None = Field(
        description="Estimated words per minute of speaking time; None without words or speech."
    )
    loudness_dbfs: float = Field(description="Estimated RMS level of speech, dBFS (-120: none).")
    loudness_variation_db: float = Field(description="Estimated std of speech frame levels, dB.")
    pitch_hz_median: float | None = Field(
        description="Estimated median F0 of voiced frames (60-400 Hz); None if barely voiced "
        "or a steady pure tone (a beep, a dial tone: no voice)."
    )
    pitch_variation_semitones: float | None = Field(
        description="Estimated pitch spread, semitones (1.4826 x median absolute deviation, "
        "~ one std); None if barely voiced or a steady pure tone."
    )
    pause_count: int = Field(description="Estimated silences of >= 0.3 s between speech.")
    longest_pause_s: float = Field(description="Estimated longest such pause, seconds.")
    snr_db: float | None = Field(
        description="Estimated signal-to-noise ratio, speech over the quiet frames' level; "
        "None without both speech and quiet frames."
    )
    clipping_ratio: float = Field(description="Share of samples pinned at full scale.")
    bandwidth: Literal["telephone", "wideband"] = Field(
        description="Estimated channel: 'telephone' if nothing is heard above ~4 kHz or the "
        "source was sampled at <= 8 kHz."
    )
    silence_share: float = Field(
        description="Estimated share of the duration outside speech (1.0 for empty audio)."
    )
    music_share: float = Field(
        description="Estimated share that is music or steady tone: >= 3 s runs continuously "
        "loud, voiced and on steady pitches. Conservative: speech is never meant to count."
    )
    estimates_note: str = Field(default=ESTIMATES_NOTE, description="These are estimates.")


class Tone(BaseModel):
    """An estimate of how the caller feels, from rules over the words and the voice."""

    sentiment: float = Field(ge=-1, le=1, description="Estimated valence, -1 to 1, from words.")
    emotion: Emotion = Field(description="Estimated dominant emotion.")
    confidence: float = Field(ge=0, le=1, description="How sure the rules are, 0 to 1.")
    cues: list[str] = Field(default_factory=list, description="Short reasons for the estimate.")
    description: str | None = Field(
        default=None, description="A sentence from a language model when one is configured."
    )


class Analysis(BaseModel):
    """On the job (``results.analysis``): the transcription stage measures the audio, the
    reply stage adds the tone. All of it is estimates."""

    audio: AudioAnalysis | None = None
    tone: Tone | None = None
