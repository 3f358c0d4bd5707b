"""A hybrid whose one engine breaks (an error no provider error wraps) keeps the other's
transcript, says which broke and how, and asks for review; both breaking fails the stage."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest

from shared.errors import StageFailed
from shared.models import Stage, Transcript
from shared.settings import Settings
from tests.provider_stubs import registered, stub
from workers.providers import registry
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt.hybrid import HybridStt

HEARD = "please call me back about the invoice"
AUDIO = AudioInput(
    data=b"", media_type="audio/wav", extension="wav", pcm16k=np.zeros(16000, dtype=np.int16)
)


class Hearing(SttProvider):
    name = "stub_hearing"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=HEARD, provider=self.name)


class Broken(SttProvider):
    # An ONNX Runtime or CTranslate2 failure, or a plugin's own exception.
    name = "stub_broken"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise RuntimeError("bad_alloc: std::bad_alloc in the model runtime")


class BrokenToo(Broken):
    name = "stub_broken_too"


class Quoting(SttProvider):
    # A runtime's error that quotes what it was working on, as a parser's does.
    name = "stub_quoting"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ValueError(f"unexpected token in {HEARD!r}")


class Refusing(SttProvider):
    name = "stub_refusing"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise StageFailed("rejected_media", "the engine refuses this audio")


@pytest.fixture
def engines() -> Iterator[None]:
    with (
        registered(stub("stt", "stub_hearing", f"{__name__}:Hearing")),
        registered(stub("stt", "stub_broken", f"{__name__}:Broken")),
        registered(stub("stt", "stub_broken_too", f"{__name__}:BrokenToo")),
        registered(stub("stt", "stub_quoting", f"{__name__}:Quoting")),
        registered(stub("stt", "stub_refusing", f"{__name__}:Refusing")),
    ):
        yield


def _hybrid(first: str, second: str) -> HybridStt:
    provider = registry.build(Stage.STT, "hybrid", Settings(hybrid={"engines": (first, second)}))
    assert isinstance(provider, HybridStt)
    return provider


def test_one_engine_breaking_keeps_the_others_transcript_for_review(engines: None) -> None:
    transcript = _hybrid("stub_broken", "stub_hearing").transcribe(AUDIO)

    assert transcript.text == HEARD
    details = transcript.details
    assert details["engines_used"] == ["stub_hearing"]
    assert details["engines_skipped"]["stub_broken"].startswith("internal: RuntimeError")
    assert details["needs_review"] is True


def test_both_engines_breaking_fails_the_stage_with_the_error(engines: None) -> None:
    with pytest.raises(RuntimeError, match="bad_alloc"):
        _hybrid("stub_broken", "stub_broken_too").transcribe(AUDIO)


def test_a_broken_engines_skip_names_its_kind_and_a_reference_not_its_text(engines: None) -> None:
    transcript = _hybrid("stub_quoting", "stub_hearing").transcribe(AUDIO)

    skipped = transcript.details["engines_skipped"]["stub_quoting"]
    assert re.fullmatch(r"internal: ValueError \(reference err_[0-9a-f]{16}\)", skipped)


def test_a_broken_engine_beside_a_refusing_one_fails_the_stage_without_its_text(
    engines: None,
) -> None:
    with pytest.raises(StageFailed) as caught:
        _hybrid("stub_quoting", "stub_refusing").transcribe(AUDIO)

    assert caught.value.code == "all_engines_failed"
    assert "internal: ValueError" in caught.value.message
    assert "invoice" not in caught.value.message
