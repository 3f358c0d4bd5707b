"""After "thanks", a known given name that goes on into a sentence ("Thanks, Summer is
coming") is the ordinary word it may also be, and two title-cased ordinary words ("Thanks,
Great Job!") are no whole name: both are kept. A name signed off with is still redacted."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, Summer is coming",
        "Thanks, Summer will be busy for us.",
        "Cheers, Hope was all we had.",
        "Thanks, Great Job!",
        "Thanks, Great Job on the roof.",
        "Thanks again, Happy Holidays!",
        "Cheers, Well Done.",
    ],
)
def test_ordinary_words_after_thanks_are_kept(text: str) -> None:
    assert redact_text(text, NAMES).text == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Thanks, Summer.", "Thanks, [PERSON_NAME]."),
        ("Thanks, Summer, talk soon.", "Thanks, [PERSON_NAME], talk soon."),
        ("Thanks Maria for the help.", "Thanks [PERSON_NAME] for the help."),
        ("Thanks, Siddharth Rao.", "Thanks, [PERSON_NAME]."),
        ("Thanks, John Smith!", "Thanks, [PERSON_NAME]!"),
        ("Thanks, Dr. Patel.", "Thanks, [PERSON_NAME]."),
        ("Sincerely, Harold Finch", "Sincerely, [PERSON_NAME]"),
    ],
)
def test_a_name_signed_off_with_is_still_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize("text", ["Thanks, Xochitl Quispe.", "Cheers, Ngozi Okonkwo"])
def test_a_whole_name_the_lists_lack_is_still_redacted_after_thanks(text: str) -> None:
    assert "[PERSON_NAME]" in redact_text(text, NAMES).text
