"""When the callback number is confirmed and when it is flagged unconfirmed: its least certain
word, numbers heard two ways or guessed from letters or words, and what a second hearing or
another engine heard of it."""

from __future__ import annotations

import pytest

from shared.models import Transcript, Triage, Word
from tests.unit.workers.review_transcripts import REVIEW, _transcript
from workers.review import (
    Reason,
    number_confidence,
    number_in_doubt,
    triage_reasons,
    triage_review,
)
from workers.triage import triage_text


def test_a_number_heard_with_low_confidence_is_unconfirmed() -> None:
    triage = Triage(callback_number="+16178672291", intent="billing")
    assert triage_reasons(triage, REVIEW, number_confidence=0.3) == [
        Reason.CALLBACK_NUMBER_UNCONFIRMED
    ]
    assert triage_reasons(triage, REVIEW, number_confidence=0.9) == []


def test_number_confidence_is_its_least_certain_word() -> None:
    text = "call me at six one seven"
    transcript = _transcript(text, [0.9, 0.1, 0.9, 0.8, 0.4, 0.6])
    assert number_confidence(transcript, 3, 6) == 0.4


def test_a_word_holding_several_number_tokens_lends_each_its_confidence() -> None:
    transcript = Transcript(
        text="Call me at 617-867-2291.",
        provider="local",
        words=[
            Word(word="Call", confidence=0.9),
            Word(word="me", confidence=0.9),
            Word(word="at", confidence=0.2),
            Word(word="617-867", confidence=0.95),
            Word(word="2291", confidence=0.55),
        ],
    )
    assert number_confidence(transcript, 3, 5) == 0.95
    assert number_confidence(transcript, 3, 6) == 0.55


def test_number_confidence_is_unknown_when_words_do_not_line_up_with_tokens() -> None:
    transcript = Transcript(
        text="Call me at 617-867-2291.",
        provider="whisper",
        words=[Word(word="Call", confidence=0.9), Word(word="me", confidence=0.9)],
    )
    assert number_confidence(transcript, 3, 6) is None


def test_a_number_heard_two_ways_is_unconfirmed() -> None:
    text = (
        "hi this is dana about my bill call me at six one seven eight six seven two two nine "
        "one my number is six one seven eight six seven two two nine four"
    )
    triage = triage_text(text)
    reasons = triage_review(_transcript(text), triage, REVIEW, "US")
    assert reasons == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_with_a_digit_read_from_a_letter_is_unconfirmed_however_confident() -> None:
    text = "hi this is dana about my bill call me at I-17-482-0063"
    triage = triage_text(text)
    assert triage.callback_number == "+19174820063"
    transcript = _transcript(text, [0.99] * len(text.split()))
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def _reheard(text: str, rehearing: str) -> Transcript:
    transcript = _transcript(text, [0.99] * len(text.split()))
    transcript.details["callback_rehearing"] = {"text": rehearing, "start_s": 3.0, "end_s": 9.0}
    return transcript


def test_a_number_taken_from_the_second_hearing_alone_is_unconfirmed() -> None:
    transcript = _reheard("hi it's sam about my bill call me at 919-582-664", "at 919-582-6634")
    triage = triage_text(transcript.text, "US", "at 919-582-6634")
    assert triage.callback_number == "+19195826634"
    assert triage.callback_number_partial is None
    reasons = triage_review(transcript, triage, REVIEW, "US")
    assert reasons == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_made_of_a_partial_hearing_and_its_partial_rehearing_is_unconfirmed() -> None:
    rehearing = "5, 9, 0, 2, 1, 1, 4, 7"
    transcript = _reheard("any openings on wednesday 4259-02147", rehearing)
    triage = triage_text(transcript.text, "US", rehearing)
    assert triage.callback_number == "+14259021147"
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_second_hearing_that_disagrees_leaves_the_number_partial() -> None:
    transcript = _reheard("call me at 713, triple 2, 6", "713-322-6958")
    triage = triage_text(transcript.text, "US", "713-322-6958")
    assert triage.callback_number is None
    assert triage.callback_number_partial == "7132226"
    reasons = triage_review(transcript, triage, REVIEW, "US")
    assert Reason.PARTIAL_CALLBACK_NUMBER in reasons


