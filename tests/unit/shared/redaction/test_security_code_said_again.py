"""A card's security code is three or four digits, which a message says for other things too
("room 123", "at 4:30", "123 Main Street"). Once found, the code is caught again only where
it is said as a code ("the code 123", "CVV 123"), in the same transcript and in the texts
made from it, never wherever the same digits come up."""

from __future__ import annotations

from shared.models import Transcript, Word
from shared.redaction.apply import redact_text, redact_transcript
from shared.redaction.detect import Known, find_spans, remember
from shared.redaction_policy import RedactionPolicy

EVERYTHING = RedactionPolicy()
SAID = "My Visa's CVV is 123. I'm in room 123 on the third floor."


def _known() -> list[Known]:
    return remember(SAID, find_spans(SAID, EVERYTHING))


def test_the_same_digits_in_a_reply_are_kept_where_they_are_no_code() -> None:
    reply = "I'll meet you in room 123 on the third floor."
    assert redact_text(reply, EVERYTHING, known=_known()).text == reply


def test_the_code_said_again_as_a_code_is_still_caught() -> None:
    reply = "Thanks, I have noted the code 123 for the payment."
    redacted = redact_text(reply, EVERYTHING, known=_known()).text
    assert redacted == "Thanks, I have noted the code [CREDIT_CARD_NUMBER] for the payment."


def test_a_transcript_keeps_its_room_number_and_loses_its_code() -> None:
    words = [Word(word=w, start_s=i, end_s=i + 0.5) for i, w in enumerate(SAID.split())]
    segments = [{"text": "My Visa's CVV is 123."}, {"text": "I'm in room 123 on the third floor."}]
    transcript = Transcript(text=SAID, provider="t", words=words, details={"segments": segments})
    redacted = redact_transcript(transcript, EVERYTHING).transcript
    expected = "My Visa's CVV is [CREDIT_CARD_NUMBER]. I'm in room 123 on the third floor."
    assert redacted.text == expected
    assert " ".join(w.word for w in redacted.words) == expected
    assert [s["text"] for s in redacted.details["segments"]] == [
        "My Visa's CVV is [CREDIT_CARD_NUMBER].",
        "I'm in room 123 on the third floor.",
    ]


def test_a_card_number_is_still_caught_wherever_it_is_repeated() -> None:
    said = "My card is 4111 1111 1111 1111."
    known = remember(said, find_spans(said, EVERYTHING))
    assert redact_text("Noted: 4111 1111 1111 1111.", EVERYTHING, known=known).text == (
        "Noted: [CREDIT_CARD_NUMBER]."
    )
