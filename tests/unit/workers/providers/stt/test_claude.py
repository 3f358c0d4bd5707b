"""ClaudeStt against the Anthropic fake: audio offered, refused, and the fallback recorded."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from shared.audio import decode_pcm16k
from shared.metered_details import metered_results
from shared.models import Stage, Transcript
from shared.settings import Settings
from shared.usage import job_usage
from tests.fakes import anthropic as anthropic_fake
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.provider_stubs import registered, stub
from tests.usage_factories import finished_job
from workers.providers import registry
from workers.providers.anthropic_client import API_VERSION, forget_verified_models
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.stt import claude as claude_stt
from workers.providers.stt.claude import ClaudeStt, clean
from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.providers.tts.local import PiperTts

SENTENCE = "Hello, this is John. Please call me back tomorrow morning about my appointment."
AUDIO_REFUSED = "Input tag 'audio' found using 'type' does not match any of the expected tags"


class StubWhisper(SttProvider):
    name = "whisper"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text="heard by whisper", language="en", provider=self.name)


class FailingWhisper(SttProvider):
    name = "whisper"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ProviderError("rejected_media", "whisper cannot read this recording")


@pytest.fixture(scope="module")
def audio() -> AudioInput:
    wav = PiperTts().synthesize(SENTENCE, None, "wav").data
    return AudioInput(data=wav, media_type="audio/wav", extension="wav", pcm16k=decode_pcm16k(wav))


@pytest.fixture(scope="module")
def server() -> Iterator[AnthropicFake]:
    with AnthropicFake() as fake:
        yield fake


@pytest.fixture(scope="module")
def gateway_server() -> Iterator[AnthropicFake]:
    with AnthropicFake(accept_audio=True, transcript=f'Transcript: "{SENTENCE}"') as fake:
        yield fake


def _fresh(fake: AnthropicFake) -> Iterator[AnthropicFake]:
    fake.reset()
    forget_verified_models()
    registry.clear_instances()
    yield fake
    fake.reset()
    registry.clear_instances()


@pytest.fixture
def fake(server: AnthropicFake) -> Iterator[AnthropicFake]:
    yield from _fresh(server)


@pytest.fixture
def gateway(gateway_server: AnthropicFake) -> Iterator[AnthropicFake]:
    yield from _fresh(gateway_server)


def stt(fake: AnthropicFake, fallback: str = "auto", **sections: Any) -> ClaudeStt:
    anthropic = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    settings = Settings(
        anthropic={**anthropic, **sections.pop("anthropic", {})},
        claude_stt={"fallback": fallback},
        **sections,
    )
    provider = registry.build(Stage.STT, "claude", settings)
    assert isinstance(provider, ClaudeStt)
    return provider


def test_audio_is_sent_as_a_base64_block_with_a_transcription_request(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    stt(gateway).transcribe(audio)

    (call,) = gateway.calls()
    assert (call.method, call.path) == ("POST", "/v1/messages")
    assert call.headers["x-api-key"] == API_KEY
    assert call.headers["anthropic-version"] == API_VERSION
    assert call.headers["content-type"] == "application/json"
    body = call.json()
    assert body["model"] == "claude-sonnet-4-6"
    assert body["max_tokens"] == 1024
    (message,) = body["messages"]
    audio_block, text_block = message["content"]
    assert audio_block == {
        "type": "audio",
        "source": {
            "type": "base64",
            "media_type": "audio/wav",
            "data": base64.b64encode(audio.data).decode(),
        },
    }
    assert text_block["type"] == "text"
    assert text_block["text"].startswith("Transcribe this audio exactly")


def test_gateway_that_takes_audio_gives_claudes_transcript_without_fallback(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    transcript = stt(gateway).transcribe(audio)

    assert transcript.text == SENTENCE  # label and quotes the model added are removed
    assert transcript.provider == "claude"
    assert transcript.details["engine"] == "claude"
    assert "fallback" not in transcript.details
    assert transcript.details["usage"]["input_tokens"] > 0
    assert transcript.duration_s == pytest.approx(len(audio.pcm16k) / 16_000, abs=0.01)


def test_refused_audio_falls_back_to_local_and_records_the_apis_message(
    fake: AnthropicFake, audio: AudioInput
) -> None:
    transcript = stt(fake, fallback="local").transcribe(audio)

    local = WhisperOfflineStt().transcribe(audio)
    assert transcript.provider == "claude"
    assert transcript.text == local.text
    # Confidences drift a little between decoder runs; the words themselves do not.
    assert [w.word for w in transcript.words] == [w.word for w in local.words]
    assert transcript.words
    assert transcript.language == "en"
    assert transcript.details["engine"] == "local"
    fallback = transcript.details["fallback"]
    assert (fallback["from"], fallback["to"]) == ("claude", "local")
    assert AUDIO_REFUSED in fallback["reason"]
    assert fallback["reason"].startswith("messages.0.content.0:")
    assert [c.path for c in fake.calls()] == ["/v1/messages"]


def test_auto_fallback_is_local_without_an_openai_key(
    fake: AnthropicFake, audio: AudioInput
) -> None:
    provider = stt(fake)
    assert provider.fallback_engine() == "local"
    assert provider.transcribe(audio).details["fallback"]["to"] == "local"


def test_auto_fallback_is_whisper_with_an_openai_key(
    fake: AnthropicFake, audio: AudioInput
) -> None:
    with registered(stub("stt", "whisper", f"{__name__}:StubWhisper")):
        transcript = stt(fake, openai={"api_key": "sk-test"}).transcribe(audio)

    assert transcript.text == "heard by whisper"
    assert transcript.details["engine"] == "whisper"
    assert transcript.details["fallback"]["to"] == "whisper"


def test_fallback_none_fails_the_job_as_rejected_media(
    fake: AnthropicFake, audio: AudioInput
) -> None:
    with pytest.raises(ProviderError) as caught:
        stt(fake, fallback="none").transcribe(audio)

    assert (caught.value.code, caught.value.retryable) == ("rejected_media", False)
    assert AUDIO_REFUSED in caught.value.message
    assert "claude_stt.fallback" in caught.value.message


@pytest.mark.parametrize(
    ("status", "kind", "code", "retryable"),
    [
        (401, None, "auth_failed", False),
        (429, None, "rate_limited", True),
        (429, "spend_limit", "spend_limit_reached", False),
        (500, None, "provider_unavailable", True),
        (529, None, "provider_overloaded", True),
    ],
)
def test_errors_other_than_refused_audio_do_not_fall_back(
    fake: AnthropicFake, audio: AudioInput, status: int, kind: str | None, code: str,
    retryable: bool,
) -> None:  # fmt: skip
    fake.fail_next(fake.error(status, kind, retry_after=2))

    with pytest.raises(ProviderError) as caught:
        stt(fake, fallback="local").transcribe(audio)

    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    if code == "rate_limited":
        assert caught.value.retry_after_s == 2
    assert len(fake.calls()) == 1


def test_a_400_about_something_else_is_rejected_not_a_fallback(
    fake: AnthropicFake, audio: AudioInput
) -> None:
    fake.fail_next(fake.error(400, message="max_tokens: 99999 > 64000, the maximum allowed"))

    with pytest.raises(ProviderError) as caught:
        stt(fake, fallback="local").transcribe(audio)

    assert (caught.value.code, caught.value.retryable) == ("provider_rejected", False)


def test_slow_endpoint_times_out_without_fallback(fake: AnthropicFake, audio: AudioInput) -> None:
    fake.fail_next(fake.timeout(delay_s=1.5))

    with pytest.raises(ProviderError) as caught:
        stt(fake, fallback="local", anthropic={"timeout_s": 0.5}).transcribe(audio)

    assert (caught.value.code, caught.value.retryable) == ("timeout", True)


def test_unknown_model_is_reported_before_any_audio_is_sent(
    fake: AnthropicFake, audio: AudioInput
) -> None:
    provider = stt(fake, anthropic={"model": "claude-nope", "verify_model": True})
    with pytest.raises(ProviderError) as caught:
        provider.transcribe(audio)

    assert "claude-haiku-4-5" in caught.value.message
    assert [c.path for c in fake.calls()] == ["/v1/models"]


def test_model_wrapping_is_removed_from_the_transcript() -> None:
    assert clean('Transcript: "Call me back."\n') == "Call me back."
    assert clean("(no speech)") == ""
    assert clean("  two\nlines  ") == "two lines"


def test_registry_knows_claude_as_a_transcription_provider() -> None:
    assert registry.load_class(Stage.STT, "claude") is ClaudeStt


def test_a_transcript_cut_off_at_max_tokens_fails_rather_than_keeping_half_the_message(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    # ~1,000 tokens of speech against a 64-token budget: the API stops mid-transcript.
    gateway.transcript = " ".join([SENTENCE] * 50)
    try:
        with pytest.raises(ProviderError) as caught:
            stt(gateway, anthropic={"max_tokens": 64}).transcribe(audio)
    finally:
        gateway.transcript = f'Transcript: "{SENTENCE}"'

    assert (caught.value.code, caught.value.retryable) == ("output_truncated", False)
    assert "VOICEPIPE_ANTHROPIC__MAX_TOKENS" in caught.value.message
    assert "64" in caught.value.message


def test_a_refused_transcription_is_heard_by_the_fallback_with_the_refusal_as_reason(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    gateway.refusing = "general_harms"

    with registered(stub("stt", "whisper", f"{__name__}:StubWhisper")):
        transcript = stt(gateway, "whisper", openai={"api_key": "sk-test"}).transcribe(audio)

    assert transcript.text == "heard by whisper"
    assert "general_harms" in transcript.details["fallback"]["reason"]
    assert len(gateway.calls("/v1/messages")) == 1


def test_the_tokens_of_a_refused_transcription_are_charged_beside_the_fallbacks_audio(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    gateway.refusing = "general_harms"
    settings = Settings(
        anthropic={"api_key": API_KEY, "base_url": gateway.base_url, "verify_model": False},
        openai={"api_key": "sk-test", "stt_model": "whisper-1"},
        claude_stt={"fallback": "whisper"},
    )

    with registered(stub("stt", "whisper", f"{__name__}:StubWhisper")):
        provider = registry.build(Stage.STT, "claude", settings)
        assert isinstance(provider, ClaudeStt)
        transcript = provider.transcribe(audio)
    job = finished_job(audio_s=60.0, providers=("claude", "local", "local"))
    job.results.transcription = dict(transcript.details)
    kept = job.model_copy(update={"results": metered_results(job.results)})

    billed = transcript.details["usage"]
    assert billed["input_tokens"] > 0  # the fake bills a refusal as the API does
    lines = {
        (line.engine, line.meter): line.quantity
        for line in job_usage(job, settings).lines
        if line.stage == Stage.STT
    }
    assert lines[("whisper", "audio_s")] == 60.0
    assert lines[("claude", "input_tokens")] == billed["input_tokens"]
    assert lines[("claude", "output_tokens")] == billed["output_tokens"]
    assert job_usage(kept, settings).totals == job_usage(job, settings).totals


def test_a_refused_transcription_without_a_fallback_fails_with_the_category(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    gateway.refusing = "general_harms"

    with pytest.raises(ProviderError) as caught:
        stt(gateway, fallback="none").transcribe(audio)

    assert (caught.value.code, caught.value.retryable) == ("rejected_media", False)
    assert "general_harms" in caught.value.message
    # The failed stage records what the refusal was billed (stages.stt.billed).
    assert caught.value.billed is not None
    assert caught.value.billed.input_tokens > 0


def test_a_recording_too_large_for_one_messages_request_falls_back_without_sending_it(
    gateway: AnthropicFake, audio: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 32 MB is the API's request limit; base64 makes a 24 MB recording larger than that.
    limit = len(audio.data)  # the base64 of the audio alone is a third larger
    monkeypatch.setattr(anthropic_fake, "MAX_REQUEST_BYTES", limit)
    monkeypatch.setattr(claude_stt, "MAX_REQUEST_BYTES", limit, raising=False)

    with registered(stub("stt", "whisper", f"{__name__}:StubWhisper")):
        transcript = stt(gateway, "whisper", openai={"api_key": "sk-test"}).transcribe(audio)

    assert transcript.text == "heard by whisper"
    assert "request limit" in transcript.details["fallback"]["reason"]
    assert gateway.calls("/v1/messages") == []


def test_a_413_from_the_endpoint_falls_back_like_a_refused_audio_block(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    gateway.fail_next(gateway.error(413))

    with registered(stub("stt", "whisper", f"{__name__}:StubWhisper")):
        transcript = stt(gateway, "whisper", openai={"api_key": "sk-test"}).transcribe(audio)

    assert transcript.text == "heard by whisper"
    assert "exceeds the maximum allowed number of bytes" in transcript.details["fallback"]["reason"]


def test_the_tokens_of_a_refused_transcription_go_with_the_failure_when_the_fallback_fails(
    gateway: AnthropicFake, audio: AudioInput
) -> None:
    gateway.refusing = "general_harms"

    with (
        registered(stub("stt", "whisper", f"{__name__}:FailingWhisper")),
        pytest.raises(ProviderError) as caught,
    ):
        stt(gateway, "whisper", openai={"api_key": "sk-test"}).transcribe(audio)

    # The fallback's own error, with what Claude's refusal was billed for the stage runner
    # to record on the job (stages.stt.billed), charged as Claude's.
    assert caught.value.code == "rejected_media"
    (charged,) = caught.value.charges
    assert charged.engine == "claude"
    assert charged.input_tokens > 0
