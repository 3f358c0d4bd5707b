from __future__ import annotations

import pytest

from workers.triage.extract import triage_text

# Real pocketsphinx outputs: lower case, no punctuation, recognition errors included.
ERIC = (
    "hi this is eric johnson call him about my order please call me back up by five five two "
    "one two three four five six thank you"
)
DAVID = (
    "oh my name is david know or the water heater in my apartment is leaking and it is urgent "
    "my number is four one five five five five tier one nine eight"
)
MARIA = (
    "good morning this is maria from the dental office i would like to reschedule my "
    "appointment to stay at three in the afternoon you can reach me a two zero six five five "
    "five seven seven one two"
)


def test_order_voicemail_from_pocketsphinx_is_triaged() -> None:
    triage = triage_text(ERIC)
    assert triage.caller_name == "Eric Johnson"
    # Nine digits were recognised: no valid number, so never the number to call; the
    # digits are kept as a partial number for a person to check.
    assert triage.callback_number is None
    assert triage.callback_number_partial == "552123456"
    assert triage.intent == "order_status"
    assert triage.urgency == "normal"
    assert triage.requested_action == "call back"
    assert triage.dates == []


def test_leak_voicemail_from_pocketsphinx_is_urgent_repair() -> None:
    triage = triage_text(DAVID)
    assert triage.caller_name == "David"
    assert triage.callback_number == "+14155550198"
    assert triage.intent == "repair"
    assert triage.urgency == "high"
    assert triage.requested_action == "arrange repair"


def test_dental_voicemail_from_pocketsphinx_asks_to_reschedule() -> None:
    triage = triage_text(MARIA)
    assert triage.caller_name == "Maria"
    assert triage.callback_number == "+12065557712"
    assert triage.dates == ["15:00"]
    assert triage.intent == "appointment"
    assert triage.requested_action == "reschedule appointment"


def test_cased_cloud_transcript_is_triaged_the_same_way() -> None:
    triage = triage_text(
        "Hi, it's Sarah Connor. Call me at (415) 555-0198 tomorrow at 3pm about my invoice. "
        "No rush."
    )
    assert triage.caller_name == "Sarah Connor"
    assert triage.callback_number == "+14155550198"
    assert triage.dates == ["tomorrow 15:00"]
    assert triage.intent == "billing"
    assert triage.urgency == "low"
    assert triage.requested_action == "send invoice"


def test_region_decides_how_a_national_number_is_normalised() -> None:
    triage = triage_text("call me back on o two zero seven nine four six o nine five eight", "GB")
    assert triage.callback_number == "+442079460958"


def test_summary_is_one_sentence_naming_caller_and_topic() -> None:
    summary = triage_text(DAVID).summary
    assert summary.startswith("David left an urgent message about a repair")
    assert summary.endswith(".")
    assert summary.count(".") == 1


def test_empty_transcript_gives_an_empty_general_triage() -> None:
    triage = triage_text("")
    assert (triage.caller_name, triage.callback_number, triage.intent) == (None, None, "general")
    assert triage.summary


def test_the_callers_name_is_chosen_between_two_engines_hearings() -> None:
    whisper = "Good afternoon. My name is Preer Raman. I think I was charged twice."
    moonshine = "Good afternoon, my name is Priya Ramon. I think I was charged twice."
    assert triage_text(whisper, "US", None, moonshine).caller_name == "Priya Raman"
    assert triage_text(whisper).caller_name == "Preer Raman"


def test_where_the_first_hearing_names_no_topic_the_other_engines_words_are_read() -> None:
    # vm33 of the voicemail set, as Whisper and Moonshine heard it (cut to what names no
    # topic in Whisper's: its "gas in the laundry room" the topic model reads as a repair,
    # and, trained on the second corpus, its "We then turned one out" too, at 0.39).
    whisper = "I have a strong male."
    moonshine = "Hi, there are strong smell of gas in the long green room. Please send someone out."
    assert triage_text(whisper).intent == "general"
    triage = triage_text(whisper, "US", None, moonshine)
    assert triage.intent == "repair"
    assert triage.urgency == "high"


def test_the_more_urgent_of_two_hearings_is_kept() -> None:
    whisper = "It's urgent. Call me back."
    moonshine = "The new fridge you delivered is broken. Call me back."
    assert (triage_text(whisper).urgency, triage_text(moonshine).urgency) == ("high", "normal")
    assert triage_text(whisper, "US", None, moonshine).urgency == "high"
    assert triage_text(moonshine, "US", None, whisper).urgency == "high"


