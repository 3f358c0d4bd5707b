from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import decode_pcm16k
from shared.errors import StageFailed
from shared.models import Transcript
from shared.settings.review import ReviewSettings
from shared.wer import word_error_rate
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input, speak
from workers.providers.stt import moonshine_offline
from workers.providers.stt.moonshine_offline import MoonshineOfflineStt, detokenize, read_tokens
from workers.review import Reason, transcript_reasons

SENTENCE = (
    "Hello, this is John. I would like to change my appointment to next Friday afternoon. "
    "Please call me back at four one five, eight six seven, two two nine one."
)


@pytest.fixture(scope="module")
def stt() -> MoonshineOfflineStt:
    provider = MoonshineOfflineStt()
    provider.load()
    return provider


@pytest.fixture(scope="module")
def spoken() -> npt.NDArray[np.int16]:
    return speak(SENTENCE)


@pytest.fixture(scope="module")
def transcript(stt: MoonshineOfflineStt, spoken: npt.NDArray[np.int16]) -> Transcript:
    return stt.transcribe(as_input(spoken))


def test_tokenizer_lengths_of_one_byte_and_of_two_seven_bit_groups_are_read() -> None:
    long = b"x" * 300
    data = bytes([3]) + b"<s>" + bytes([4]) + "\u2581hi".encode()[:4] + bytes([0xAC, 0x02]) + long
    assert read_tokens(data) == [b"<s>", "\u2581hi".encode()[:4], long]


def test_detokenized_text_has_spaces_for_word_marks_and_no_leading_space() -> None:
    tokens = [b"<unk>", "\u2581Call".encode(), b"ed", "\u2581me".encode()]
    assert detokenize(tokens, [1, 2, 3]) == "Called me"


def test_speech_synthesised_by_piper_transcribes_within_wer_015(transcript: Transcript) -> None:
    wer = word_error_rate(SENTENCE, transcript.text)
    print(f"\npiper -> moonshine base WER {wer:.3f}: {transcript.text!r}")
    assert wer <= 0.15


def test_transcript_names_the_engine_and_gives_no_word_times(transcript: Transcript) -> None:
    assert transcript.provider == "moonshine"
    assert transcript.details["engine"] == "moonshine"
    assert transcript.details["model"] == moonshine_offline.MODEL_NAME
    assert transcript.words == []


def test_quiet_speech_is_still_heard(
    stt: MoonshineOfflineStt, spoken: npt.NDArray[np.int16]
) -> None:
    # 30 dB down: without the loudness step and the barred first end token, Moonshine
    # wrote nothing for a third of the voicemail set.
    quiet = (spoken.astype(np.float32) * 0.03).astype(np.int16)
    assert word_error_rate(SENTENCE, stt.transcribe(as_input(quiet)).text) <= 0.25


def test_audio_longer_than_a_window_is_heard_in_stretches_cut_at_pauses(
    stt: MoonshineOfflineStt, spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    pause = np.zeros(RATE, dtype=np.int16)
    twice = np.concatenate([spoken, pause, spoken])
    monkeypatch.setattr(moonshine_offline, "MAX_WINDOW_S", len(spoken) / RATE + 0.5)
    text = stt.transcribe(as_input(twice)).text
    assert word_error_rate(f"{SENTENCE} {SENTENCE}", text) <= 0.15


def test_silence_gives_an_empty_transcript(stt: MoonshineOfflineStt) -> None:
    assert stt.transcribe(as_input(np.zeros(2 * RATE, dtype=np.int16))).text == ""


@pytest.mark.parametrize("level", [300, 3000])
def test_noise_is_not_turned_into_words(stt: MoonshineOfflineStt, level: int) -> None:
    noise = np.random.default_rng(1).normal(0, level, 20 * RATE)
    result = stt.transcribe(as_input(np.clip(noise, -32768, 32767).astype(np.int16)))
    assert result.text == ""


def test_a_language_other_than_english_is_refused(
    stt: MoonshineOfflineStt, spoken: npt.NDArray[np.int16]
) -> None:
    with pytest.raises(StageFailed) as caught:
        stt.transcribe(as_input(spoken, language="de"))
    assert caught.value.code == "unsupported_language"


def test_model_files_other_than_the_measured_ones_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = dict(moonshine_offline.MODEL_SHA256, **{"tokenizer.bin": "0" * 64})
    monkeypatch.setattr(moonshine_offline, "MODEL_SHA256", changed)
    with pytest.raises(StageFailed) as caught:
        moonshine_offline.model_dir()
    assert caught.value.code == "provider_not_installed"
    assert "moonshine-cpp==0.1.4" in caught.value.message


# espeak-ng's Spanish voice over an 8 kHz mp3 (see test_whisper_offline.py).
SPANISH = Path(__file__).with_name("voicemail_in_spanish.mp3")


def test_spanish_written_as_english_nonsense_is_flagged_low_confidence(
    stt: MoonshineOfflineStt, transcript: Transcript
) -> None:
    spanish = stt.transcribe(as_input(decode_pcm16k(SPANISH.read_bytes())))

    assert spanish.text, "Moonshine writes English words for it"
    assert Reason.LOW_CONFIDENCE in transcript_reasons(spanish, ReviewSettings())
    assert Reason.LOW_CONFIDENCE not in transcript_reasons(transcript, ReviewSettings())
