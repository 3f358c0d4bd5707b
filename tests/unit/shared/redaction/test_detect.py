from __future__ import annotations

import pytest

from shared.redaction.cards import is_card_number, luhn_valid
from shared.redaction.detect import find_spans
from shared.redaction.spans import Span, resolve
from shared.redaction_policy import Entity, RedactionPolicy

EVERYTHING = RedactionPolicy()


def _found(text: str, policy: RedactionPolicy = EVERYTHING) -> list[tuple[Entity, str, str]]:
    return [(s.entity, text[s.start : s.end], s.value) for s in find_spans(text, policy)]


def _entities(text: str) -> set[Entity]:
    return {entity for entity, _, _ in _found(text)}


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("378282246310005", True),
        ("79927398713", True),
        ("4111111111111112", False),
        ("79927398710", False),
        ("", False),
        ("4111 1111", False),
    ],
)
def test_luhn_accepts_checksummed_digits_and_rejects_one_digit_off(
    digits: str, valid: bool
) -> None:
    assert luhn_valid(digits) is valid


def test_a_sixteen_digit_number_that_fails_luhn_is_not_a_card() -> None:
    assert not is_card_number("4111111111111112")
    assert Entity.CREDIT_CARD_NUMBER not in _entities("the box reads 4111 1111 1111 1112 thanks")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        # One digit misheard: the checksum fails. Before, the first was labelled a phone
        # number and the second was left in the text whole.
        ("my card is 4111 1111 1111 1112 thanks", "4111 1111 1111 1112"),
        ("the long number on my card is 4539 1488 0343 6468", "4539 1488 0343 6468"),
        # One digit dropped: fifteen digits, no card's length with a Visa prefix and Luhn.
        ("my credit card 4539-1488-0343-646 was stolen", "4539-1488-0343-646"),
        # Read digit by digit, a shorter run inside checks out as a card: the whole is one.
        (
            "my visa four five three nine one four eight eight zero three four three six four "
            "six eight expires soon",
            "four five three nine one four eight eight zero three four three six four six eight",
        ),
    ],
)
def test_a_card_number_misheard_after_a_word_naming_a_card_is_redacted_whole_as_a_card(
    text: str, number: str
) -> None:
    assert [(entity, found) for entity, found, _ in _found(text)] == [
        (Entity.CREDIT_CARD_NUMBER, number)
    ]


def test_a_phone_number_said_after_a_card_word_stays_a_phone_number() -> None:
    found = _found("i lost my card, call me on 415 555 0199")
    assert [(entity, text) for entity, text, _ in found] == [(Entity.PHONE_NUMBER, "415 555 0199")]


def test_a_luhn_valid_number_without_an_issuer_prefix_is_not_a_card() -> None:
    assert luhn_valid("1234567812345670")
    assert not is_card_number("1234567812345670")


def test_a_card_number_said_as_words_is_redacted_as_its_digits() -> None:
    text = "card is four one one one one one one one one one one one one one one one ok"
    assert _found(text) == [
        (Entity.CREDIT_CARD_NUMBER, text[8:-3], "4111111111111111"),
    ]


def test_a_card_read_straight_into_its_expiry_is_found_inside_the_run() -> None:
    text = "the card is 4242 4242 4242 4242 0926"
    assert _found(text) == [(Entity.CREDIT_CARD_NUMBER, "4242 4242 4242 4242", "4242424242424242")]


def test_a_card_wins_over_the_phone_number_its_digits_contain() -> None:
    text = "charge 5555 5555 5555 4444 please"
    assert [entity for entity, _, _ in _found(text)] == [Entity.CREDIT_CARD_NUMBER]


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("call me at four one five five five five zero one nine two", "+14155550192"),
        ("call nine one seven double five five oh one six six", "+19175550166"),
        ("ring two one two triple five oh one four seven", "+12125550147"),
        ("Call (415) 555-0192 tomorrow", "+14155550192"),
        ("reach me on +44 20 7946 0958.", "+442079460958"),
        ("plus four four two zero seven nine four six zero nine five eight", "+442079460958"),
    ],
)
def test_phone_numbers_written_or_spoken_are_found_with_their_e164_value(
    text: str, e164: str
) -> None:
    assert [(e, v) for e, _, v in _found(text)] == [(Entity.PHONE_NUMBER, e164)]


def test_the_opening_bracket_of_a_phone_number_is_redacted_with_it() -> None:
    assert _found("Call (415) 555-0192 now")[0][1] == "(415) 555-0192"


def test_a_region_is_used_for_numbers_without_a_country_code() -> None:
    uk = RedactionPolicy(entities=[Entity.PHONE_NUMBER], region="GB")
    assert [v for _, _, v in _found("ring me on 020 7946 0958", uk)] == ["+442079460958"]


def test_digits_that_make_no_valid_number_are_not_a_phone_without_a_cue() -> None:
    assert _found("the serial reads five five five one two three four five six seven") == []


