from __future__ import annotations

import copy
import json
import re

import pytest

from shared.models import Transcript, Word
from shared.redaction.apply import redact_mapping, redact_text, redact_transcript
from shared.redaction.detect import find_spans, remember
from shared.redaction.substitute import substitute
from shared.redaction_policy import Entity, RedactionPolicy, Substitution
from shared.transcript_formats import render

LABELS = RedactionPolicy()
HASHES = RedactionPolicy(style=Substitution.HASH)
TOKEN = re.compile(r"\[[A-Z_]+(?::[0-9a-f]{8})?\]")


def _words(text: str, step: float = 0.5) -> list[Word]:
    return [
        Word(word=w, start_s=i * step, end_s=i * step + 0.4, confidence=0.9)
        for i, w in enumerate(text.split())
    ]


def test_entities_are_replaced_by_their_labels() -> None:
    text = "hi this is dana call me at 312 555 0188 or dana at example dot com"
    assert redact_text(text, LABELS).text == (
        "hi this is [PERSON_NAME] call me at [PHONE_NUMBER] or [EMAIL_ADDRESS]"
    )


def test_a_hash_token_is_stable_for_one_key_and_differs_across_keys() -> None:
    text = "call me at 415 555 0192"
    first = redact_text(text, HASHES, "key-a").text
    assert first == redact_text(text, HASHES, b"key-a").text
    assert first != redact_text(text, HASHES, "key-b").text
    assert re.fullmatch(r"call me at \[PHONE_NUMBER:[0-9a-f]{8}\]", first)


def test_one_number_written_and_spoken_gets_one_hash_and_another_number_another() -> None:
    written = redact_text("call (415) 555-0192", HASHES, "k").text.split()[-1]
    spoken = redact_text("call four one five five five five oh one nine two", HASHES, "k").text
    other = redact_text("call 415 555 0193", HASHES, "k").text.split()[-1]
    assert spoken.endswith(written)
    assert other != written


def test_the_same_value_as_two_entities_gets_two_tokens() -> None:
    key = "k"
    phone = substitute(Entity.PHONE_NUMBER, "4155550192", Substitution.HASH, key)
    account = substitute(Entity.ACCOUNT_NUMBER, "4155550192", Substitution.HASH, key)
    assert phone.split(":")[1] != account.split(":")[1]


def test_the_hash_style_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        redact_text("call me at 415 555 0192", HASHES)


def test_text_without_entities_is_returned_unchanged_with_no_spans() -> None:
    text = "please call back after two thirty tomorrow"
    assert redact_text(text, LABELS).text == text
    assert redact_text(text, LABELS).spans == []


def test_a_mapping_is_copied_with_every_string_redacted_and_other_values_kept() -> None:
    body = {
        "event": "job.succeeded",
        "data": {"transcript": "call me at 415 555 0192", "attempts": 2, "ok": True},
        "lines": ["my email is jo at example dot com", None, 3.5],
        "pair": ("ssn 536-22-8145", "fine"),
    }
    before = copy.deepcopy(body)
    assert redact_mapping(body, LABELS) == {
        "event": "job.succeeded",
        "data": {"transcript": "call me at [PHONE_NUMBER]", "attempts": 2, "ok": True},
        "lines": ["my email is [EMAIL_ADDRESS]", None, 3.5],
        "pair": ("ssn [US_SOCIAL_SECURITY_NUMBER]", "fine"),
    }
    assert body == before


def test_whole_fields_are_replaced_outright_and_then_found_in_other_strings() -> None:
    triage = {
        "caller_name": "Dr. Maria Gonzalez",
        "callback_number": "+14155550192",
        "summary": "Maria Gonzalez asked for a call back on 415 555 0192.",
        "intent": "appointment",
    }
    whole = {"caller_name": Entity.PERSON_NAME, "callback_number": Entity.PHONE_NUMBER}
    out = redact_mapping(triage, HASHES, "k", whole=whole)
    transcript = redact_text(
        "this is maria gonzalez call four one five five five five oh one nine two", HASHES, "k"
    )
    name, phone = TOKEN.findall(transcript.text)
    assert out == {
        "caller_name": name,
        "callback_number": phone,
        "summary": f"{name} asked for a call back on {phone}.",
        "intent": "appointment",
    }


def test_values_found_in_the_transcript_are_redacted_in_a_reply_that_has_no_cue() -> None:
    said = "hi this is maria gonzalez call me at four one five five five five zero one nine two"
    known = remember(said, find_spans(said, LABELS))
    reply = "Hi Maria, we will call you on 415-555-0192 this afternoon."
    assert redact_text(reply, LABELS, known=known).text == (
        "Hi [PERSON_NAME], we will call you on [PHONE_NUMBER] this afternoon."
    )