def test_a_topic_the_first_hearing_names_is_kept_whatever_the_other_heard() -> None:
    whisper = "Hi, I was charged twice on my last invoice. Please call me back."
    moonshine = "Hi, my water heater is leaking everywhere. Please call me back."
    assert triage_text(whisper, "US", None, moonshine).intent == "billing"


def test_a_message_is_urgent_when_either_hearing_heard_it_urgent() -> None:
    # b08 of the spoken unseen half: only Moonshine heard "I really need this reversed today".
    whisper = (
        "Hi, this is Kevin Tran. I just kept my bank account and you built my own premium out"
        " three times this morning $212.40 and how my rent payment is going to mount. Policy"
        " number is over 4,471,932 I really need different words to convey. Please call me at"
        " 713-864-2-0-i-times. Again, 713-864-2-i-times!"
    )
    moonshine = (
        "Hi, um, it is Kevin Tran. I just checked my bank account and you booked my auto"
        " premium out three times this morning, dollar 212.4 N/H, and now my rent payment is"
        " going to bounce. Polly's a merino 4,471,932. I really need this reverse today."
        " Please call me at 713-864-209-TIME. Again, 713-864-209-TIME."
    )
    assert triage_text(whisper).urgency == "normal"
    assert triage_text(whisper, "US", None, moonshine).urgency == "high"
    assert triage_text(moonshine, "US", None, whisper).urgency == "high"


@pytest.mark.parametrize("first", ["whisper", "moonshine"])
def test_no_hurry_either_hearing_heard_makes_the_message_low(first: str) -> None:
    # a44 and b30 of the spoken unseen half: each time one engine alone heard "no hurry" or
    # "no rush" ("No worry", "Noraj" in the other). Taking the larger of the two urgencies
    # ("low" < "normal") would lose it.
    hearings = {
        "a44": (
            "I, it's Mrs. Dolores Whitman. I was told there are no plans. Free I ordered would"
            " be in my drive-8, and I'm just wondering if it's arrived. No worry, my number"
            " three times two, seven, one, eight, four, four, oh six.",
            "Hi, it's Mrs. Dolores Wiseman. I was told in all a glance, no, three-eyed orders"
            " was beaten by Friday, and I'm just wondering, is it Sir Iron? No hurry, my"
            " humbler, three-eyed boob, Hammond, well, hey, four-four-lows eggs.",
        ),
        "b30": (
            "Hey, it's Trevor, just checking whether that alternator for my Tacoma has come,"
            " and yet you have my number. No rush, I've got the other car.",
            "Hey, it's Trevor just checking whether that alternator for my tacoma has come in"
            " yet. You have my number, Noraj, I've got the other car.",
        ),
    }
    for whisper, moonshine in hearings.values():
        heard = (whisper, moonshine) if first == "whisper" else (moonshine, whisper)
        assert {triage_text(text).urgency for text in heard} == {"low", "normal"}
        assert triage_text(heard[0], "US", None, heard[1]).urgency == "low"


def test_urgency_beats_no_hurry_across_two_hearings_as_within_one() -> None:
    calm = "Hi, it's Sam, my order hasn't arrived yet. No hurry at all."
    alarmed = "Hi, it's Sam, my order hasn't arrived yet and the kitchen is flooding."
    assert (triage_text(calm).urgency, triage_text(alarmed).urgency) == ("low", "high")
    assert triage_text(calm, "US", None, alarmed).urgency == "high"
    assert triage_text(alarmed, "US", None, calm).urgency == "high"


def test_a_partial_number_and_its_partial_rehearing_make_the_number_they_both_hold() -> None:
    # w68 of the spoken unseen set: each hearing missed a digit the other heard.
    whisper = "Do you have any openings on Wednesday? 4259-02147?"
    rehearing = "5, 9, 0, 2, 1, 1, 4, 7"
    assert triage_text(whisper).callback_number is None
    triage = triage_text(whisper, "US", rehearing)
    assert triage.callback_number == "+14259021147"
    assert triage.callback_number_partial is None


def test_a_number_said_twice_and_misheard_alike_takes_the_other_engines_whole_hearing() -> None:
    # written_callers.json b46, spoken, the two engines' real hearings of the number's end.
    whisper = "Please send someone now. My mobile is 0751294036, 0751294036"
    moonshine = "Please send someone now. My mobile is 07512948036 07512948036"
    assert triage_text(whisper, "GB").callback_number is None
    triage = triage_text(whisper, "GB", second_engine=moonshine)
    assert triage.callback_number == "+447512948036"