def test_a_cued_local_number_without_its_area_code_is_still_redacted() -> None:
    assert _found("just call me at five five five oh one nine two") == [
        (Entity.PHONE_NUMBER, "five five five oh one nine two", "5550192")
    ]


def test_an_order_number_after_its_cue_is_an_account_number() -> None:
    found = _found("my order number is 4155550192 and it never came")
    assert found == [(Entity.ACCOUNT_NUMBER, "4155550192", "4155550192")]


@pytest.mark.parametrize(
    "text",
    [
        "i'll be there at two thirty pm",
        "it costs twenty dollars for three days",
        "room 12 on the second floor",
        "the total was one thousand two hundred and fifty dollars",
        "flight 2417 lands at 4:45 pm",
    ],
)
def test_times_amounts_and_room_numbers_are_kept(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("my date of birth is march third nineteen eighty two", "1982-03-03"),
        ("born on the twenty third of november two thousand and one", "2001-11-23"),
        ("DOB 7/14/1975", "1975-07-14"),
        ("d o b oh three oh four eighty two", "1982-03-04"),
        ("my birthday is june twelfth", "--06-12"),
        ("date of birth 25/12/1990", "1990-12-25"),
    ],
)
def test_a_date_after_a_birth_cue_is_a_date_of_birth_valued_in_iso(text: str, iso: str) -> None:
    assert [(e, v) for e, _, v in _found(text)] == [(Entity.DATE_OF_BIRTH, iso)]


def test_a_date_without_a_birth_cue_is_kept() -> None:
    assert _found("the appointment is on march third at ten") == []


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("my ssn is 536-22-8145", "536228145"),
        ("social security number five three six two two eight one four five", "536228145"),
        ("my social is 401 72 3390", "401723390"),
    ],
)
def test_social_security_numbers_written_or_cued_are_found(text: str, digits: str) -> None:
    assert [(e, v) for e, _, v in _found(text)] == [(Entity.US_SOCIAL_SECURITY_NUMBER, digits)]


def test_a_number_in_a_range_the_ssa_never_issues_is_not_an_ssn() -> None:
    assert Entity.US_SOCIAL_SECURITY_NUMBER not in _entities("my ssn is 666-22-8145")
    assert Entity.US_SOCIAL_SECURITY_NUMBER not in _entities("my social is 900 12 3456")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("my email is jane dot doe at example dot com thanks", "jane.doe@example.com"),
        ("it's j doe at gmail dot com", "jdoe@gmail.com"),
        ("send it to bob underscore miller at outlook dot com", "bob_miller@outlook.com"),
        ("write to h finch at ingram dot co dot uk please", "hfinch@ingram.co.uk"),
        ("Mail Jane.Doe@Example.com today", "jane.doe@example.com"),
    ],
)
def test_emails_written_or_spelled_out_are_found_and_normalised(text: str, address: str) -> None:
    assert [(e, v) for e, _, v in _found(text)] == [(Entity.EMAIL_ADDRESS, address)]


@pytest.mark.parametrize(
    "text",
    ["i'm at home dot", "meet me at the office", "look at this dot please", "call me at three"],
)
def test_at_without_a_domain_and_top_level_domain_is_not_an_email(text: str) -> None:
    assert Entity.EMAIL_ADDRESS not in _entities(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "i live at fourteen twenty oak street apartment three b",
            "fourteen twenty oak street apartment three b",
        ),
        ("ship to 123 Main St., Apt 4B, Boston", "123 Main St., Apt 4B"),
        ("it's nine oh five sunset boulevard", "nine oh five sunset boulevard"),
    ],
)
def test_a_house_number_street_name_and_type_make_an_address(text: str, address: str) -> None:
    assert [(e, t) for e, t, _ in _found(text)] == [(Entity.STREET_ADDRESS, address)]


@pytest.mark.parametrize(
    "text",
    ["main street is closed today", "it's a two hour drive", "three blocks off main street"],
)
def test_a_street_without_a_house_number_is_not_an_address(text: str) -> None:
    assert _found(text) == []


def test_the_callers_name_is_redacted_wherever_it_is_said_again() -> None:
    text = "hi this is maria gonzalez and again it's maria"
    assert [t for _, t, _ in _found(text)] == ["maria gonzalez", "maria"]


def test_a_surname_with_particles_is_redacted_whole() -> None:
    assert _found("Hi, this is Maria de la Cruz, about my bill.") == [
        (Entity.PERSON_NAME, "Maria de la Cruz", "maria de la cruz")
    ]


