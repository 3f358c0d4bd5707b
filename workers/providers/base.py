"""The one interface per stage that every provider implements.

Providers are plain classes built from their own settings sections (the ones their line in
``shared.provider_catalog`` names, in that order) and nothing else: a provider cannot come
to depend on another vendor's settings by accident. They hold clients or loaded models and
are reused across tasks in a worker process, so construction may be slow but each call
must be safe to repeat (a retried task calls it again).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from shared.models import Reply, Stage, SynthesizedAudio, Transcript
from shared.settings import OutputFormat


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
    # The recording's seconds as intake measured them (job.input.duration_s): what every
    # usage line charges a cloud engine by, an answer used, discarded or unreadable alike.
    # None: the decoded samples' length (a caller with no job).
    duration_s: float | None = None


@dataclass(frozen=True)
class ReplyContext:
    """What a reply provider may use beyond the transcript."""

    system_prompt: str | None = None
    history: list[tuple[str, str]] = field(default_factory=list)
    # Country assumed for a callback number said without its country code.
    default_region: str = "US"
    # The language the caller spoke: the job's ``language`` option, else the one the speech
    # engine detected; None when neither says.
    language: str | None = None


class ProviderSource(Protocol):
    """Other providers, for the composite ones (hybrid, Claude's fallback engine)."""

    def get(self, stage: Stage, name: str) -> Provider: ...

    def missing(self, stage: Stage, name: str) -> str | None:
        """Why the provider cannot run here, or None when it can."""


class Provider(ABC):
    name: str

    @classmethod
    def create(cls, sections: tuple[BaseModel, ...], providers: ProviderSource) -> Self:
        """Build from the provider's own sections; a composite (its constructor takes a
        keyword-only ``providers``) also gets the other providers, never their settings."""
        constructor: Any = cls
        if "providers" in inspect.signature(cls).parameters:
            built: Self = constructor(*sections, providers=providers)
        else:
            built = constructor(*sections)
        return built


class SttProvider(Provider):
    @abstractmethod
    def transcribe(self, audio: AudioInput) -> Transcript:
        """Turn speech into text; raise ``StageFailed`` with a code on failure."""


class LlmProvider(Provider):
    @abstractmethod
    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        """Write a short reply, fit to be spoken, to a transcribed message."""


class TtsProvider(Provider):
    # A voice that speaks English alone: the tts stage refuses it a reply written in another
    # language (it would read the words with English rules).
    english_only: ClassVar[bool] = False

    @abstractmethod
    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        """Speak ``text`` with ``voice`` (provider default when None), encoded as asked."""

    @abstractmethod
    def voices(self) -> list[str]:
        """The voices this provider offers."""
