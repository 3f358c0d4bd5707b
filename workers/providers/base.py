"""The one interface per stage that every provider implements.

Providers are plain classes built from the settings; they hold clients or loaded models
and are reused across tasks in a worker process, so construction may be slow but each
call must be safe to repeat (a retried task calls it again).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shared.models import Reply, SynthesizedAudio, Transcript
from shared.settings import OutputFormat, Settings


@dataclass(frozen=True)
class AudioInput:
    """What a transcription provider receives: the original bytes and a 16 kHz mono decode.

    Cloud engines send ``data`` as uploaded; offline engines use ``pcm16k``.
    """

    data: bytes
    media_type: str
    extension: str
    pcm16k: npt.NDArray[np.int16]
    language: str | None = None


@dataclass(frozen=True)
class ReplyContext:
    """What a reply provider may use beyond the transcript."""

    system_prompt: str | None = None
    history: list[tuple[str, str]] = field(default_factory=list)


class Provider(ABC):
    name: str

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


class SttProvider(Provider):
    @abstractmethod
    def transcribe(self, audio: AudioInput) -> Transcript:
        """Turn speech into text; raise ``StageFailed`` with a code on failure."""


class LlmProvider(Provider):
    @abstractmethod
    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        """Write a short reply, fit to be spoken, to a transcribed message."""


class TtsProvider(Provider):
    @abstractmethod
    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        """Speak ``text`` with ``voice`` (provider default when None), encoded as asked."""

    @abstractmethod
    def voices(self) -> list[str]:
        """The voices this provider offers."""
