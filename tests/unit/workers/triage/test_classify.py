from __future__ import annotations

import random

import pytest

from shared.language.tokens import tokenize
from workers.triage.classify import intent, scan, urgency


def _words(text: str) -> tuple[str, ...]:
    return tokenize(text).low


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i would like to reschedule my appointment", "appointment"),
        ("i was charged twice on my bill", "billing"),
        ("where is my order it has not arrived", "order_status"),
        ("the water heater is leaking", "repair"),
        ("your technician was rude and this is unacceptable", "complaint"),
        ("i am interested in a quote", "sales"),
        ("please cancel my subscription", "cancellation"),
        ("please call me back", "callback_request"),
        ("hello", "general"),
    ],
)
def test_intent_is_the_best_scoring_topic(text: str, expected: str) -> None:
    assert intent(_words(text)) == expected


def test_intent_ties_go_to_the_earlier_topic() -> None:
    # "cancel" and "appointment" score the same; cancellation is listed first.
    assert intent(_words("cancel my appointment")) == "cancellation"


def test_in_order_to_is_not_about_an_order() -> None:
    assert intent(_words("i am calling in order to ask something")) == "general"


@pytest.mark.parametrize(
    "text",
    [
        "it is urgent",
        "this is an emergency",
        "please call asap",
        "call me as soon as possible",
        "the basement is flooding",
        "we have no heat",
        "please come right away",
        "my card was charged for something i never bought",
        "there is a charge i didn't authorize",
        "there's a charge on my card that i don't recognize",
    ],
)
def test_urgent_words_give_high_urgency(text: str) -> None:
    assert urgency(_words(text)) == "high"


@pytest.mark.parametrize(
    "text",
    ["it's not urgent", "no rush at all", "call me whenever", "this is not an emergency"],
)
def test_not_urgent_is_not_high_urgency(text: str) -> None:
    assert urgency(_words(text)) == "low"


def test_negated_urgent_word_does_not_count() -> None:
    assert urgency(_words("it is not leaking anymore")) == "normal"


def test_a_real_emergency_outweighs_no_rush() -> None:
    assert urgency(_words("no rush on the invoice but the pipe is leaking")) == "high"


@pytest.mark.parametrize(
    "text",
    [
        "it's not an emergency, but i'd like a technician to take a look this week",
        "no rush, but could you send it by tomorrow",
    ],
)
def test_not_urgent_but_wanted_within_days_is_normal_urgency(text: str) -> None:
    assert urgency(_words(text)) == "normal"


@pytest.mark.parametrize(
    "text",
    [
        "nothing urgent, just give me a shout whenever you're free sometime this week",
        "could you ring me back? nothing pressing at all, any day this week is fine",
    ],
)
def test_a_call_back_not_urgent_within_the_week_stays_low(text: str) -> None:
    # w88 and w122 of written.json: the week is for the call, not for work due.
    assert urgency(_words(text), asks_only_a_call=True) == "low"
    assert urgency(_words(text)) == "normal"


def test_not_urgent_until_next_week_stays_low() -> None:
    assert urgency(_words("no rush, i'll call back next week")) == "low"


