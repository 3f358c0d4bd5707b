"""Claude's token counts carry the model that answered: the usage ledger prices by it."""

from __future__ import annotations

from anthropic.types import Message
from anthropic.types import Usage as VendorUsage

from shared.models import Usage
from workers.providers.anthropic_client import usage_of


def _message(model: str) -> Message:
    return Message(
        id="msg_1",
        type="message",
        role="assistant",
        content=[],
        model=model,
        stop_reason="end_turn",
        stop_sequence=None,
        usage=VendorUsage(input_tokens=3, output_tokens=4),
    )


def test_token_usage_names_the_model_that_answered() -> None:
    usage = usage_of(_message("claude-haiku-4-5"))

    assert usage == Usage(input_tokens=3, output_tokens=4, model="claude-haiku-4-5")


def test_a_message_without_a_model_leaves_it_unnamed() -> None:
    assert usage_of(_message("")).model is None
