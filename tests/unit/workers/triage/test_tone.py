from __future__ import annotations

import pytest

from shared.analysis import AudioAnalysis, Tone
from workers.triage.tone import tone_of


def _voice(**changes: float | None) -> AudioAnalysis:
    """An ordinary-sounding 20 s voicemail, with ``changes`` applied."""
    figures: dict[str, object] = {
        "duration_s": 20.0, "speech_s": 15.0, "speaking_rate_wpm": 160.0,
        "loudness_dbfs": -24.0, "loudness_variation_db": 6.0, "pitch_hz_median": 150.0,
        "pitch_variation_semitones": 2.5, "pause_count": 4, "longest_pause_s": 0.8,
        "snr_db": 25.0, "clipping_ratio": 0.0, "bandwidth": "telephone",
        "silence_share": 0.25, "music_share": 0.0,
    }  # fmt: skip
    return AudioAnalysis.model_validate(figures | changes)


LIVELY = {"loudness_dbfs": -12.0, "loudness_variation_db": 11.0, "pitch_variation_semitones": 5.5,
          "speaking_rate_wpm": 235.0}  # fmt: skip
SUBDUED = {"loudness_dbfs": -38.0, "loudness_variation_db": 3.0, "pitch_variation_semitones": 1.0,
           "speaking_rate_wpm": 105.0}  # fmt: skip

ANGRY = "This is absolutely unacceptable, I am furious. Your technician was rude to my wife."
FRUSTRATED = "This is the third time I've called about my bill and nobody called me back."
ANXIOUS = "Hi, I'm really worried, my mother fell, please call me back as soon as possible."
HAPPY = "I just wanted to say thank you so much, the repair was wonderful."
CALM = "Hi, this is Tom confirming my appointment on Tuesday. No rush, call me when you can."


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        (ANGRY, "angry"),
        (FRUSTRATED, "frustrated"),
        ("I'm still waiting for the refund, again, and I'm fed up.", "frustrated"),
        (ANXIOUS, "anxious"),
        ("There's water everywhere, it's an emergency and I'm scared.", "anxious"),
        (HAPPY, "happy"),
        ("Great news, the new heater is fantastic, we're delighted.", "happy"),
        (CALM, "calm"),
        ("hi it's sarah from accounts can you give me a call back", "calm"),
        ("I'm still interested in the quote, call me again tomorrow, thanks", "calm"),
    ],
)
def test_each_kind_of_message_gets_its_emotion(text: str, emotion: str) -> None:
    assert tone_of(text, None).emotion == emotion


def test_sentiment_is_negative_for_complaints_and_positive_for_thanks() -> None:
    assert tone_of(ANGRY, None).sentiment < -0.5
    assert tone_of(FRUSTRATED, None).sentiment < -0.5
    assert tone_of(HAPPY, None).sentiment > 0.5
    assert -0.5 < tone_of(CALM, None).sentiment < 0.5


@pytest.mark.parametrize(
    "text",
    ["I am not happy with the service", "I'm not very happy about this",
     "Honestly I was not at all pleased with the work", "the repair is not great"],
)  # fmt: skip
def test_a_negated_happy_word_is_a_complaint_not_happiness(text: str) -> None:
    tone = tone_of(text, None)

    assert tone.emotion == "frustrated"
    assert tone.sentiment < 0


def test_reassurance_is_calm_though_it_names_worry_and_emergency() -> None:
    tone = tone_of("Don't worry, it's not an emergency, call me tomorrow.", None)

    assert tone.emotion == "calm"
    assert tone.sentiment >= 0


def test_a_negated_anger_word_counts_for_nothing() -> None:
    tone = tone_of("I'm not angry, I just wanted to check on my order.", None)

    assert tone.emotion == "calm"
    assert any("not angry" in cue for cue in tone.cues)


def test_cues_name_the_words_behind_the_label() -> None:
    tone = tone_of("This is the third time I've called, this is unacceptable.", None)

    assert tone.emotion in ("angry", "frustrated")
    assert tone.cues[0] == "words: 'unacceptable', 'third time'"


def test_a_lively_voice_raises_confidence_in_anger_and_a_subdued_one_lowers_it() -> None:
    text_only = tone_of(ANGRY, None)
    loud = tone_of(ANGRY, _voice(**LIVELY))
    flat = tone_of(ANGRY, _voice(**SUBDUED))

    assert flat.confidence < text_only.confidence < loud.confidence
    assert loud.emotion == flat.emotion == "angry"
    assert "loud, uneven in volume, highly varied pitch and fast speech (235 wpm)" in loud.cues
    assert "quiet, even in volume, flat pitch and slow speech (105 wpm)" in flat.cues


def test_a_subdued_voice_makes_calm_surer_and_a_lively_one_less_sure() -> None:
    plain = tone_of(CALM, _voice())
    quiet = tone_of(CALM, _voice(**SUBDUED))
    lively = tone_of(CALM, _voice(**LIVELY))

    assert lively.confidence < plain.confidence < quiet.confidence
    assert quiet.emotion == lively.emotion == "calm"


def test_frustration_said_in_a_raised_voice_with_an_angry_word_becomes_anger() -> None:
    text = "Third time calling, still waiting, nobody called me back, it's ridiculous."

    assert tone_of(text, None).emotion == "frustrated"
    assert tone_of(text, _voice(**LIVELY)).emotion == "angry"


def test_capitals_and_exclamations_in_a_cased_transcript_raise_anger() -> None:
    plain = tone_of("I am so done with this company, this is ridiculous.", None)
    shouted = tone_of("I am SO DONE with this company, this is RIDICULOUS!!", None)

    assert shouted.emotion == "angry"
    assert shouted.confidence > plain.confidence
    assert "shouting in capitals" in shouted.cues


def test_weak_cues_give_low_confidence() -> None:
    plain = tone_of("hi it's sarah can you call me back", None)

    assert plain.emotion == "calm"
    assert plain.confidence < 0.5
    assert tone_of("", None).confidence < plain.confidence
    assert tone_of(HAPPY, None).confidence > 0.7


def test_too_little_speech_says_nothing_about_the_voice() -> None:
    brief = _voice(**LIVELY, speech_s=0.4)

    assert tone_of(ANGRY, brief) == tone_of(ANGRY, None)


def test_the_description_is_left_for_a_language_model() -> None:
    tone = tone_of(HAPPY, _voice())

    assert tone.description is None
    assert Tone.model_validate(tone.model_dump()) == tone


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Je suis furieux, c'est inacceptable, je veux parler à un responsable !", "fr"),
        ("Ich bin sehr wütend, das ist unverschämt!", "de-DE"),
        ("¡Estoy furioso! Es inaceptable.", "es"),
        ("我非常生气\uff0c这太过分了", "zh"),
    ],
)
def test_words_in_another_language_are_not_read_as_calm_words(text: str, language: str) -> None:
    # The lexicon is English: finding none of its words in French says nothing of the caller.
    tone = tone_of(text, None, language=language)

    assert tone.confidence == tone_of("", None).confidence
    assert tone.sentiment == 0
    assert "no emotional words" not in tone.cues
    assert any(language in cue for cue in tone.cues)


@pytest.mark.parametrize("language", [None, "en", "en-GB", "eng"])
def test_english_or_an_unnamed_language_is_read_as_before(language: str | None) -> None:
    text = "This is unacceptable, I'm furious, third time I've called."

    assert tone_of(text, None, language=language) == tone_of(text, None)
    assert tone_of(text, None, language=language).emotion == "angry"