def test_plain_message_has_normal_urgency() -> None:
    assert urgency(_words("please call me back about my order")) == "normal"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi this is sam returning your call", "callback_request"),
        ("checking on the bookshelf i ordered no rush i'll call back next week", "order_status"),
        ("there's a strong smell of gas in the laundry room", "repair"),
        ("we won't be needing the lawn service anymore", "cancellation"),
        ("i wanted to know what it would cost and whether you do financing", "sales"),
        ("i waited an hour at your store and nobody helped me", "complaint"),
        ("my son chipped his tooth do you have anything today", "appointment"),
        ("the parcel was supposed to arrive yesterday and still hasn't shown up", "order_status"),
        ("the air conditioning isn't working and it's ninety degrees in here", "repair"),
        ("the new fridge you delivered isn't cooling at all", "repair"),
        ("the garage door won't open and my car is inside", "repair"),
        ("the heating in our office has stopped", "repair"),
        ("our basement is flooded and the sump pump stopped", "repair"),
        ("i'd like to stop my membership i'm moving to another state", "cancellation"),
        ("i'm selling my house so i won't need your lawn service after this month", "cancellation"),
        ("do you have any availability for a haircut this saturday", "appointment"),
        ("i'm extremely disappointed i've called three times about my refund", "complaint"),
        ("i wanted to ask about upgrading my plan to include more users", "sales"),
        ("this is teresa give me a ring back when you can", "callback_request"),
    ],
)
def test_voicemail_phrasings_name_their_intent(text: str, expected: str) -> None:
    assert intent(tokenize(text).low) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("there's a smell of gas please send someone now", "high"),
        ("he's in a lot of pain please call straight away", "high"),
        ("just to say thank you no need to ring back", "low"),
        ("please call me before eight tonight if you can", "high"),
        ("call me back before noon please", "high"),
        ("could someone ring me before 5 this afternoon", "high"),
        ("the fridge died and we need someone out today please", "high"),
        ("this is unacceptable i want somebody to call me today", "high"),
        ("the toilet is overflowing please help as fast as you can", "high"),
        ("there are sparks coming from the outlet", "high"),
        ("please call me back at your earliest convenience", "low"),
        ("i just wanted to let you know the man who came was very helpful", "low"),
    ],
)
def test_voicemail_phrasings_set_their_urgency(text: str, expected: str) -> None:
    assert urgency(tokenize(text).low) == expected


@pytest.mark.parametrize(
    "text",
    ["i'll be in the office before nine tomorrow", "before this week is out would be fine"],
)
def test_a_deadline_on_another_day_is_not_urgent(text: str) -> None:
    assert urgency(tokenize(text).low) == "normal"


def _scan_by_every_position(words: list[str], table: dict[str, str]) -> list[tuple[int, int, str]]:
    """The phrase scan as first written: every phrase compared at every position."""
    used = [False] * len(words)
    hits = []
    for phrase in sorted(table, key=lambda p: (-len(p.split()), p)):
        target = phrase.split()
        size = len(target)
        for i in range(len(words) - size + 1):
            if words[i : i + size] == target and not any(used[i : i + size]):
                used[i : i + size] = [True] * size
                hits.append((i, i + size, table[phrase]))
    return sorted(hits, key=lambda hit: hit[0])


def test_the_phrase_scan_claims_the_same_words_as_comparing_every_phrase_everywhere() -> None:
    rng = random.Random(7)
    vocabulary = ["call", "me", "back", "no", "rush", "right", "away", "not", "urgent", "a"]
    table = {
        "call me back": "cb", "call me": "c", "me back": "mb", "no rush": "low",
        "right away": "high", "urgent": "high", "not urgent": "low", "a": "x", "back": "b",
    }  # fmt: skip
    for _ in range(2000):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 14))]

        assert scan(words, table) == _scan_by_every_position(words, table), words


@pytest.mark.parametrize(
    "text",
    [
        "just wanted to say thank you for the great service no need to call back",
        "thanks for fixing it yesterday you don't need to call me back",
    ],
)
def test_a_caller_who_asks_for_no_call_back_makes_no_callback_request(text: str) -> None:
    assert intent(tokenize(text).low) != "callback_request"


@pytest.mark.parametrize(
    "text",
    [
        "tuesday doesn't work for me can we reschedule my appointment",
        "the morning does not work for us could we book the afternoon instead",
    ],
)
def test_a_time_that_does_not_work_for_the_caller_is_no_fault(text: str) -> None:
    assert intent(tokenize(text).low) == "appointment"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'd like copies of last year's invoices for my taxes", "billing"),
        ("i see three charges from you this month", "billing"),
        ("both of the repairs you did last spring have failed", "repair"),
        ("the deliveries keep coming to the wrong address", "order_status"),
    ],
)
def test_a_plural_of_a_topic_word_counts_as_the_word(text: str, expected: str) -> None:
    assert intent(_words(text)) == expected


