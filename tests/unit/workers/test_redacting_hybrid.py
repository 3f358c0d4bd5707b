"""A redacted hybrid transcript keeps no piece of a name or number in where its engines
disagreed: the spans and uncertain words, single words no detector can recognise alone."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest

from shared.models import Stage, Transcript
from shared.redaction_policy import JobRedaction
from shared.settings import Settings
from tests.provider_stubs import registered, stub
from workers.providers import registry
from workers.providers.base import AudioInput, SttProvider
from workers.redacting import Redactor

FIRST = "Hi this is Dana Whitfield, card 4111 1111 1111 1111, call me at 415-867-2291 today."
SECOND = "Hi this is Donna Whitfeld, card 4111 1111 1111 1117, call me at 415 867 2297 today."
AUDIO = AudioInput(
    data=b"", media_type="audio/wav", extension="wav", pcm16k=np.zeros(16000, dtype=np.int16)
)


class First(SttProvider):
    name = "stub_first_heard"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=FIRST, provider=self.name)


class Second(SttProvider):
    name = "stub_second_heard"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=SECOND, provider=self.name)


@pytest.fixture
def heard() -> Iterator[Transcript]:
    with (
        registered(stub("stt", "stub_first_heard", f"{__name__}:First")),
        registered(stub("stt", "stub_second_heard", f"{__name__}:Second")),
    ):
        engines = ("stub_first_heard", "stub_second_heard")
        hybrid = registry.build(Stage.STT, "hybrid", Settings(hybrid={"engines": engines}))
        assert isinstance(hybrid, SttProvider)
        yield hybrid.transcribe(AUDIO)


def test_a_redacted_hybrid_transcript_keeps_no_piece_of_a_name_or_number(
    heard: Transcript,
) -> None:
    assert heard.details["spans"], "the engines disagree"

    redacted = Redactor(JobRedaction(), key=None).transcript(heard).transcript

    stored = json.dumps(redacted.details).lower()
    for piece in ("whitfield", "whitfeld", "dana", "donna", "1117", "2291", "2297", "867"):
        assert piece not in stored
    assert redacted.details["agreement"] == heard.details["agreement"]


def test_claudes_uncertain_words_keep_only_those_its_redacted_text_still_holds(
    heard: Transcript,
) -> None:
    reconciled = heard.details | {
        "reconciled": FIRST,
        "reconciled_by": "claude",
        "uncertain_words": ["Whitfield", "2291", "today"],
    }
    claude_merged = heard.model_copy(update={"details": reconciled})

    redacted = Redactor(JobRedaction(), key=None).transcript(claude_merged).transcript

    # The name its text holds as a token stays, as that token; the lone digits go.
    assert redacted.details["uncertain_words"] == ["[PERSON_NAME]", "today"]