def test_a_callers_surname_is_redacted_in_a_reply_but_not_the_same_word_in_lower_case() -> None:
    said = "hi my name is priya raman and this is about the park"
    known = remember(said, find_spans(said, LABELS))
    reply = "We will call Raman back about the raman noodle stall by the park."
    assert redact_text(reply, LABELS, known=known).text == (
        "We will call [PERSON_NAME] back about the raman noodle stall by the park."
    )


def test_a_callers_surname_is_redacted_in_a_reply_however_its_capitals_are_written() -> None:
    said = "hi my name is tom mcdonald about the boiler"
    known = remember(said, find_spans(said, LABELS))
    reply = "We will ask for McDonald or MCDONALD, not the mcdonald menu."
    assert redact_text(reply, LABELS, known=known).text == (
        "We will ask for [PERSON_NAME] or [PERSON_NAME], not the mcdonald menu."
    )


def test_a_transcripts_number_becomes_one_word_spanning_its_first_to_last_word() -> None:
    text = "hi this is dana call me at four one five five five five zero one nine two thanks"
    result = redact_transcript(Transcript(text=text, provider="t", words=_words(text)), LABELS)
    words = [(w.word, w.start_s, w.end_s) for w in result.transcript.words]
    assert words == [
        ("hi", 0.0, 0.4), ("this", 0.5, 0.9), ("is", 1.0, 1.4), ("[PERSON_NAME]", 1.5, 1.9),
        ("call", 2.0, 2.4), ("me", 2.5, 2.9), ("at", 3.0, 3.4), ("[PHONE_NUMBER]", 3.5, 8.4),
        ("thanks", 8.5, 8.9),
    ]  # fmt: skip
    assert result.spans_s == [(1.5, 1.9), (3.5, 8.4)]
    assert result.transcript.text == "hi this is [PERSON_NAME] call me at [PHONE_NUMBER] thanks"


def test_words_differing_from_the_text_in_case_and_punctuation_are_aligned() -> None:
    text = "Hi, this is Tom. Call me at (617) 555-0123, thanks."
    words = _words("hi this is tom. call me at (617) 555-0123, thanks.")
    result = redact_transcript(Transcript(text=text, provider="t", words=words), LABELS)
    assert result.transcript.text == "Hi, this is [PERSON_NAME]. Call me at [PHONE_NUMBER], thanks."
    assert [w.word for w in result.transcript.words] == [
        "hi", "this", "is", "[PERSON_NAME].", "call", "me", "at", "[PHONE_NUMBER],", "thanks.",
    ]  # fmt: skip
    assert result.spans_s == [(1.5, 1.9), (3.5, 4.4)]


def test_a_number_written_in_the_text_but_spelled_in_the_words_leaves_both() -> None:
    text = "Call me at 415-555-0192 please."
    words = _words("call me at four one five five five five zero one nine two please")
    result = redact_transcript(Transcript(text=text, provider="t", words=words), LABELS)
    assert result.transcript.text == "Call me at [PHONE_NUMBER] please."
    assert [w.word for w in result.transcript.words] == [
        "call", "me", "at", "[PHONE_NUMBER]", "please",
    ]  # fmt: skip
    assert result.spans_s == [(1.5, 6.4)]


def test_a_number_only_the_words_have_is_removed_from_the_words() -> None:
    text = "Call me back please."  # an engine whose text dropped what its words kept
    words = _words("call me back at 415 555 0192 please")
    result = redact_transcript(Transcript(text=text, provider="t", words=words), LABELS)
    assert [w.word for w in result.transcript.words] == [
        "call", "me", "back", "at", "[PHONE_NUMBER]", "please",
    ]  # fmt: skip
    assert result.spans_s == [(2.0, 3.4)]


def test_adjacent_entities_stay_two_words_and_untimed_words_add_no_seconds() -> None:
    text = "this is dana 312 555 0188"
    words = [Word(word=w) for w in text.split()]
    result = redact_transcript(Transcript(text=text, provider="t", words=words), LABELS)
    assert [w.word for w in result.transcript.words] == [
        "this", "is", "[PERSON_NAME]", "[PHONE_NUMBER]",
    ]  # fmt: skip
    assert result.spans_s == []


def test_a_transcript_without_words_has_its_text_and_segment_texts_redacted() -> None:
    text = "my ssn is 536-22-8145"
    segments = [{"start_s": 0.0, "end_s": 2.0, "text": text}]
    transcript = Transcript(text=text, provider="t", details={"segments": segments, "engine": "x"})
    result = redact_transcript(transcript, LABELS)
    assert result.transcript.text == "my ssn is [US_SOCIAL_SECURITY_NUMBER]"
    assert result.transcript.details == {
        "segments": [
            {"start_s": 0.0, "end_s": 2.0, "text": "my ssn is [US_SOCIAL_SECURITY_NUMBER]"}
        ],
        "engine": "x",
    }
    assert result.spans_s == []
    assert transcript.text == text  # the original is not changed


