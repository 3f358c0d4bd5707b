"""Claude reconciling two engines' transcripts, against the Anthropic fake over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from shared.models import Stage, Transcript
from shared.settings import Settings
from shared.wer import alignment_spans
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.fakes.server import Fault
from tests.provider_stubs import registered, stub
from workers.providers import registry
from workers.providers.anthropic_client import API_VERSION, forget_verified_models
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.stt.hybrid import HybridStt
from workers.providers.stt.reconcile import reconcile_transcripts

FIRST = "please call me back at five five five one two three four about the invoice"
SECOND = "please call me back at nine five five one two three four about the invoice"


class FirstEngine(SttProvider):
    name = "stub_first"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=FIRST, provider=self.name, details={"engine": "local"})


class SecondEngine(SttProvider):
    name = "stub_second"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=SECOND, provider=self.name, details={"engine": "whisper"})


@pytest.fixture(scope="module")
def server() -> Iterator[AnthropicFake]:
    with AnthropicFake() as fake:
        yield fake


@pytest.fixture
def fake(server: AnthropicFake) -> Iterator[AnthropicFake]:
    server.reset()
    forget_verified_models()
    yield server
    server.reset()


def settings(fake: AnthropicFake, **anthropic: Any) -> Settings:
    section = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    return Settings(anthropic={**section, **anthropic})


def reconcile(fake: AnthropicFake, **anthropic: Any) -> tuple[str, list[str]]:
    first = Transcript(text=FIRST, provider="local", details={"engine": "local"})
    second = Transcript(text=SECOND, provider="whisper", details={"engine": "whisper"})
    spans = [dict(span) for span in alignment_spans(FIRST, SECOND)]
    text, uncertain, _ = reconcile_transcripts(
        first, second, spans, settings(fake, **anthropic).anthropic
    )
    return text, uncertain


def tool_answer(tool_input: object) -> Fault:
    body = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "reconciled_transcript",
                     "input": tool_input}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 5, "output_tokens": 5},
    }  # fmt: skip
    return Fault(status=200, body=json.dumps(body).encode())


def test_request_is_text_only_with_both_transcripts_and_a_forced_tool(
    fake: AnthropicFake,
) -> None:
    reconcile(fake)

    (call,) = fake.calls()
    body = call.json()
    assert (call.method, call.path) == ("POST", "/v1/messages")
    assert call.headers["x-api-key"] == API_KEY
    assert call.headers["anthropic-version"] == API_VERSION
    assert body["model"] == "claude-sonnet-4-6"
    assert "transcripts" in body["system"]
    assert body["tool_choice"] == {"type": "tool", "name": "reconciled_transcript"}
    (tool,) = body["tools"]
    assert tool["input_schema"]["required"] == ["text", "uncertain_words"]
    (message,) = body["messages"]
    content = message["content"]
    assert isinstance(content, str), "no audio: the reconciler reads text only"
    assert f'<first_transcript engine="local">{FIRST}</first_transcript>' in content
    assert f'<second_transcript engine="whisper">{SECOND}</second_transcript>' in content
    assert 'substitute: first ["five"], second ["nine"]' in content


def test_merge_prefers_the_first_engine_and_lists_the_differing_words(
    fake: AnthropicFake,
) -> None:
    text, uncertain = reconcile(fake)

    assert text == FIRST
    assert uncertain == ["five"]


def test_answer_is_normalised_and_blank_uncertain_words_dropped(fake: AnthropicFake) -> None:
    fake.fail_next(tool_answer({"text": "  call me\n back ", "uncertain_words": ["back", ""]}))

    assert reconcile(fake) == ("call me back", ["back"])


@pytest.mark.parametrize(
    "tool_input",
    [{"uncertain_words": []}, {"text": "", "uncertain_words": []},
     {"text": "ok", "uncertain_words": "back"}, ["not", "an", "object"]],
)  # fmt: skip
def test_tool_input_failing_the_schema_is_malformed(
    fake: AnthropicFake, tool_input: object
) -> None:
    fake.fail_next(tool_answer(tool_input))

    with pytest.raises(ProviderError) as caught:
        reconcile(fake)

    assert (caught.value.code, caught.value.retryable) == ("malformed_response", False)


@pytest.mark.parametrize(
    ("status", "kind", "code", "retryable"),
    [
        (400, None, "provider_rejected", False),
        (401, None, "auth_failed", False),
        (429, None, "rate_limited", True),
        (429, "spend_limit", "spend_limit_reached", False),
        (500, None, "provider_unavailable", True),
        (529, None, "provider_overloaded", True),
    ],
)
def test_errors_map_like_every_other_claude_call(
    fake: AnthropicFake, status: int, kind: str | None, code: str, retryable: bool
) -> None:
    fake.fail_next(fake.error(status, kind, retry_after=4))

    with pytest.raises(ProviderError) as caught:
        reconcile(fake)

    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    if code == "rate_limited":
        assert caught.value.retry_after_s == 4


def test_slow_endpoint_is_a_retryable_timeout(fake: AnthropicFake) -> None:
    fake.fail_next(fake.timeout(delay_s=1.5))

    with pytest.raises(ProviderError) as caught:
        reconcile(fake, timeout_s=0.5)

    assert (caught.value.code, caught.value.retryable) == ("timeout", True)


def test_hybrid_stt_uses_it_when_its_engines_disagree(fake: AnthropicFake) -> None:
    settings = Settings(
        anthropic={"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False},
        hybrid={"engines": ("stub_first", "stub_second"), "reconcile_below": 0.99},
    )
    transcript = _hybrid_of_the_two_stubs(settings)

    assert transcript.details["reconciled_by"] == "claude"
    assert transcript.details["uncertain_words"] == ["five"]
    assert transcript.text == FIRST
    assert len(fake.calls("/v1/messages")) == 1


def test_a_reconciliation_cut_off_at_max_tokens_is_output_truncated(fake: AnthropicFake) -> None:
    with pytest.raises(ProviderError) as caught:
        reconcile(fake, max_tokens=16)

    assert (caught.value.code, caught.value.retryable) == ("output_truncated", False)
    assert "VOICEPIPE_ANTHROPIC__MAX_TOKENS" in caught.value.message


@pytest.mark.parametrize("stop", ["max_tokens", "refusal"])
def test_hybrid_keeps_the_first_engines_transcript_for_review_when_claude_cannot_finish(
    fake: AnthropicFake, stop: str
) -> None:
    anthropic = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    if stop == "max_tokens":
        anthropic["max_tokens"] = 16
    else:
        fake.refusing = "general_harms"
    settings = Settings(
        anthropic=anthropic,
        hybrid={"engines": ("stub_first", "stub_second"), "reconcile_below": 0.99,
                "review_below": 0.5},
    )  # fmt: skip
    transcript = _hybrid_of_the_two_stubs(settings)

    assert transcript.text == FIRST
    assert transcript.details["reconciled_by"] is None
    expected = "output_truncated" if stop == "max_tokens" else "content_refused"
    assert transcript.details["reconcile_failed"].startswith(f"{expected}: ")
    assert transcript.details["needs_review"] is True
    # The answer Claude could not finish was billed: the ledger charges it as Claude's.
    assert transcript.details["reconcile_usage"]["input_tokens"] > 0


def _hybrid_of_the_two_stubs(settings: Settings) -> Transcript:
    """The hybrid engine's transcript of a second of silence, its engines the two stubs."""
    audio = AudioInput(
        data=b"", media_type="audio/wav", extension="wav", pcm16k=np.zeros(16000, np.int16)
    )
    with (
        registered(stub("stt", "stub_first", f"{__name__}:FirstEngine")),
        registered(stub("stt", "stub_second", f"{__name__}:SecondEngine")),
    ):
        hybrid = registry.build(Stage.STT, "hybrid", settings)
        assert isinstance(hybrid, HybridStt)
        return hybrid.transcribe(audio)


def test_a_hybrid_reconciled_by_claude_records_the_tokens_the_reconciling_spent(
    fake: AnthropicFake,
) -> None:
    fake.fail_next(tool_answer({"text": FIRST, "uncertain_words": []}))
    settings = Settings(
        anthropic={"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False},
        hybrid={"engines": ("stub_first", "stub_second"), "reconcile_below": 0.99},
    )

    transcript = _hybrid_of_the_two_stubs(settings)

    assert transcript.details["reconciled_by"] == "claude"
    assert transcript.details["reconcile_usage"] == {
        "input_tokens": 5,
        "output_tokens": 5,
        "model": "claude-sonnet-4-6",
    }