def test_a_word_that_only_ends_like_a_plural_is_not_taken_for_one() -> None:
    # "ss" is no plural ("business"), and a word the table knows stays itself ("prices").
    assert intent(_words("my business is growing")) == "general"
    assert intent(_words("what are your prices")) == "sales"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i won't be renewing my gym membership", "cancellation"),
        ("please confirm it's cancelled", "cancellation"),
        ("i've got an eye test booked on thursday, could we move it", "appointment"),
        ("i missed a call from this number", "callback_request"),
        ("jun calling you back, you left me a voicemail on friday", "callback_request"),
        ("i'm ringing to complain about your driver who threw my parcel", "complaint"),
        ("they left the lawn a mess, i'd like someone to make this right", "complaint"),
    ],
)
def test_everyday_phrasings_name_their_intent(text: str, expected: str) -> None:
    assert intent(_words(text)) == expected


def test_where_the_caller_is_right_now_sets_no_urgency() -> None:
    assert urgency(_words("i'm driving right now so i'll call back later")) == "normal"
    assert urgency(_words("i need someone out here right now")) == "high"


def test_stolen_card_details_are_urgent() -> None:
    assert urgency(_words("i think my card details were stolen")) == "high"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the kitchen sink is clogged again", "repair"),
        ("i was double charged this month", "billing"),
        ("please cancel my order before it ships", "cancellation"),
        ("i'd like more information about your services", "sales"),
        ("i'm running late and can't make it this afternoon", "appointment"),
        ("the parcel still hasn't turned up", "order_status"),
        ("the installer was unprofessional and ignored everything i said", "complaint"),
        ("i got your message, get in touch when you can", "callback_request"),
    ],
)
def test_the_thesaurus_pass_names_the_intent_in_other_words(text: str, expected: str) -> None:
    assert intent(_words(text)) == expected


def test_a_bare_call_me_is_a_callback_request_and_any_topic_named_beats_it() -> None:
    # Every voicemail asks for a call: a topic a phrase names wins however sure the model
    # is of "call me back" (and a request for a call gives way to a topic another hearing
    # names: test_extract).
    assert intent(_words("please call me at your earliest convenience")) == "callback_request"
    assert intent(_words("the new fridge you delivered is broken call me back")) == "repair"
    assert intent(_words("this is eric call him about my order please call me back")) == (
        "order_status"
    )


@pytest.mark.parametrize(
    "text",
    [
        "hi this is todd from apex web design we help small businesses like yours get found "
        "online can i book a quick demo with you this week",
        "this is an automated message from harbour energy your tariff may qualify for a "
        "cheaper rate press one to get a quote",
    ],
)
def test_a_seller_pitching_to_us_or_a_recording_is_general_however_it_speaks_of_quotes(
    text: str,
) -> None:
    assert intent(_words(text)) == "general"


@pytest.mark.parametrize(
    "text",
    [
        "i had a tooth out on monday and it's still bleeding is that normal",
        "The left side of my face is swollen and it hurts to open my mouth.",
        "my gum has this swelling since the filling, can someone call me back",
        "the bleeding hasn't stopped since the extraction this morning",
        "the swelling has not gone down at all since Monday",
    ],
)
def test_bleeding_or_swelling_is_urgent(text: str) -> None:
    assert urgency(tokenize(text).low) == "high"


def test_a_chipped_tooth_that_is_not_bleeding_is_not_made_urgent_by_the_word() -> None:
    assert urgency(tokenize("she chipped a tooth, it's not bleeding, no rush").low) == "low"


@pytest.mark.parametrize(
    "text",
    [
        "just to let you know the swelling has gone down and I'm feeling much better, thanks",
        "the bleeding has stopped now, I just wanted to check if I can eat normally",
        "my ankle was swollen last week but it's fine now, I'd like to book a follow-up",
    ],
)
def test_bleeding_or_swelling_said_to_have_settled_is_not_urgent(
    text: str,
) -> None:
    assert urgency(tokenize(text).low) != "high"


def test_free_before_noon_on_named_days_is_no_deadline_today() -> None:
    text = "I'd like to schedule a filling. I'm free Monday through Wednesday before noon."
    assert urgency(tokenize(text).low) == "normal"
