"""Hybrid verification with two stub engines whose words we choose."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from shared.metered_details import stt_tokens
from shared.models import Billed, Stage, Transcript, Usage
from shared.settings import Settings
from tests.provider_stubs import registered, stub
from workers.providers import registry
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.stt.hybrid import HybridStt
from workers.providers.stt.offline import require_english
from workers.review import transcript_reasons

FIRST = "please call me back at five five five one two three four about the invoice"


class FirstEngine(SttProvider):
    name = "stub_first"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=FIRST, provider=self.name)


class SecondEngine(SttProvider):
    name = "stub_second"
    text = FIRST

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=type(self).text, provider=self.name)


AUDIO = AudioInput(
    data=b"", media_type="audio/wav", extension="wav", pcm16k=np.zeros(16000, dtype=np.int16)
)


@pytest.fixture
def stub_engines() -> Iterator[None]:
    with (
        registered(stub("stt", "stub_first", f"{__name__}:FirstEngine")),
        registered(stub("stt", "stub_second", f"{__name__}:SecondEngine")),
    ):
        yield


def _hybrid(**hybrid: object) -> HybridStt:
    return built(Settings(hybrid={"engines": ("stub_first", "stub_second"), **hybrid}))


def built(settings: Settings) -> HybridStt:
    provider = registry.build(Stage.STT, "hybrid", settings)
    assert isinstance(provider, HybridStt)
    return provider


def test_engines_that_agree_score_one_and_need_no_review(stub_engines: None) -> None:
    transcript = _hybrid().transcribe(AUDIO)

    assert transcript.details["agreement"] == 1.0
    assert transcript.details["spans"] == []
    assert transcript.details["needs_review"] is False
    assert transcript.text == FIRST


def test_disagreeing_engines_report_the_spans_and_ask_for_review(
    stub_engines: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        SecondEngine,
        "text",
        FIRST.replace("five five five", "nine nine").replace("invoice", "voice"),
    )

    transcript = _hybrid(review_below=0.9).transcribe(AUDIO)

    details = transcript.details
    assert details["agreement"] < 0.9
    assert details["needs_review"] is True
    assert sorted(w for s in details["spans"] for w in s["ref"]) == [
        "five",
        "five",
        "five",
        "invoice",
    ]
    assert sorted(w for s in details["spans"] for w in s["hyp"]) == ["nine", "nine", "voice"]
    assert details["transcripts"] == {"stub_first": FIRST, "stub_second": SecondEngine.text}
    assert details["reconciled_by"] is None, "Claude is not configured here"
    assert "invoice" in details["uncertain_words"]


def test_without_keys_hybrid_uses_the_engines_it_has_and_says_so() -> None:
    hybrid = built(Settings())  # whisper + local, no OpenAI key

    engines, skipped = hybrid._engines()

    assert engines == ["local"]
    assert "VOICEPIPE_OPENAI__API_KEY" in skipped["whisper"]


class TokenEngine(SttProvider):
    """An engine billed by its tokens, as Claude hearing the audio is."""

    name = "stub_tokens"

    def transcribe(self, audio: AudioInput) -> Transcript:
        usage = {"input_tokens": 900, "output_tokens": 40, "model": "claude-sonnet-4-6"}
        return Transcript(text=FIRST, provider=self.name, details={"usage": usage})


def test_an_engine_billed_by_its_tokens_has_them_kept_under_its_name() -> None:
    with (
        registered(stub("stt", "stub_first", f"{__name__}:FirstEngine")),
        registered(stub("stt", "stub_tokens", f"{__name__}:TokenEngine")),
    ):
        hybrid = built(Settings(hybrid={"engines": ("stub_first", "stub_tokens")}))
        transcript = hybrid.transcribe(AUDIO)

    assert transcript.details["engine_usage"] == {
        "stub_tokens": {"input_tokens": 900, "output_tokens": 40, "model": "claude-sonnet-4-6"}
    }


def test_engines_that_write_the_same_words_differently_agree_and_need_no_review(
    stub_engines: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        FirstEngine,
        "transcribe",
        lambda self, audio: Transcript(
            text="Please call me at 5551234 about the $5 fee, OK?", provider="stub_first"
        ),
    )
    monkeypatch.setattr(
        SecondEngine, "text", "please call me at 555-1234 about the five dollars fee okay"
    )

    details = _hybrid(review_below=0.9).transcribe(AUDIO).details

    assert details["agreement"] == 1.0
    assert details["spans"] == []
    assert details["uncertain_words"] == []
    assert details["needs_review"] is False


class EnglishOnlyEngine(SttProvider):
    """Refuses another language as the offline engines do."""

    name = "stub_english"

    def transcribe(self, audio: AudioInput) -> Transcript:
        require_english(audio.language, "English")
        return Transcript(text=FIRST, provider=self.name)


def test_a_french_job_one_engine_cannot_hear_is_unverified_rather_than_in_disagreement() -> None:
    french = replace(AUDIO, language="fr")
    with (
        registered(stub("stt", "stub_first", f"{__name__}:FirstEngine")),
        registered(stub("stt", "stub_english", f"{__name__}:EnglishOnlyEngine")),
    ):
        hybrid = built(Settings(hybrid={"engines": ("stub_first", "stub_english")}))
        transcript = hybrid.transcribe(french)

    details = transcript.details
    assert transcript.text == FIRST
    assert details["verified"] is False
    assert details["needs_review"] is False
    assert details["unverified_language"] == "fr"
    assert "unsupported_language" in details["engines_skipped"]["stub_english"]
    assert transcript_reasons(transcript, Settings().review) == ["hybrid_unverified"]


class RefusingTokenEngine(SttProvider):
    """An engine billed by its tokens whose answer is refused (Claude cut at max_tokens)."""

    name = "stub_refusing"

    def transcribe(self, audio: AudioInput) -> Transcript:
        cut = ProviderError("output_truncated", "the answer reached max_tokens")
        cut.billed = Usage(input_tokens=900, output_tokens=4096, model="claude-sonnet-4-6")
        raise cut


def test_tokens_billed_for_an_engine_that_failed_are_kept_under_its_name() -> None:
    with (
        registered(stub("stt", "stub_first", f"{__name__}:FirstEngine")),
        registered(stub("stt", "stub_refusing", f"{__name__}:RefusingTokenEngine")),
    ):
        settings = Settings(hybrid={"engines": ("stub_first", "stub_refusing")})
        details = built(settings).transcribe(AUDIO).details

    assert "output_truncated" in details["engines_skipped"]["stub_refusing"]
    assert details["engine_usage"] == {
        "stub_refusing": {"input_tokens": 900, "output_tokens": 4096, "model": "claude-sonnet-4-6"}
    }
    # Charged once, under the engine that spent them.
    assert [(who, used["output_tokens"]) for who, used, _ in stt_tokens(details, settings)] == [
        ("stub_refusing", 4096)
    ]


class UnavailableEngine(SttProvider):
    name = "stub_unavailable"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ProviderError("provider_unavailable", "503 from the vendor")


@pytest.mark.parametrize(
    ("engine", "name", "output_tokens"),
    [("RefusingTokenEngine", "stub_refusing", 4096), ("TokenEngine", "stub_tokens", 40)],
    ids=["refused", "answered"],
)
def test_a_retried_hybrid_carries_what_its_other_engine_was_billed_to_the_retry(
    engine: str, name: str, output_tokens: int
) -> None:
    # The retry runs both engines again: this run's answer is dropped, its tokens are not.
    with (
        registered(stub("stt", "stub_unavailable", f"{__name__}:UnavailableEngine")),
        registered(stub("stt", name, f"{__name__}:{engine}")),
    ):
        settings = Settings(hybrid={"engines": ("stub_unavailable", name)})
        with pytest.raises(ProviderError) as caught:
            built(settings).transcribe(AUDIO)

    assert caught.value.code == "provider_unavailable"
    assert caught.value.retryable
    assert caught.value.charges == [
        Billed(
            engine=name, input_tokens=900, output_tokens=output_tokens, model="claude-sonnet-4-6"
        )
    ]
