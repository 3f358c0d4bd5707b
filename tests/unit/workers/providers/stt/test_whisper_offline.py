"""Offline Whisper (faster-whisper) transcribing: its word error rate on a spoken sentence,
the words, times and confidences it gives, digital silence, languages it refuses, and the
language it tells a recording is in."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import decode_pcm16k
from shared.errors import StageFailed
from shared.models import Transcript
from shared.settings.review import ReviewSettings
from shared.wer import word_error_rate
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input
from tests.unit.workers.providers.stt.whisper_offline_fixtures import (
    SENTENCE,
    spoken,
    stt,
    transcript,
)
from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.review import Reason, transcript_reasons

__all__ = ["spoken", "stt", "transcript"]  # the fixtures, from whisper_offline_fixtures


def test_speech_synthesised_by_piper_transcribes_within_wer_010(transcript: Transcript) -> None:
    wer = word_error_rate(SENTENCE, transcript.text)
    print(f"\npiper -> whisper base WER {wer:.3f}: {transcript.text!r}")
    assert wer <= 0.10


def test_transcript_names_the_local_provider_and_the_engine(
    transcript: Transcript, spoken: npt.NDArray[np.int16]
) -> None:
    assert transcript.provider == "local"
    assert transcript.language == "en"
    assert transcript.duration_s == pytest.approx(len(spoken) / RATE)
    assert transcript.details["engine"] == "faster-whisper"
    assert transcript.details["model"] == "whisper-base"


def test_words_carry_times_within_the_audio_and_the_engines_confidence(
    transcript: Transcript,
) -> None:
    words = transcript.words
    assert len(words) >= 20
    for word in words:
        assert word.start_s is not None
        assert word.end_s is not None
        assert 0 <= word.start_s <= word.end_s <= (transcript.duration_s or 0) + 0.01
        assert word.confidence is not None
        assert 0.0 <= word.confidence <= 1.0
    for earlier, later in pairwise(words):
        assert (earlier.start_s or 0.0) <= (later.start_s or 0.0)


def test_words_are_the_texts_own_with_its_punctuation(transcript: Transcript) -> None:
    assert any(mark in transcript.text for mark in ".,?")
    assert " ".join(word.word for word in transcript.words) == transcript.text


def test_a_phone_number_written_with_hyphens_is_one_word(transcript: Transcript) -> None:
    (number,) = [word for word in transcript.words if word.word.startswith("415")]
    assert number.word.rstrip(".") == "415-867-2291"
    assert (number.end_s or 0.0) - (number.start_s or 0.0) > 1.0


def test_digital_silence_is_not_decoded_at_all(
    stt: WhisperOfflineStt,
) -> None:
    result = stt.transcribe(as_input(np.zeros(3 * RATE, dtype=np.int16)))
    assert result.text == ""
    assert result.words == []
    assert result.details["voiced_s"] is None


@pytest.mark.parametrize("language", ["fr", "de-DE", "zh"])
def test_non_english_language_fails_with_unsupported_language(
    stt: WhisperOfflineStt, language: str
) -> None:
    with pytest.raises(StageFailed) as failure:
        stt.transcribe(as_input(np.zeros(RATE, dtype=np.int16), language))
    assert failure.value.code == "unsupported_language"
    assert language in failure.value.message


# A voicemail in Spanish as a telephone system delivers it (8 kHz mp3), spoken by espeak-ng's
# Spanish voice ("Buenas tardes, soy Lucía Fernández. Quería pedir una cita ...").
SPANISH = Path(__file__).with_name("voicemail_in_spanish.mp3")


def test_a_voicemail_in_another_language_is_heard_as_that_language(
    stt: WhisperOfflineStt,
) -> None:
    transcript = stt.transcribe(as_input(decode_pcm16k(SPANISH.read_bytes())))
    heard = transcript.details["heard_language"]
    assert heard["language"] == "es"
    assert heard["english"] < ReviewSettings().min_english
    assert Reason.OTHER_LANGUAGE in transcript_reasons(transcript, ReviewSettings())


def test_english_is_heard_as_english(transcript: Transcript) -> None:
    heard = transcript.details["heard_language"]
    assert (heard["language"], heard["english"] == heard["probability"]) == ("en", True)
    assert Reason.OTHER_LANGUAGE not in transcript_reasons(transcript, ReviewSettings())


def test_the_language_is_told_from_the_first_windows_encoding_without_encoding_again(
    stt: WhisperOfflineStt, spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    from faster_whisper import WhisperModel

    encoded: list[object] = []
    real = WhisperModel.encode

    def counting(self: object, features: object) -> object:
        encoded.append(features)
        return real(self, features)

    monkeypatch.setattr(WhisperModel, "encode", counting)
    transcript = stt.transcribe(as_input(spoken))
    # One window of speech, encoded once: to decode it and to tell its language (neither a
    # rehearing of its number nor the other engine's hearing encodes with Whisper here).
    assert len(encoded) == 1
    assert transcript.details["heard_language"]["language"] == "en"