def test_a_name_as_the_engine_first_wrote_it_is_redacted_with_the_name() -> None:
    # The offline engine keeps "Atmet" where it wrote Ahmed instead: no cue finds it alone.
    text = "hi this is Ahmed Siddiqui about my balance"
    rescored = [{"heard_name": "Atmet", "written_name": "Ahmed", "nats": 0.45}]
    transcript = Transcript(
        text=text, provider="t", words=_words(text), details={"caller_name_rescored": rescored}
    )
    details = redact_transcript(transcript, LABELS).transcript.details
    assert details == {
        "caller_name_rescored": [
            {"heard_name": "[PERSON_NAME]", "written_name": "[PERSON_NAME]", "nats": 0.45}
        ]
    }
    kept = redact_transcript(transcript, RedactionPolicy(entities=[Entity.PHONE_NUMBER]))
    assert kept.transcript.details == transcript.details


def test_every_engines_hearing_of_the_callback_number_is_redacted_with_it() -> None:
    text = "please call me back at 300-5-829-4416"
    heard = {
        "callback_rehearing": {"text": "me at 300-5-829-4416.", "start_s": 1.0, "end_s": 4.0},
        "second_engine": {"engine": "moonshine", "text": "Please call me back."},
        "callback_rehearing_second_engine": {"engine": "moonshine", "text": "at 305-829-4416."},
    }
    transcript = Transcript(text=text, provider="t", words=_words(text), details=heard)
    details = redact_transcript(transcript, LABELS).transcript.details
    assert "4416" not in str(details)
    assert details["callback_rehearing_second_engine"] == {
        "engine": "moonshine",
        "text": "at [PHONE_NUMBER].",
    }


def test_a_value_one_engine_heard_is_redacted_from_every_other_hearing_kept() -> None:
    text = "hi it's about the leak, write to me"
    heard = {
        "second_engine": {"engine": "moonshine", "text": "write to maria.lopez@example.com"},
        "callback_rehearing": {"text": "maria.lopez.example.com", "start_s": 1.0, "end_s": 4.0},
        "callback_rehearing_second_engine": {"engine": "moonshine", "text": "Maria Lopez."},
    }
    transcript = Transcript(text=text, provider="t", words=_words(text), details=heard)
    details = redact_transcript(transcript, LABELS).transcript.details
    assert "lopez" not in str(details).lower()
    assert details["callback_rehearing"]["text"] == "[EMAIL_ADDRESS]"


def test_a_value_heard_only_by_another_engine_is_redacted_from_the_text_and_words() -> None:
    text = "please write to maria lopez"
    heard = {"second_engine": {"engine": "moonshine", "text": "This is Maria Lopez."}}
    transcript = Transcript(text=text, provider="t", words=_words(text), details=heard)
    redacted = redact_transcript(transcript, LABELS).transcript
    assert redacted.text == "please write to [PERSON_NAME]"
    assert "maria" not in " ".join(w.word for w in redacted.words)


@pytest.mark.parametrize("fmt", ["txt", "json", "srt", "vtt"])
def test_every_export_format_of_a_redacted_transcript_hides_the_number(fmt: str) -> None:
    text = "hello this is dana please call me at four one five five five five zero one nine two"
    transcript = Transcript(text=text, provider="t", words=_words(text), duration_s=12.0)
    out = render(redact_transcript(transcript, LABELS).transcript, fmt)  # type: ignore[arg-type]
    assert "[PHONE_NUMBER]" in out
    assert "dana" not in out
    assert "zero one nine" not in out
    if fmt == "json":
        cues = json.loads(out)["segments"]
        assert cues[0]["start_s"] == 0.0
        assert cues[-1]["end_s"] == pytest.approx(8.9)  # the last digit's end


def test_redacting_redacted_text_again_changes_nothing() -> None:
    policy = RedactionPolicy(style=Substitution.HASH)
    once = redact_text("Hi, this is Maria Lopez, call me at 415-555-0192.", policy, "k").text

    assert redact_text(once, policy, "k").text == once
    assert redact_text(once, policy, "k").spans == []


@pytest.mark.parametrize("fmt", ["txt", "json", "srt", "vtt"])
def test_a_number_said_across_two_engine_segments_is_redacted_from_both_and_every_format(
    fmt: str,
) -> None:
    # Whisper ends a segment where the speaker pauses, which can be mid-number.
    segments = [
        {"id": 0, "start_s": 0.0, "end_s": 4.0, "text": "Hi, call me back at 617 555"},
        {"id": 1, "start_s": 4.0, "end_s": 8.0, "text": "0142, thanks."},
    ]
    transcript = Transcript(
        text="Hi, call me back at 617 555 0142, thanks.",
        provider="whisper",
        duration_s=8.0,
        details={"segments": segments},
    )

    redacted = redact_transcript(transcript, LABELS).transcript

    assert [s["text"] for s in redacted.details["segments"]] == [
        "Hi, call me back at [PHONE_NUMBER]",
        ", thanks.",
    ]
    out = render(redacted, fmt)  # type: ignore[arg-type]
    assert "[PHONE_NUMBER]" in out
    assert not re.search("617|555|0142", out)