def _heard_by_another_engine(text: str, confidences: list[float], other: str) -> Transcript:
    transcript = _transcript(text, confidences)
    transcript.details["second_engine"] = {"engine": "moonshine", "text": other}
    return transcript


def test_a_number_another_engine_heard_alike_is_confirmed_whatever_the_confidence() -> None:
    text = "about my bill call me at 415-867-2291"
    unsure = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3]
    alike = _heard_by_another_engine(text, unsure, "About my bill. Call me at 415-867-2291.")
    triage = triage_text(text)
    assert triage_review(alike, triage, REVIEW, "US") == []
    otherwise = _heard_by_another_engine(text, unsure, "About my bill. Call 415-867-2281.")
    assert triage_review(otherwise, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_taken_from_another_engine_alone_is_unconfirmed() -> None:
    text = "hi it's sam about my bill my number is I'm 2, 2, 8, 6, 6, 1, 3"
    transcript = _heard_by_another_engine(
        text, [0.99] * len(text.split()), "My number is 952-208-6613."
    )
    triage = triage_text(text, "US", None, "My number is 952-208-6613.")
    assert triage.callback_number == "+19522086613"
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_whose_letter_another_engine_settled_is_unconfirmed() -> None:
    text = "About the phone systems. Could you ring me on 01214-I-6, 06-I-2? Cheers!"
    other = "About the phone systems. Could you ring me on 0121 496 0652? Cheers."
    transcript = _heard_by_another_engine(text, [0.99] * len(text.split()), other)
    triage = triage_text(text, "GB", None, other)
    assert triage.callback_number == "+441214960652"
    assert triage_review(transcript, triage, REVIEW, "GB") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_read_with_the_other_engines_three_as_a_triple_is_unconfirmed() -> None:
    text = "I want somebody to call me today, 713, triple 2, 6 I'm 5 days"
    other = "I want somebody to call me today. 713-322-6958"
    transcript = _heard_by_another_engine(text, [0.99] * len(text.split()), other)
    triage = triage_text(text, "US", None, other)
    assert triage.callback_number == "+17132226958"
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_taken_from_the_other_engines_hearing_of_its_stretch_is_unconfirmed() -> None:
    text = "please call me back today 7-7-3-6-2-1-1-8-4"
    transcript = _reheard(text, "7-7-3-6-2-1-1-8-4")
    transcript.details["callback_rehearing_second_engine"] = {
        "engine": "moonshine",
        "text": "773-620-1184",
    }
    triage = triage_text(text, "US", "7-7-3-6-2-1-1-8-4", None, "773-620-1184")
    assert triage.callback_number == "+17736201184"
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


def test_a_number_the_other_engine_heard_whole_in_its_stretch_alone_is_confirmed() -> None:
    # The digits of w46 of the spoken w41-w70: Whisper dropped a 3 and Moonshine two in the whole
    # message; Whisper's rehearing and Moonshine's hearing of the stretch heard it whole.
    text = "Order's still not here. Can someone call me back now? 816-402-367."
    rehearing = "now 816-4023-367."
    other = "Order's still not here. Can someone call me back now? 164-233-67."
    transcript = _three_hearings(text, rehearing, other)
    triage = triage_text(text, "US", rehearing, other, "Now, 816-402-3367.")
    assert triage.callback_number == "+18164023367"
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]
    transcript.details["callback_rehearing_second_engine"] = {
        "engine": "moonshine",
        "text": "Now, 816-402-3367.",
    }
    assert triage_review(transcript, triage, REVIEW, "US") == []


def test_a_number_made_of_two_partial_hearings_is_unconfirmed() -> None:
    text = "sparks from the outlet please send someone now 816 402 367"
    other = "Sparks from the outlet. Please send someone now, 1 6, 4 2 3, 3 6 7."
    transcript = _heard_by_another_engine(text, [0.99] * len(text.split()), other)
    triage = triage_text(text, "US", None, other)
    assert triage.callback_number == "+18164023367"
    assert triage.callback_number_partial is None
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


@pytest.mark.parametrize(
    "other", ["About my bill. Call me at 415-867-2281.", "About my bill. Call me back."]
)
def test_a_number_another_engine_heard_otherwise_is_unconfirmed_however_sure(other: str) -> None:
    text = "about my bill call me at 415-867-2291"
    sure = [0.99] * len(text.split())
    triage = triage_text(text)
    assert triage_review(_transcript(text, sure), triage, REVIEW, "US") == []

    heard_otherwise = _heard_by_another_engine(text, sure, other)

    assert triage_review(heard_otherwise, triage, REVIEW, "US") == [
        Reason.CALLBACK_NUMBER_UNCONFIRMED
    ]