def test_a_name_keeps_its_title_inside_the_redaction() -> None:
    assert _found("Hello, this is Dr. Smith from the clinic") == [
        (Entity.PERSON_NAME, "Dr. Smith", "smith")
    ]


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("you can email Maria.Loop has that example.com thanks", "Maria.Loop has that example.com"),
        ("it's maria.lopez.example.com.", "maria.lopez.example.com"),
        # One name before a mail provider's domain: a mailbox, where "shop.acme.com" is none.
        ("email me at jdoe.gmail.com thanks", "jdoe.gmail.com"),
        ("it's Tanya_W.yahoo.co.uk.", "Tanya_W.yahoo.co.uk"),
    ],
)
def test_an_address_whose_at_sign_was_misheard_is_still_an_email(text: str, email: str) -> None:
    policy = RedactionPolicy(entities=[Entity.EMAIL_ADDRESS])
    assert [t for _, t, _ in _found(text, policy)] == [email]


def test_a_mailbox_heard_without_its_at_sign_has_the_value_of_the_address_said_whole() -> None:
    emails = RedactionPolicy(entities=[Entity.EMAIL_ADDRESS])
    heard = _found("email me at jdoe.gmail.com", emails)
    said = _found("it's jdoe at gmail dot com", emails)
    assert [value for _, _, value in heard] == [value for _, _, value in said] == ["jdoe@gmail.com"]


@pytest.mark.parametrize(
    "text",
    [
        "visit www.acme.com today",
        "see shop.acme.co.uk now",
        "Dr.Smith said acme.com has it",
        "the file is report.pdf on drive.google.com",
        "go to mail.yahoo.com first",
        "sign in at mail.yahoo.com first",
        "log in at portal dot acme dot com and check",
    ],
)
def test_a_host_name_or_a_dotted_title_is_not_a_misheard_email(text: str) -> None:
    assert _found(text, RedactionPolicy(entities=[Entity.EMAIL_ADDRESS])) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Hi, this is Mary-Jane Watson. Mary-Jane needs a plumber.",
            ["Mary-Jane Watson", "Mary-Jane"],
        ),
        ("Hi, it's Anne-Marie, the sink leaks", ["Anne-Marie"]),
        ("my name is jean-luc picard and my sink leaks", ["jean-luc picard"]),
        ("Hello, my name is Pre-Raman, I need help", ["Pre-Raman"]),
    ],
)
def test_a_hyphenated_name_after_a_cue_is_redacted(text: str, names: list[str]) -> None:
    assert [t for _, t, _ in _found(text)] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Hi, my name is Priya Raman. Later: Raman again, Mrs Raman.",
            ["Priya Raman", "Raman", "Mrs Raman"],
        ),
        ("This is Tom Alvarez. Ask for Mr Alvarez when you call.", ["Tom Alvarez", "Mr Alvarez"]),
        ("this is tom park, please call mr park", ["tom park", "mr park"]),
    ],
)
def test_a_found_names_surname_said_alone_is_redacted(text: str, names: list[str]) -> None:
    assert [t for _, t, _ in _found(text)] == names


def test_a_surname_that_is_a_common_word_is_kept_where_it_is_only_that_word() -> None:
    text = "this is tom park, park the van at the park"
    assert [t for _, t, _ in _found(text)] == ["tom park"]


def test_capitalised_words_said_straight_after_a_name_are_redacted_with_it() -> None:
    # "It's Maria" introduces a second person; "I" said straight after is not more of her name.
    assert _found("This is Nguyen Van An, call me back. It's Maria I think") == [
        (Entity.PERSON_NAME, "Nguyen Van An", "nguyen van an"),
        (Entity.PERSON_NAME, "Maria", "maria"),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my account number is a c seven seven two nine one four four", "AC7729144"),
        ("member id x y z four four eight one nine two", "XYZ448192"),
        ("policy number AB123456 is the one", "AB123456"),
    ],
)
def test_an_account_number_after_its_cue_is_found(text: str, value: str) -> None:
    assert [(e, v) for e, _, v in _found(text)] == [(Entity.ACCOUNT_NUMBER, value)]


def test_a_short_number_after_an_account_cue_is_not_an_account_number() -> None:
    assert _found("my account was charged twenty dollars") == []


def test_only_the_entities_a_policy_names_are_found() -> None:
    text = "this is dana call me at 312 555 0188 or dana at example dot com"
    emails_only = RedactionPolicy(entities=[Entity.EMAIL_ADDRESS])
    assert [e for e, _, _ in _found(text, emails_only)] == [Entity.EMAIL_ADDRESS]


def test_overlapping_finds_merge_into_one_span_named_after_the_most_specific() -> None:
    phone = Span(Entity.PHONE_NUMBER, 10, 30, "+14155550192")
    card = Span(Entity.CREDIT_CARD_NUMBER, 5, 25, "4111111111111111")
    name = Span(Entity.PERSON_NAME, 40, 45, "dana")
    assert resolve([name, phone, card]) == [
        Span(Entity.CREDIT_CARD_NUMBER, 5, 30, "4111111111111111"),
        name,
    ]


def test_a_letter_written_as_one_of_a_numbers_groups_is_redacted_with_it() -> None:
    assert _found("call me at I-17-482-0063 please") == [
        (Entity.PHONE_NUMBER, "I-17-482-0063", "+19174820063")
    ]
