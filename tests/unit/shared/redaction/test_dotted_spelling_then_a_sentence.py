"""Letters spelt with stops ("K.I.M.") end with a full stop of their own, so a surname may
follow them; but a capitalised word there that a sentence goes on from, lower-case and with
no pause ("K.I.M. Grace period is over"), starts that sentence: it is no part of the name,
and is not masked wherever it is said."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize
from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "caller", "redacted"),
    [
        (
            "Hi it's Kim, K.I.M. Grace period is over.",
            "Kim",
            "Hi it's [PERSON_NAME], K.I.M. Grace period is over.",
        ),
        (
            "This is Kim, K.I.M. Grace called earlier.",
            "Kim",
            "This is [PERSON_NAME], K.I.M. Grace called earlier.",
        ),
        (
            "This is Kim, K.I.M. Rao, call me.",
            "Kim Rao",
            "This is [PERSON_NAME], K.I.M. [PERSON_NAME], call me.",
        ),
        ("This is Kim, K.I.M. Rao.", "Kim Rao", "This is [PERSON_NAME], K.I.M. [PERSON_NAME]."),
        (
            "This is Kim, K.I.M. Rao calling about the lease.",
            "Kim Rao",
            "This is [PERSON_NAME], K.I.M. [PERSON_NAME] calling about the lease.",
        ),
    ],
)
def test_a_word_after_a_dotted_spelling_is_the_surname_only_where_the_name_may_end(
    text: str, caller: str, redacted: str
) -> None:
    assert caller_name(tokenize(text)) == caller
    assert redact_text(text, NAMES).text == redacted
