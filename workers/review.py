"""Whether a person should check a job, and why (``results.needs_review``, ``review_reasons``).

The transcription stage judges the words (engine confidence, hybrid disagreement); the reply
stage adds what the triage could not settle (no number, a partial or doubtful number, no
clear intent). Each reason is a stable code a client can filter on; the job is flagged when
there is at least one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from shared.language.heard_twice import every_digit_in, heard_twice, hearing_of, may_hide_a_triple
from shared.language.phone import CallbackNumber, find_callback
from shared.language.rehearing import (
    other_rehearing_text,
    rehearing_text,
    second_engine_heard_nothing,
    second_engine_text,
)
from shared.language.telephone_band import guess_over_the_band
from shared.language.tokens import tokenize, word_of_each_token
from shared.models import Transcript, Triage
from shared.settings.review import ReviewSettings
from workers.providers.stt.offline import CHOSEN_PROBABILITY
from workers.triage.classify import asks_nothing, only_informs
from workers.triage.emergency import describes_emergency


class Reason(StrEnum):
    NO_SPEECH = "no_speech"
    LOW_CONFIDENCE = "low_confidence"
    HYBRID_DISAGREEMENT = "hybrid_disagreement"
    NO_CALLBACK_NUMBER = "no_callback_number"
    PARTIAL_CALLBACK_NUMBER = "partial_callback_number"
    CALLBACK_NUMBER_UNCONFIRMED = "callback_number_unconfirmed"
    INTENT_UNDECIDED = "intent_undecided"
    OTHER_LANGUAGE = "other_language"
    HYBRID_UNVERIFIED = "hybrid_unverified"
    # The caller describes a danger to life (workers.triage.emergency): a person should see
    # it at once, whatever else the triage settled.
    EMERGENCY = "emergency"


# Where an engine's transcript details say a window of the recording was decoded in a loop
# and decoded again (workers.providers.stt.whisper_loops): the second decoding may have
# dropped words without a sign in their confidences. On the spoken held-out half of
# written_callers.json one such transcript kept its whole callback number, which both
# engines agreed on, and lost its first sentences (WER 0.54): nothing else flagged it.
DECODING_LOOPED = "decoding_looped"
# Where a window left out speech and decoding it again did not bring it back
# (workers.providers.stt.whisper_skips): the words it kept may be right and sure of
# themselves while a sentence is missing.
DECODING_SKIPPED = "decoding_skipped"

# Where the offline engine keeps the language it heard in the recording's first window
# (workers.providers.stt.whisper_language): {"language", "probability", "english"}. It
# decodes every recording as English, so a caller speaking another language gets back an
# English rendering at best, sure of its words.
HEARD_LANGUAGE = "heard_language"

# Judged by the transcription stage; the reply stage keeps them and adds its own.
TRANSCRIPT_REASONS = frozenset(
    {
        Reason.NO_SPEECH,
        Reason.LOW_CONFIDENCE,
        Reason.HYBRID_DISAGREEMENT,
        Reason.HYBRID_UNVERIFIED,
        Reason.OTHER_LANGUAGE,
    }
)


def mean_confidence(confidences: Sequence[float | None]) -> float | None:
    known = [c for c in confidences if c is not None]
    return sum(known) / len(known) if known else None


def transcript_reasons(transcript: Transcript, review: ReviewSettings) -> list[str]:
    reasons: list[str] = []
    if not transcript.text.strip():
        reasons.append(Reason.NO_SPEECH)
    mean = mean_confidence([word.confidence for word in transcript.words])
    tokens: Any = transcript.details.get(CHOSEN_PROBABILITY)
    if mean is None and isinstance(tokens, int | float):
        mean = float(tokens)
    if (
        (mean is not None and mean < review.min_mean_confidence)
        or any(transcript.details.get(key) for key in (DECODING_LOOPED, DECODING_SKIPPED))
        or (transcript.text.strip() and second_engine_heard_nothing(transcript))
    ):
        # Words another engine did not hear at all are likely invented: Whisper writes
        # fluent sentences over noise ("I'm sorry, I'm sorry, ..." over 10 s of hiss; 45
        # words of nothing the caller said over a voicemail 5 dB under its noise, every
        # word sure enough to pass) where Moonshine writes none. Moonshine wrote words for
        # every one of 122 recordings of speech (the voicemail set, the held-out half, the
        # shared clips), a 1.1 s "ten of clubs" among them.
        reasons.append(Reason.LOW_CONFIDENCE)
    if transcript.details.get("needs_review"):
        # The hybrid engine's own verdict: its two engines disagreed (or one failed).
        reasons.append(Reason.HYBRID_DISAGREEMENT)
    if transcript.details.get("unverified_language"):
        # A hybrid whose other engine cannot hear the job's language: one engine's words,
        # unchecked, where the deployment asked for two.
        reasons.append(Reason.HYBRID_UNVERIFIED)
    heard: Any = transcript.details.get(HEARD_LANGUAGE)
    english = heard.get("english") if isinstance(heard, dict) else None
    if isinstance(english, int | float) and english < review.min_english:
        reasons.append(Reason.OTHER_LANGUAGE)
    return reasons


def number_confidence(transcript: Transcript, start: int, end: int) -> float | None:
    """The lowest confidence among the words a callback number was heard in (token
    ``start:end`` of the transcript's text), when the engine's words line up with those
    tokens. The lowest, not the mean: one misheard digit makes a wrong number, and on the
    voicemail set Whisper heard a 5 as an 8 at 0.60 among digits averaging 0.79.

    A word may hold several tokens ("617-867" heard as one word is two tokens), so each
    token takes the confidence of the word it came from."""
    if start < 0 or not transcript.words:
        return None
    words = transcript.words
    owners = word_of_each_token(transcript.text, [word.word for word in words])
    if owners is None or end > len(owners):
        return None
    known = [c for i in owners[start:end] if (c := words[i].confidence) is not None]
    return min(known) if known else None


def heard_confidence(transcript: Transcript, found: CallbackNumber) -> float | None:
    """The confidence of the best-heard of a number's hearings in the transcript: one clear
    repetition confirms the number."""
    heard = [number_confidence(transcript, s, e) for s, e in found.heard_at]
    return max((c for c in heard if c is not None), default=None)


def number_in_doubt(
    transcript: Transcript, review: ReviewSettings, region: str, every_number: bool = False
) -> bool:
    """Whether the transcript's own text holds digits of a callback number but no number the
    review would trust: only part of one, or one disputed, guessed or heard below the
    minimum confidence; with ``every_number``, any whole number too (for an engine that
    wants every number confirmed). No digits at all is no doubt: most such messages have
    no number."""
    found = find_callback(tokenize(transcript.text), region)
    if found.e164 is None:
        return bool(found.partial)
    if every_number or found.disputed or found.guessed:
        return True
    confidence = heard_confidence(transcript, found)
    return confidence is not None and confidence < review.min_number_confidence


def _engines_agree(transcript: Transcript, found: CallbackNumber, region: str) -> bool:
    second = second_engine_text(transcript)
    return second is not None and find_callback(tokenize(second), region).e164 == found.e164


def _every_digit_heard_twice(
    transcript: Transcript, first: CallbackNumber, number: str, region: str
) -> bool:
    """Whether the transcript's hearings (its own, its rehearing of the number, another
    engine's) between them heard every digit of ``number`` twice and none otherwise."""
    if first.disputed:
        # The first hearing gave two numbers: which one the others vouch for is not known.
        return False
    rehearing = rehearing_text(transcript)
    second = second_engine_text(transcript)
    second_again = other_rehearing_text(transcript)
    return heard_twice(
        number,
        hearing_of(first),
        every_digit_in(rehearing) if rehearing else None,
        hearing_of(find_callback(tokenize(second), region)) if second else None,
        every_digit_in(second_again) if second_again else None,
    )


def triage_reasons(
    triage: Triage,
    review: ReviewSettings,
    number_confidence: float | None = None,
    general_by_decision: bool = False,
) -> list[str]:
    reasons: list[str] = []
    if triage.callback_number_partial and not triage.callback_number:
        reasons.append(Reason.PARTIAL_CALLBACK_NUMBER)
    elif not triage.callback_number and review.flag_missing_callback:
        reasons.append(Reason.NO_CALLBACK_NUMBER)
    if (
        triage.callback_number
        and number_confidence is not None
        and number_confidence < review.min_number_confidence
    ):
        reasons.append(Reason.CALLBACK_NUMBER_UNCONFIRMED)
    if triage.intent == "general" and not general_by_decision:
        reasons.append(Reason.INTENT_UNDECIDED)
    return reasons


def merged(*groups: Sequence[str]) -> list[str]:
    """Reasons in first-seen order, each once (a redelivered stage adds nothing twice)."""
    return list(dict.fromkeys(reason for group in groups for reason in group))


def _doubts(
    transcript: Transcript,
    number: str,
    found: CallbackNumber,
    region: str,
    with_words: Callable[[], Transcript] | None,
    agreement_confirms: bool = True,
) -> tuple[float | None, bool]:
    """The confidence a number not heard twice was heard with, and whether its hearings
    doubt it outright. Without ``agreement_confirms`` (a number the engines mishear
    alike), another engine's agreement leaves the number to its confidence."""
    if found.e164 != number:
        # Taken from a second hearing alone (the engine's, or another engine's), made of
        # two partial hearings together, or guessed from the words a telephone line made
        # of its digits: to be confirmed. (Otherwise, with no second hearing, it is a reply
        # provider's reading of the text, judged as before: not doubted.)
        seconds = (
            rehearing_text(transcript),
            second_engine_text(transcript),
            other_rehearing_text(transcript),
        )
        guess = guess_over_the_band(tokenize(transcript.text), region)
        guessed = guess is not None and guess.e164 == number
        return None, guessed or any(second is not None for second in seconds)
    # Where another engine (another model, with mistakes of its own) heard every digit
    # alike, that confirms the number better than either's confidence in its words.
    agreed = _engines_agree(transcript, found, region)
    if agreed and agreement_confirms:
        return None, False
    # Another engine that heard the recording and not this number doubts it, however sure
    # the first engine was of its words.
    heard_otherwise = not agreed and second_engine_text(transcript) is not None
    if not transcript.words and with_words is not None:
        transcript = with_words()
    confidence = heard_confidence(transcript, found)
    return confidence, found.disputed or found.guessed or heard_otherwise


def triage_review(
    transcript: Transcript,
    triage: Triage,
    review: ReviewSettings,
    region: str,
    with_words: Callable[[], Transcript] | None = None,
) -> list[str]:
    """The triage's reasons, judging the callback number by its hearings (confirmed where
    they heard each digit twice) and the confidence of the words it was heard in.
    ``with_words`` gives the transcript with its words where ``transcript`` has none (the
    reply stage reads them from storage only when a number needs them)."""
    confidence = None
    doubtful = False
    number = triage.callback_number
    tokens = tokenize(transcript.text)
    if number:
        found = find_callback(tokens, region)
        # Hearings that agree confirm a number only where their mistakes are their own.
        spans = found.heard_at or ((found.start, found.end),)
        alike_mistake = may_hide_a_triple(g for s, e in spans for g in tokens.raw[s:e])
        if alike_mistake or not _every_digit_heard_twice(transcript, found, number, region):
            confidence, doubtful = _doubts(
                transcript, number, found, region, with_words, not alike_mistake
            )
    # A seller's pitch, a recorded announcement or news passed on is general by decision,
    # whoever triaged it: it asks nothing of the business, and a person need not check its
    # topic.
    decided = triage.intent == "general" and (asks_nothing(tokens.low) or only_informs(tokens.low))
    reasons = triage_reasons(triage, review, confidence, general_by_decision=decided)
    if doubtful and Reason.CALLBACK_NUMBER_UNCONFIRMED not in reasons:
        reasons.append(Reason.CALLBACK_NUMBER_UNCONFIRMED)
    if describes_emergency(tokens.low):
        reasons.insert(0, Reason.EMERGENCY)
    return reasons