def test_a_digit_read_from_a_letter_is_the_one_the_other_engine_heard() -> None:
    # w125 of the spoken unseen set: both engines' real hearings of the number.
    whisper = "Could you ring me on 01214-I-6, 06-I-2? Cheers!"
    moonshine = "Could you ring me on 0121 496 0652? Cheers."
    assert triage_text(whisper, "GB").callback_number == "+441214960692"
    assert triage_text(whisper, "GB", second_engine=moonshine).callback_number == "+441214960652"


def test_a_triple_the_other_engine_heard_as_three_is_read_as_the_first_engine_heard_it() -> None:
    # vm15 of the voicemail set: both engines' real hearings of the number.
    whisper = "This is unacceptable, I want somebody to call me today, 713, triple 2, 6 I'm 5 days"
    moonshine = "I want somebody to call me today. 713-322-6958"
    assert triage_text(whisper).callback_number is None
    assert triage_text(whisper, second_engine=moonshine).callback_number == "+17132226958"


@pytest.mark.parametrize(
    ("whisper", "rehearing", "moonshine_alone", "number"),
    [
        # b02 of the spoken unseen half of written_callers.json: one digit too many
        (
            "Call me at 300-5-829-4416. Thank you.",
            "me at 300-5-829-4416. Thank you.",
            "at 305-829-4416. Thank you.",
            "+13058294416",
        ),
        # c40: a digit dropped by Whisper twice (and by Moonshine's whole hearing)
        (
            "Please call me back today, 7-7-3-6-2-1-1-8-4.",
            "7-7-3-6-2-1-1-8-4",
            "773-620-1184",
            "+17736201184",
        ),
    ],
)
def test_the_other_engines_hearing_of_the_number_alone_stands_in_as_a_rehearing_would(
    whisper: str, rehearing: str, moonshine_alone: str, number: str
) -> None:
    assert triage_text(whisper, "US", rehearing).callback_number is None
    triage = triage_text(whisper, "US", rehearing, None, moonshine_alone)
    assert triage.callback_number == number


def test_the_other_engines_hearing_of_the_number_alone_never_contradicts_the_first() -> None:
    # w49 of the spoken w41-w70: Moonshine alone heard digits Whisper heard otherwise.
    whisper = "It's about my son's appointment tomorrow for 1, 2, 6, 3, 8, 5, 5, I know."
    triage = triage_text(whisper, "US", "for 1, 2, 6, 3, 8, 5, 5, I know.", None, "0412638999")
    # Not Moonshine's 412 638 999: Whisper's own words make the number, read as the
    # telephone line made them ("I know" for "nine oh"), and only as a guess.
    assert triage.callback_number == "+14126385590"
    assert triage.callback_number_partial is None


@pytest.mark.parametrize(
    ("rehearing", "moonshine_alone", "number"),
    [
        # vm27 of the voicemail set: both engines alone hold Moonshine's number
        ("3, 2, 1, 4, 4, 7, 7, 5, 2.", "321-440-7752", "+13214407752"),
        # one each (vm31's shape): Whisper's number stays
        ("321, 440, 7752", "321-440-7782", "+13214407782"),
    ],
)
def test_two_engines_whole_numbers_are_settled_by_their_hearings_of_the_stretch_alone(
    rehearing: str, moonshine_alone: str, number: str
) -> None:
    whisper = "Hi, this is Victor Chen. My number is 3-2-1, 4-4-0, 7-7-8-2."
    moonshine = "Hi, this is Victor Chen. My number is 3-2-1, 4-4-0, 7-7-5-2."
    assert triage_text(whisper, "US", None, moonshine).callback_number == "+13214407782"
    triage = triage_text(whisper, "US", rehearing, moonshine, moonshine_alone)
    assert triage.callback_number == number


def test_a_policy_code_before_the_number_does_not_stand_in_for_it() -> None:
    # written_callers.json b26, spoken: Whisper heard a digit too many in the number, and
    # Moonshine heard it whole.
    whisper = (
        "I've had my review of letter for the Vome Insurance Policy HS-2207-6613 and the "
        "premium spawn, but for 412-598. It's not urgent when number 6-0117-929-3381."
    )
    moonshine = (
        "I've had my renewal letter for the Dome Insurance policy, HS2207613, and the premiums "
        "spawned up from 4:12 to 5:98. It's not urgent whenever since 01179293381."
    )
    triage = triage_text(whisper, "GB", second_engine=moonshine)
    assert triage.callback_number == "+441179293381"


