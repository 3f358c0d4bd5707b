"""A name a caller signs off with ("Thanks, John Smith", "Sincerely, John Smith", "Cheers,
Maria", "Hi it's me, Michael") is redacted in a cased transcript, as the triage takes a
signed-off name for the caller's, also where another name was introduced first; ordinary
words after thanks ("Thanks, Great job", "Thanks again") are kept."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Thanks, John Smith", "Thanks, [PERSON_NAME]"),
        ("Sincerely, John Smith", "Sincerely, [PERSON_NAME]"),
        ("Kind regards, John Smith.", "Kind regards, [PERSON_NAME]."),
        ("Cheers, Maria", "Cheers, [PERSON_NAME]"),
        ("Thanks, Dr. Patel.", "Thanks, [PERSON_NAME]."),
        ("Thanks so much, Maria. Bye.", "Thanks so much, [PERSON_NAME]. Bye."),
        ("Hi it's me, Michael", "Hi it's me, [PERSON_NAME]"),
        ("It's me, Michael Jones, call me back.", "It's me, [PERSON_NAME], call me back."),
        (
            "This is Maria from Acme. Thanks, John Smith.",
            "This is [PERSON_NAME] from Acme. Thanks, [PERSON_NAME].",
        ),
        (
            "Call me back on 415 555 0100. Sincerely, John Smith",
            "Call me back on 415 555 0100. Sincerely, [PERSON_NAME]",
        ),
    ],
)
def test_a_name_signed_off_with_is_redacted(text: str, kept: str) -> None:
    assert redact_text(text, NAMES).text == kept


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, Great job on the roof.",
        "Thanks again",
        "Thanks again, bye.",
        "Cheers!",
        "Cheers, Mate.",
        "Thanks, Bye.",
        "Thanks, Have a good day.",
        "Thank you, Operator.",
        "Sincerely, Worried Customer",
        "Sincerely, Acme Plumbing",  # a business signs off too
        "Regards, Harbor Dental Clinic",
        "Hi it's me, again.",
        "thanks, great job",
        "cheers, maria",  # no capitals to tell a name by
    ],
)
def test_ordinary_words_after_a_sign_off_are_kept(text: str) -> None:
    assert redact_text(text, NAMES).text == text
