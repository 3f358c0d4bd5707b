"""What GET /v1/jobs/{id}/transcript?format=json serves, field by field, for the OpenAPI
document: ``shared.transcript_formats.render`` writes it (the stored ``Transcript`` plus its
caption ``segments``); these models only describe it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TranscriptWord(BaseModel):
    word: str = Field(description="The word as the engine wrote it, punctuation attached.")
    start_s: float | None = Field(
        description="When the word starts, seconds from the start of the recording; null "
        "where the engine gives no word times (and for typed text)."
    )
    end_s: float | None = Field(description="When the word ends, seconds; null as start_s.")
    confidence: float | None = Field(
        description="The engine's confidence in the word, 0 to 1 (an estimate of the "
        "engine's own; not comparable between engines); null where it gives none."
    )


class CaptionSegment(BaseModel):
    start_s: float = Field(
        description="Start of the caption cue, seconds, to the millisecond: the cues of the "
        "srt and vtt formats, in order, never overlapping, none past the recording's end."
    )
    end_s: float = Field(description="End of the cue, seconds; after start_s.")
    text: str = Field(description="The cue's text: its words, at most two lines' worth.")
    words: list[TranscriptWord] = Field(
        description="The words in the cue (without times for typed text, or where the "
        "engine gave none: the cue is then timed by sharing the recording out by length)."
    )


class TranscriptDocument(BaseModel):
    text: str = Field(description="The whole transcript (for a text job, the typed text).")
    language: str | None = Field(
        description="Language code of the transcript, as the engine reported it or the job "
        "asked; null where none is known."
    )
    provider: str = Field(
        description="The speech engine that made it (`local`, `whisper`, `hybrid`, ...), or "
        "`text` for typed input."
    )
    duration_s: float | None = Field(
        description="Length of the recording, seconds; null for typed text."
    )
    words: list[TranscriptWord] = Field(
        description="Every word with its times and confidence, in order; empty where the "
        "engine gives no words (and for typed text)."
    )
    details: dict[str, Any] = Field(
        description="How the engine made it; keys vary by engine (e.g. `engine`, `model`, "
        "`decode_s`, `real_time_factor`, `voiced_s`, `telephone_band`, `heard_language`, and "
        "Whisper's own `segments`): informative, not a stable contract."
    )
    segments: list[CaptionSegment] = Field(
        description="The transcript cut into caption cues, the same cues as the srt and vtt "
        "formats (at most 2 lines of 42 characters and 6 s each)."
    )
