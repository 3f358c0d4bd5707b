from __future__ import annotations

import pytest

from shared.redaction.file_names import redact_filename
from shared.redaction_policy import Entity, RedactionPolicy, Substitution

EVERYTHING = RedactionPolicy()


@pytest.mark.parametrize(
    ("name", "redacted"),
    [
        ("+14155552671 Maria Lopez.wav", "[PHONE_NUMBER] [PERSON_NAME].wav"),
        ("vm_+14155552671_Maria_Lopez.wav", "vm_[PHONE_NUMBER]_[PERSON_NAME].wav"),
        ("from 415-555-2671.wav", "from [PHONE_NUMBER].wav"),
        ("calls/rec_4155552671.ogg", "calls/rec_[PHONE_NUMBER].ogg"),
        ("maria.lopez@example.com.m4a", "[EMAIL_ADDRESS].m4a"),
    ],
)
def test_a_file_name_loses_the_callers_number_and_name_and_keeps_its_extension(
    name: str, redacted: str
) -> None:
    assert redact_filename(name, EVERYTHING) == redacted


@pytest.mark.parametrize(
    "name",
    ["voicemail.wav", "20240612_153000.wav", "June 3 message.wav", "calls/2026-12-06/vm-0042.mp3"],
)
def test_a_file_name_without_personal_data_is_kept(name: str) -> None:
    assert redact_filename(name, EVERYTHING) == name


def test_a_file_name_keeps_what_the_policy_does_not_name() -> None:
    phones = RedactionPolicy(entities=[Entity.PHONE_NUMBER])
    assert (
        redact_filename("+14155552671 Maria Lopez.wav", phones) == "[PHONE_NUMBER] Maria Lopez.wav"
    )


def test_a_redacted_file_name_redacted_again_is_unchanged() -> None:
    policy = RedactionPolicy(style=Substitution.HASH)
    once = redact_filename("vm_+14155552671_Maria_Lopez.wav", policy, "k")
    assert once is not None
    assert "4155552671" not in once
    assert redact_filename(once, policy, "k") == once
