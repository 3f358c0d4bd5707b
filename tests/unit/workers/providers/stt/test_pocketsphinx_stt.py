from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pytest

from shared.errors import StageFailed
from shared.models import Transcript
from shared.wer import word_error_rate
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input, speak
from workers.providers.stt import pocketsphinx_stt as local
from workers.providers.stt.offline import is_english
from workers.providers.stt.pocketsphinx_stt import PocketsphinxStt, utterance_bounds

SENTENCE = (
    "Hello, this is John. I would like to change my appointment to next Friday afternoon. "
    "Please call me back tomorrow morning."
)


@pytest.fixture(scope="module")
def stt() -> PocketsphinxStt:
    provider = PocketsphinxStt()
    provider.load()
    return provider


@pytest.fixture(scope="module")
def spoken() -> npt.NDArray[np.int16]:
    return speak(SENTENCE)


@pytest.fixture(scope="module")
def transcript(stt: PocketsphinxStt, spoken: npt.NDArray[np.int16]) -> Transcript:
    return stt.transcribe(as_input(spoken))


def test_speech_synthesised_by_piper_transcribes_within_wer_035(transcript: Transcript) -> None:
    wer = word_error_rate(SENTENCE, transcript.text)
    print(f"\npiper -> pocketsphinx WER {wer:.3f}: {transcript.text!r}")
    assert wer <= 0.35


def test_transcript_reports_english_provider_and_duration(
    transcript: Transcript, spoken: npt.NDArray[np.int16]
) -> None:
    assert transcript.language == "en"
    assert transcript.provider == "pocketsphinx"
    assert transcript.duration_s == pytest.approx(len(spoken) / RATE)


def test_words_have_increasing_timestamps_within_the_audio(transcript: Transcript) -> None:
    words = transcript.words
    assert [w.word for w in words] == transcript.text.split()
    for word in words:
        assert word.start_s is not None
        assert word.end_s is not None
        assert 0 <= word.start_s < word.end_s <= (transcript.duration_s or 0) + 0.01
        assert word.confidence is not None
        assert 0.0 <= word.confidence <= 1.0
    starts = [w.start_s or 0.0 for w in words]
    assert starts == sorted(starts)
    for earlier, later in pairwise(words):
        assert earlier.end_s is not None
        assert later.start_s is not None
        assert earlier.end_s <= later.start_s


def test_words_are_clean_dictionary_words(transcript: Transcript) -> None:
    for word in transcript.words:
        assert word.word.replace("'", "").isalpha(), word.word


@pytest.mark.parametrize(
    "pcm",
    [
        pytest.param(np.zeros(0, dtype=np.int16), id="empty"),
        pytest.param(np.zeros(10, dtype=np.int16), id="ten-samples"),
        # Pure digital silence makes the model hallucinate a word if decoded.
        pytest.param(np.zeros(2 * RATE, dtype=np.int16), id="digital-silence"),
        pytest.param(
            np.random.default_rng(3).normal(0, 3, 2 * RATE).astype(np.int16), id="faint-hiss"
        ),
    ],
)
def test_silent_audio_gives_empty_or_near_empty_text(
    stt: PocketsphinxStt, pcm: npt.NDArray[np.int16]
) -> None:
    result = stt.transcribe(as_input(pcm))
    assert len(result.text.split()) <= 1
    assert len(result.words) <= 1
    assert result.duration_s == pytest.approx(len(pcm) / RATE)


def test_digital_silence_gives_exactly_empty_text(stt: PocketsphinxStt) -> None:
    result = stt.transcribe(as_input(np.zeros(3 * RATE, dtype=np.int16)))
    assert result.text == ""
    assert result.words == []


@pytest.mark.parametrize("language", ["fr", "de-DE", "es_ES", "zh"])
def test_non_english_language_fails_with_unsupported_language(
    stt: PocketsphinxStt, language: str
) -> None:
    with pytest.raises(StageFailed) as failure:
        stt.transcribe(as_input(np.zeros(RATE, dtype=np.int16), language))
    assert failure.value.code == "unsupported_language"
    assert language in failure.value.message
    assert "English" in failure.value.message
    assert failure.value.retryable is False


@pytest.mark.parametrize("language", [None, "", "en", "EN", "en-US", "en_GB", "eng", "English"])
def test_english_or_unspecified_language_is_accepted(language: str | None) -> None:
    assert is_english(language)


def test_long_audio_is_cut_into_bounded_utterances_at_quiet_moments() -> None:
    rng = np.random.default_rng(5)
    loud = rng.normal(0, 3000, 150 * RATE).astype(np.int16)
    # A pause 55 s in: the first cut belongs there rather than at the 60 s limit.
    loud[55 * RATE : int(55.5 * RATE)] = 0
    bounds = utterance_bounds(loud)

    assert bounds[0][0] == 0
    assert bounds[0][1] == pytest.approx(55.25 * RATE, abs=0.3 * RATE)
    assert bounds[-1][1] == len(loud)
    for (_, end), (start, _) in pairwise(bounds):
        assert end == start
    for start, end in bounds:
        assert 0 < end - start <= local.MAX_UTTERANCE_S * RATE


def test_short_audio_is_one_utterance() -> None:
    assert utterance_bounds(np.zeros(30 * RATE, dtype=np.int16)) == [(0, 30 * RATE)]


def test_timestamps_continue_across_utterances(
    stt: PocketsphinxStt, spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small limit exercises the long-audio path without minutes of decoding.
    monkeypatch.setattr(local, "MAX_UTTERANCE_S", len(spoken) / RATE + 1.0)
    gap = np.zeros(RATE, dtype=np.int16)
    twice = np.concatenate([spoken, gap, spoken])
    assert len(utterance_bounds(twice)) == 2

    result = stt.transcribe(as_input(twice))

    assert word_error_rate(f"{SENTENCE} {SENTENCE}", result.text) <= 0.35
    starts = [w.start_s or 0.0 for w in result.words]
    assert starts == sorted(starts)
    assert starts[-1] > len(spoken) / RATE + 1.0
    assert (result.words[-1].end_s or 0.0) <= len(twice) / RATE + 0.01
