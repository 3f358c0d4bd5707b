"""A Claude answer of the wrong shape (a gateway's translation of another vendor's, say) fails
as malformed_response saying what is wrong with it, never quoting the words it carries: they
are the caller's (a transcript) or made of them (a reply naming the caller and number), and
the job's error is shown to API callers, kept and logged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shared.audio import decode_pcm16k
from shared.models import Stage, Transcript
from shared.settings import Settings
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.fakes.server import Fault
from workers.providers.anthropic_client import forget_verified_models
from workers.providers.base import AudioInput, LlmProvider, ReplyContext, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.registry import build
from workers.providers.tts.local import PiperTts

WORDS = "Anna Lee on 617 555 2234 about her biopsy results"


@pytest.fixture(scope="module")
def fake() -> Iterator[AnthropicFake]:
    with AnthropicFake() as server:
        yield server


def _answer(content: Any) -> Fault:
    body = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
        "content": content, "stop_reason": "end_turn",
        "usage": {"input_tokens": 10, "output_tokens": 20},
    }  # fmt: skip
    return Fault(status=200, body=json.dumps(body).encode(), path="/v1/messages")


def _failure(fake: AnthropicFake, stage: Stage, answer: Fault) -> ProviderError:
    fake.reset()
    forget_verified_models()
    settings = Settings(anthropic={"api_key": API_KEY, "base_url": fake.base_url})
    provider = build(stage, "claude", settings)
    fake.fail_next(answer)
    with pytest.raises(ProviderError) as caught:
        _use(provider)
    return caught.value


def _use(provider: object) -> None:
    if isinstance(provider, SttProvider):
        data = PiperTts().synthesize("Please call me back.", None, "wav").data
        provider.transcribe(AudioInput(data, "audio/wav", "wav", decode_pcm16k(data)))
    else:
        assert isinstance(provider, LlmProvider)
        provider.respond(Transcript(text=WORDS, provider="test"), ReplyContext())


@pytest.mark.parametrize("stage", [Stage.STT, Stage.LLM])
def test_an_answer_whose_content_is_a_string_is_malformed_without_quoting_it(
    fake: AnthropicFake, stage: Stage
) -> None:
    failed = _failure(fake, stage, _answer(f"Hi, {WORDS}"))

    assert failed.code == "malformed_response"
    assert "content" in failed.message
    assert "555" not in failed.message
    assert "biopsy" not in failed.message


def test_a_tool_call_whose_input_is_a_string_is_malformed_without_quoting_it(
    fake: AnthropicFake,
) -> None:
    call = {"type": "tool_use", "id": "toolu_1", "name": "voicemail_reply",
            "input": json.dumps({"summary": WORDS})}  # fmt: skip

    failed = _failure(fake, Stage.LLM, _answer([call]))

    assert failed.code == "malformed_response"
    assert "voicemail_reply" in failed.message
    assert "555" not in failed.message
    assert "biopsy" not in failed.message