def test_a_partial_rehearing_that_adds_no_missing_digit_makes_no_number() -> None:
    # vm23 of the voicemail set: both hearings heard the same twelve digits.
    whisper = "My number is 2.0.2, 10.10.4, 9.10.5."
    rehearing = "number is 2, 0, 2, 10, 10, 4, 9, 1, 0, 5."
    triage = triage_text(whisper, "US", rehearing)
    assert triage.callback_number is None
    assert triage.callback_number_partial == "202101049105"


def test_a_first_hearing_unsure_it_only_asks_for_a_call_takes_the_topic_the_other_names() -> None:
    # c40 of the spoken unseen half: the rules read "please call me back" in Whisper's words,
    # which the topic model doubts (0.12); Moonshine's, nearly the same, are a complaint.
    whisper = (
        "Hi, my name is Sarah Goldberg. My husband and I ate at your restaurant last night and"
        " we both in sickle night. I think it was a shrimp. Please call me back today,"
        " 7-7-3-6-2-1-1-8-4."
    )
    moonshine = (
        "Hi, my name is Sarah Gohbert, my husband and I ate at your restaurant last night, and"
        " we both in single night. I think it was a shrimp. Please call me back to-day seven,"
        " seven, three, six, two, one, one, eight, four."
    )
    assert (triage_text(whisper).intent, triage_text(moonshine).intent) == (
        "callback_request",
        "complaint",
    )
    assert triage_text(whisper, "US", None, moonshine).intent == "complaint"
    # And keeps its own where the other names no topic either.
    assert triage_text(whisper, "US", None, "Hi, it's Sarah.").intent == "callback_request"


@pytest.mark.parametrize(
    ("whisper", "moonshine", "made_up"),
    [
        # a10 of the spoken unseen half: "seven eight one" heard as "Terminate one".
        (
            "Hi, this method is for Mike, but you give me a call back when you get a minute."
            " 7-8-1-3-3-4, so I'm moving. Hi.",
            "Hi, this message is for Mike. Could you give me a call back when you get a minute?"
            " Terminate one, three, three, four, oh, I'll do fix. Thanks.",
            "cancellation",
        ),
        # w122 of the spoken w101-w130: the number's digits heard as "a paid free 4.16".
        (
            "Okay, Christine failed here. Don't you give me a ring back when you're not"
            " admitted? I have a couple of questions left over from our camp last week. Nothing"
            " pressing at all. Anyway, this week is 5-0 and 1-8-8-3-4-5-1-6.",
            "Hey, Christine, tell here. Could you give me a ring back when you've got a minute?"
            " I've had a couple of questions last over from our chat last week. Nothing pressing"
            " at all, and in May this week is time to vote Hamlin, a paid free 4.16.",
            "billing",
        ),
    ],
)
def test_a_first_hearing_sure_it_only_asks_for_a_call_keeps_it_whatever_the_other_made_up(
    whisper: str, moonshine: str, made_up: str
) -> None:
    assert (triage_text(whisper).intent, triage_text(moonshine).intent) == (
        "callback_request",
        made_up,
    )
    assert triage_text(whisper, "US", None, moonshine).intent == "callback_request"


def test_a_call_back_wanted_sometime_this_week_without_hurry_is_low() -> None:
    # w122 of written.json: a call, and nothing else, asked for within the week.
    text = (
        "Hey, Christine Hale here. Could you give me a ring back when you've got a minute? I had"
        " a couple of questions left over from our chat last week. Nothing pressing at all, any"
        " day this week is fine. 207-883-4516."
    )
    triage = triage_text(text)
    assert (triage.intent, triage.urgency) == ("callback_request", "low")


def test_a_number_no_hearing_gave_whole_is_guessed_from_the_words_the_line_made_of_it() -> None:
    # w65 of the spoken written set: Whisper wrote "two two five" as "Do do high", and
    # Moonshine heard a digit too many.
    whisper = "This is really frustrating 816. Do do high, 6607."
    moonshine = "This is Mia Liefra trading 816, 225, 66000."
    triage = triage_text(whisper, "US", second_engine=moonshine)
    assert triage.callback_number == "+18162256607"
    assert triage.callback_number_partial is None


def test_a_time_said_just_before_the_number_is_kept_as_a_time_and_the_number_found() -> None:
    text = "Jennifer Adams. Can I rebook for next Thursday at quarter past ten? 617-246-8100."
    triage = triage_text(text, "US")
    assert triage.callback_number == "+16172468100"
    assert triage.dates == ["next thursday 10:15"]
