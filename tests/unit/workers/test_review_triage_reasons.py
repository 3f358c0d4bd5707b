"""Why a triage is flagged for review: a partial or missing callback number, an undecided intent
(but not a pitch or news decided as general), and reasons merged once each."""

from __future__ import annotations

from shared.models import Triage
from shared.settings.review import ReviewSettings
from tests.unit.workers.review_transcripts import REVIEW, _transcript
from workers.review import (
    Reason,
    merged,
    triage_reasons,
    triage_review,
)
from workers.triage import triage_text


def test_a_complete_triage_needs_no_review() -> None:
    triage = triage_text("hi this is dana my order has not arrived call me at 617 867 2291")
    assert triage_reasons(triage, REVIEW) == []


def test_a_partial_number_is_flagged_and_not_also_as_missing() -> None:
    triage = triage_text("hi this is dana about my order call me at eight six seven two two")
    assert triage.callback_number is None
    assert triage_reasons(triage, REVIEW) == [Reason.PARTIAL_CALLBACK_NUMBER]


def test_no_number_and_no_intent_are_each_flagged() -> None:
    reasons = triage_reasons(Triage(), REVIEW)
    assert reasons == [Reason.NO_CALLBACK_NUMBER, Reason.INTENT_UNDECIDED]


def test_a_missing_number_is_not_flagged_when_the_deployment_says_so() -> None:
    review = ReviewSettings(flag_missing_callback=False)
    assert triage_reasons(Triage(intent="billing"), review) == []


def test_merged_reasons_keep_their_first_order_once_each() -> None:
    assert merged(["a", "b"], ["b", "c"]) == ["a", "b", "c"]


def test_a_pitch_is_general_by_decision_and_not_undecided() -> None:
    pitch = _transcript(
        "Hi, this is Kyle with Summit Lead Solutions. We help roofing contractors like "
        "yourself get more qualified leads. Reach me at 720-398-5564."
    )
    other = _transcript("Hi, it's Sam. Just wanted a word. Reach me at 720-398-5564.")
    triage = Triage(intent="general", callback_number="+17203985564")
    review = ReviewSettings(min_number_confidence=0.0)
    assert Reason.INTENT_UNDECIDED not in triage_review(pitch, triage, review, "US")
    assert Reason.INTENT_UNDECIDED in triage_review(other, triage, review, "US")


def test_news_passed_on_is_general_by_decision_and_not_undecided() -> None:
    # Whisper's hearing of c04 of the spoken unseen half of the callers' set.
    news = _transcript(
        "Hi, this is the front desk at Lake Mupi Beatrix. Just letting you know our office "
        "will be closed Monday for the holiday, so the supply drop-off can wait until "
        "Tuesday. If you have any questions, call us back at 206-771-4380."
    )
    review = ReviewSettings(min_number_confidence=0.0)
    triage = Triage(intent="general", callback_number="+12067714380")
    assert triage_review(news, triage, review, "US") == []


def test_a_message_describing_an_emergency_is_flagged_first() -> None:
    text = "my husband has collapsed and isn't breathing call me at 617 867 2291"
    reasons = triage_review(_transcript(text), triage_text(text), REVIEW, "US")
    assert reasons[:1] == [Reason.EMERGENCY]
    calm = "i need an emergency plumber call me at 617 867 2291"
    assert Reason.EMERGENCY not in triage_review(_transcript(calm), triage_text(calm), REVIEW, "US")