def _three_hearings(text: str, rehearing: str, other: str) -> Transcript:
    transcript = _heard_by_another_engine(text, [0.99] * len(text.split()), other)
    transcript.details["callback_rehearing"] = {"text": rehearing, "start_s": 3.0, "end_s": 9.0}
    return transcript


def test_a_number_whose_every_digit_two_hearings_heard_is_confirmed() -> None:
    text = "do you have anything today please call me back at 9-1-9-5-8-2-66-4"
    rehearing = "at 919, I made 2, 6, 6, 3, 4."
    other = "Do you have anything today? Please call me back at 919-582-6634."
    triage = triage_text(text, "US", rehearing, other)
    assert triage.callback_number == "+19195826634"

    confirmed = _three_hearings(text, rehearing, other)

    assert triage_review(confirmed, triage, REVIEW, "US") == []
    heard_otherwise = _three_hearings(text, "at 919, I made 2, 6, 8, 3, 4.", other)
    assert triage_review(heard_otherwise, triage, REVIEW, "US") == [
        Reason.CALLBACK_NUMBER_UNCONFIRMED
    ]


def test_a_number_whose_first_hearing_wrote_several_digits_as_words_stays_unconfirmed() -> None:
    text = "can someone check it today three one two seven seven six five I know"
    other = "Can someone check it today? 312-776-5500."
    triage = triage_text(text, "US", "312-776-5500", other)
    assert triage.callback_number == "+13127765500"

    transcript = _three_hearings(text, "312-776-5500", other)

    assert Reason.CALLBACK_NUMBER_UNCONFIRMED in triage_review(transcript, triage, REVIEW, "US")


def test_a_number_both_engines_may_have_heard_for_a_triple_is_left_to_its_confidence() -> None:
    # vm15: "seven one three, triple two, ..." written "713-322-6958" by both engines.
    text = "about my bill i want somebody to call me today 713-322-6958"
    other = "I want somebody to call me today. 713-322-6958"
    triage = triage_text(text)
    assert triage.callback_number == "+17133226958"
    unsure = [0.9] * (len(text.split()) - 1) + [0.33]
    assert triage_review(_heard_by_another_engine(text, unsure, other), triage, REVIEW, "US") == [
        Reason.CALLBACK_NUMBER_UNCONFIRMED
    ]
    sure = [0.9] * len(text.split())
    assert triage_review(_heard_by_another_engine(text, sure, other), triage, REVIEW, "US") == []
    # A 3 written apart from the pair was heard as a word of its own: agreement confirms.
    apart = "about my bill i want somebody to call me today 617-883-2204"
    agreed = _heard_by_another_engine(apart, unsure, "Call me today. 617-883-2204")
    assert triage_review(agreed, triage_text(apart), REVIEW, "US") == []


def test_a_number_guessed_from_the_words_a_telephone_line_made_of_it_is_unconfirmed() -> None:
    # w42 of the spoken written set, heard by one engine alone and sure of every word.
    text = "please call me Mac at Heaven, do Heaven, 3-5-4. I-I-Do-1."
    triage = triage_text(text)
    assert triage.callback_number == "+17273549921"
    transcript = _transcript(text, [0.99] * len(text.split()))
    assert triage_review(transcript, triage, REVIEW, "US") == [Reason.CALLBACK_NUMBER_UNCONFIRMED]


@pytest.mark.parametrize(
    "text",
    [
        "the area code is six one seven and the number is five five five oh one four two",
        "five five five oh one four two area code six one seven",
    ],
)
def test_a_number_whose_area_code_was_heard_with_low_confidence_is_in_doubt(text: str) -> None:
    # The area code named apart is part of the number: its hearing counts like the rest's.
    confidences = [0.95] * len(text.split())
    confidences[text.split().index("six")] = 0.1
    transcript = _transcript(text, confidences)

    assert number_in_doubt(transcript, REVIEW, "US")
    assert Reason.CALLBACK_NUMBER_UNCONFIRMED in triage_review(
        transcript, Triage(callback_number="+16175550142", intent="billing"), REVIEW, "US"
    )
