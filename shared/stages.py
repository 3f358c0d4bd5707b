"""The pipeline's stages, in order: the one place their names are spelled out.

A module of its own (no imports) so that the settings and the provider catalog can use it;
``shared.models`` imports the settings and re-exports these.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    STT = "stt"
    LLM = "llm"
    TTS = "tts"


STAGE_ORDER: tuple[Stage, ...] = (Stage.STT, Stage.LLM, Stage.TTS)
