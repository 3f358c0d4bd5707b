"""The stages' redaction glue: triage filled from tokens, replies redacted without hashing a
token twice, originals sealed."""

from __future__ import annotations

from shared.models import Reply, Triage
from shared.redaction_policy import JobRedaction, Substitution
from workers.redacting import Redactor, fill_from_tokens, remembered


def test_a_triage_that_found_no_number_in_a_redacted_transcript_takes_its_token() -> None:
    triage = Triage(intent="callback_request")

    fill_from_tokens(triage, "this is [PERSON_NAME:1a2b3c4d] call me on [PHONE_NUMBER:aa11bb22]")

    assert triage.callback_number == "[PHONE_NUMBER:aa11bb22]"
    assert triage.caller_name == "[PERSON_NAME:1a2b3c4d]"


def test_a_triage_with_its_own_number_or_a_partial_one_keeps_it() -> None:
    partial = Triage(callback_number_partial="5550192")

    fill_from_tokens(partial, "call me on [PHONE_NUMBER]")

    assert partial.callback_number is None


def test_a_reply_is_redacted_with_the_values_the_original_held_and_tokens_kept() -> None:
    redactor = Redactor(JobRedaction(style=Substitution.HASH), key="k")
    original = "Hi, this is Maria Lopez, call me back at 415-555-0192."
    transcript_token = redactor.text(original).text.split("at ")[-1].rstrip(".")
    reply = Reply(
        text="Thanks Maria, we will call 415-555-0192 today.",
        provider="local",
        triage=Triage(
            caller_name="Maria Lopez",
            callback_number=transcript_token,
            summary="Maria Lopez asks for a call back on 415-555-0192.",
        ),
    )

    clean = redactor.reply(reply, remembered(redactor, original))

    assert "Maria" not in clean.text
    assert "555" not in clean.text
    assert clean.triage is not None
    assert clean.triage.callback_number == transcript_token
    assert clean.triage.caller_name is not None
    assert clean.triage.caller_name.startswith("[PERSON_NAME:")
    assert "Lopez" not in clean.triage.summary
    assert transcript_token in clean.triage.summary
