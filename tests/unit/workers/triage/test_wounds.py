from __future__ import annotations

import pytest

from workers.triage import triage_text
from workers.triage.wounds import lost_tooth


@pytest.mark.parametrize(
    "text",
    [
        "Hi, my son fell at football and knocked out his tooth, what should we do? 617-555-0142.",
        "Hi, my daughter's tooth fell out after a fall at the park, she's seven. 617-555-0142.",
        "hi my husband knocked his front tooth out on the door frame can you see him",
        "Her tooth got knocked out playing hockey, we've got it in milk.",
        "My tooth came out when I tripped on the stairs last night.",
    ],
)
def test_a_tooth_knocked_out_or_lost_in_a_fall_is_urgent(text: str) -> None:
    assert lost_tooth(tuple(text.lower().replace(",", "").replace(".", "").split()))
    assert triage_text(text).urgency == "high"


@pytest.mark.parametrize(
    "text",
    [
        "my son's wobbly baby tooth fell out last night, is that normal",
        "we got knocked out of the cup so we don't need the minibus, no rush",
        "my filling fell out, no pain, whenever you can fit me in",
    ],
)
def test_a_baby_tooth_coming_out_or_another_knock_is_no_lost_tooth(text: str) -> None:
    assert not lost_tooth(tuple(text.lower().replace(",", "").split()))
