"""ClaudeResponder against the Anthropic fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anthropic
import pytest

from shared.models import Stage, Transcript
from shared.settings import Settings
from shared.settings.providers import AnthropicSettings
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.fakes.server import Fault
from workers.providers import registry
from workers.providers.anthropic_client import API_VERSION
from workers.providers.base import ReplyContext
from workers.providers.errors import ProviderError
from workers.providers.llm.claude import VOICEMAIL_TOOL, ClaudeResponder, fit_words, speakable
from workers.triage.classify import INTENTS

VOICEMAIL = (
    "Hi, this is John Smith. My kitchen sink is leaking and it is urgent. "
    "Please call me back at 415 555 0198."
)


def settings(fake: AnthropicFake, **anthropic_settings: Any) -> AnthropicSettings:
    section = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    return Settings(anthropic={**section, **anthropic_settings}).anthropic


def respond(
    fake: AnthropicFake, text: str = VOICEMAIL, context: ReplyContext | None = None, **opts: Any
) -> Any:
    provider = ClaudeResponder(settings(fake, **opts))
    return provider.respond(Transcript(text=text, provider="local"), context or ReplyContext())


def tool_answer(**tool_input: Any) -> Fault:
    """A 200 whose voicemail_reply call carries ``tool_input``."""
    body = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "voicemail_reply",
                     "input": tool_input}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 10, "output_tokens": 20},
    }  # fmt: skip
    return Fault(status=200, body=json.dumps(body).encode())


VALID: dict[str, Any] = {
    "caller_name": "Ann", "callback_number": None, "dates": [], "intent": "general",
    "urgency": "normal", "requested_action": None, "summary": "Ann called.",
}  # fmt: skip


def test_request_is_a_messages_api_call_with_key_version_and_forced_tool(
    fake: AnthropicFake,
) -> None:
    respond(fake)

    (call,) = fake.calls()
    body = call.json()
    assert (call.method, call.path) == ("POST", "/v1/messages")
    assert call.headers["x-api-key"] == API_KEY
    assert call.headers["anthropic-version"] == API_VERSION == "2023-06-01"
    assert call.headers["content-type"] == "application/json"
    # SDK 2.12 would send the key as a bearer token too; the API key goes in x-api-key only.
    assert "authorization" not in call.headers
    assert body["model"] == "claude-sonnet-4-6"
    assert body["max_tokens"] == 1024
    assert "spoken" in body["system"] or "speech" in body["system"]
    assert body["messages"][-1]["role"] == "user"
    assert VOICEMAIL in body["messages"][-1]["content"]
    assert [tool["name"] for tool in body["tools"]] == ["voicemail_reply"]
    assert body["tool_choice"] == {"type": "tool", "name": "voicemail_reply"}
    schema = body["tools"][0]["input_schema"]
    assert schema["properties"]["urgency"]["enum"] == ["low", "normal", "high"]
    assert schema["properties"]["intent"]["enum"] == list(INTENTS)


def test_tool_answer_becomes_the_reply_with_triage_and_token_usage(fake: AnthropicFake) -> None:
    reply = respond(fake)

    assert reply.provider == "claude"
    assert reply.triage.caller_name == "John Smith"
    assert reply.triage.callback_number == "+14155550198"
    assert reply.triage.urgency == "high"
    assert reply.triage.intent == "repair"
    assert reply.triage.summary
    assert reply.text.startswith("Hello John")
    assert reply.usage.input_tokens > 0
    assert reply.usage.output_tokens > 0


def test_job_system_prompt_is_appended_to_the_spoken_reply_rules(fake: AnthropicFake) -> None:
    respond(fake, context=ReplyContext(system_prompt="We are Acme Plumbing."))

    system = fake.calls()[0].json()["system"]
    assert "markdown" in system
    assert system.rstrip().endswith("We are Acme Plumbing.")


def test_history_is_sent_as_earlier_turns_in_order_before_the_new_voicemail(
    fake: AnthropicFake,
) -> None:
    history = [("first message", "first reply"), ("second message", "second reply")]
    respond(fake, context=ReplyContext(history=history))

    messages = fake.calls()[0].json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert "first message" in messages[0]["content"]
    assert messages[1]["content"] == "first reply"
    assert "second message" in messages[2]["content"]
    assert messages[3]["content"] == "second reply"
    assert VOICEMAIL in messages[4]["content"]


ERRORS: list[tuple[str, Callable[[AnthropicFake], Fault], str, bool]] = [
    ("400", lambda f: f.error(400), "provider_rejected", False),
    ("401", lambda f: f.error(401), "auth_failed", False),
    ("403", lambda f: f.error(403), "auth_failed", False),
    ("500", lambda f: f.error(500), "provider_unavailable", True),
    ("529", lambda f: f.error(529), "provider_overloaded", True),
    ("spend", lambda f: f.error(429, "spend_limit"), "spend_limit_reached", False),
    ("spend-message", lambda f: f.error(429, message="You have reached your spend limit."),
     "spend_limit_reached", False),
]  # fmt: skip


@pytest.mark.parametrize(("factory", "code", "retryable"), [e[1:] for e in ERRORS],
                         ids=[e[0] for e in ERRORS])  # fmt: skip
def test_error_answers_map_to_codes_that_say_whether_to_retry(
    fake: AnthropicFake, factory: Callable[[AnthropicFake], Fault], code: str, retryable: bool
) -> None:
    fake.fail_next(factory(fake))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert (caught.value.code, caught.value.retryable) == (code, retryable)
    assert caught.value.message.startswith("Anthropic answered")
    assert len(fake.calls()) == 1, "the SDK must not retry on its own"


@pytest.mark.parametrize(
    ("headers", "wait"), [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "1500"}, 1.5)]
)
def test_rate_limit_carries_the_wait_the_api_asked_for(
    fake: AnthropicFake, headers: dict[str, str], wait: float
) -> None:
    fake.fail_next(fake.error(429, headers=headers))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert (caught.value.code, caught.value.retryable) == ("rate_limited", True)
    assert caught.value.retry_after_s == wait


def test_wrong_key_is_refused_by_the_fake_as_auth_failed(fake: AnthropicFake) -> None:
    with pytest.raises(ProviderError) as caught:
        respond(fake, api_key="sk-ant-wrong")

    assert caught.value.code == "auth_failed"
    assert not caught.value.retryable
    assert "VOICEPIPE_ANTHROPIC__API_KEY" in caught.value.message
    assert "sk-ant-wrong" not in caught.value.message


def test_plain_sdk_client_is_refused_because_it_sends_the_key_as_a_bearer_token(
    fake: AnthropicFake,
) -> None:
    client = anthropic.Anthropic(api_key=API_KEY, base_url=fake.base_url, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        client.models.list()
    assert fake.calls()[0].headers["authorization"] == f"Bearer {API_KEY}"


def test_server_slower_than_the_timeout_is_a_retryable_timeout(fake: AnthropicFake) -> None:
    fake.fail_next(fake.timeout(delay_s=1.5))

    with pytest.raises(ProviderError) as caught:
        respond(fake, timeout_s=0.5)

    assert (caught.value.code, caught.value.retryable) == ("timeout", True)


def test_unreachable_endpoint_is_a_retryable_connection_error() -> None:
    closed = AnthropicFake()  # never started: nothing listens on its port
    closed.port = 9  # discard port, closed on test machines
    with pytest.raises(ProviderError) as caught:
        respond(closed)

    assert (caught.value.code, caught.value.retryable) == ("connection_error", True)


def test_answer_without_content_is_malformed(fake: AnthropicFake) -> None:
    body = {"id": "msg_1", "type": "message", "role": "assistant", "stop_reason": "end_turn"}
    fake.fail_next(Fault(status=200, body=json.dumps(body).encode()))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert (caught.value.code, caught.value.retryable) == ("malformed_response", False)


def test_answer_with_text_instead_of_the_tool_call_is_malformed(fake: AnthropicFake) -> None:
    body = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
            "content": [{"type": "text", "text": "Hello!"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
    fake.fail_next(Fault(status=200, body=json.dumps(body).encode()))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert caught.value.code == "malformed_response"
    assert "voicemail_reply" in caught.value.message


@pytest.mark.parametrize(
    "bad",
    [{"intent": "weather"}, {"urgency": "extreme"}, {"reply_text": ""}, {"reply_text": None}],
)
def test_tool_input_failing_the_schema_is_malformed(
    fake: AnthropicFake, bad: dict[str, Any]
) -> None:
    fake.fail_next(tool_answer(**{**VALID, "reply_text": "Hello Ann.", **bad}))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert caught.value.code == "malformed_response"
    assert next(iter(bad)) in caught.value.message


def test_long_reply_is_cut_at_a_sentence_end_within_100_words(fake: AnthropicFake) -> None:
    sentence = "We will look into this for you and call you back very soon today."  # 14 words
    fake.fail_next(tool_answer(**VALID, reply_text=" ".join([sentence] * 10)))

    reply = respond(fake)

    assert len(reply.text.split()) == 98
    assert reply.text.endswith("today.")
    assert reply.usage.output_tokens == 20


def test_model_slips_are_made_speakable_and_a_number_is_kept_in_digits() -> None:
    # The number was spelled ("four one five, ...") in the stored reply the inbox shows; the
    # tts stage spells it for the voice.
    text = "- **Thanks!** Call us at 415-555-0198.\n- Bye"
    assert speakable(text, "US") == "Thanks! Call us at (415) 555-0198. Bye"
    assert fit_words("one two three four five", limit=3) == "one two three."


def test_unknown_model_fails_clearly_naming_the_available_ids(fake: AnthropicFake) -> None:
    with pytest.raises(ProviderError) as caught:
        respond(fake, model="claude-sonnet-9", verify_model=True)

    message = caught.value.message
    assert caught.value.code == "provider_rejected"
    assert "'claude-sonnet-9'" in message
    assert "claude-sonnet-4-6, claude-opus-4-6, claude-haiku-4-5" in message
    assert [c.path for c in fake.calls()] == ["/v1/models"]


def test_model_is_verified_once_per_process(fake: AnthropicFake) -> None:
    provider = ClaudeResponder(settings(fake, verify_model=True))
    for _ in range(2):
        provider.respond(Transcript(text=VOICEMAIL, provider="local"), ReplyContext())

    assert [c.path for c in fake.calls()] == ["/v1/models", "/v1/messages", "/v1/messages"]


def test_fake_answers_unknown_models_with_404_like_the_api(fake: AnthropicFake) -> None:
    with pytest.raises(ProviderError) as caught:
        respond(fake, model="claude-unknown")

    assert caught.value.code == "provider_rejected"
    assert caught.value.status == 404


def test_registry_knows_claude_as_a_reply_provider() -> None:
    assert registry.load_class(Stage.LLM, "claude") is ClaudeResponder


def test_a_number_from_the_model_that_is_not_valid_is_only_a_partial_number(
    fake: AnthropicFake,
) -> None:
    answer = {**VALID, "callback_number": "555-1234", "reply_text": "Hello Ann."}
    fake.fail_next(tool_answer(**answer))
    reply = respond(fake)
    assert reply.triage.callback_number is None
    assert reply.triage.callback_number_partial == "5551234"


def test_the_models_line_on_tone_is_kept_and_asked_for(fake: AnthropicFake) -> None:
    answer = {**VALID, "tone": "calm, a little impatient", "reply_text": "Hello Ann."}
    fake.fail_next(tool_answer(**answer))
    reply = respond(fake)
    assert reply.tone_description == "calm, a little impatient"
    assert "tone" in VOICEMAIL_TOOL["input_schema"]["required"]


def test_a_reply_cut_off_at_max_tokens_says_to_raise_max_tokens(fake: AnthropicFake) -> None:
    # The API cuts the forced tool call mid-input and hands it over as {}.
    with pytest.raises(ProviderError) as caught:
        respond(fake, max_tokens=16)

    assert (caught.value.code, caught.value.retryable) == ("output_truncated", False)
    assert "VOICEPIPE_ANTHROPIC__MAX_TOKENS" in caught.value.message
    assert "schema" not in caught.value.message


def test_a_refused_reply_is_content_refused_with_the_apis_explanation(
    fake: AnthropicFake,
) -> None:
    fake.refusing = "cyber"

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert (caught.value.code, caught.value.retryable) == ("content_refused", False)
    assert "cyber" in caught.value.message
    assert "declined by a safety classifier" in caught.value.message


def test_an_error_quoting_the_key_it_was_sent_leaves_the_provider_without_it(
    fake: AnthropicFake,
) -> None:
    # A gateway in front of the API may quote the key it refuses.
    fake.fail_next(fake.error(401, message=f"Received API Key = {API_KEY}, not found"))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert API_KEY not in caught.value.message
    assert "Received API Key = [redacted], not found" in caught.value.message


@pytest.mark.parametrize("said", ["**", "```", "# ", "😀"])
def test_a_reply_text_with_no_words_to_speak_is_malformed_not_an_empty_reply(
    fake: AnthropicFake, said: str
) -> None:
    # The schema's min_length holds, and the markup taken out for the voice leaves nothing.
    fake.fail_next(tool_answer(**VALID, tone=None, reply_text=said))

    with pytest.raises(ProviderError) as caught:
        respond(fake)

    assert caught.value.code == "malformed_response"
    assert "nothing to say" in caught.value.message
