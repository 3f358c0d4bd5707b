from __future__ import annotations

import hashlib
import threading
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import decode_pcm16k
from shared.errors import StageFailed
from shared.models import Transcript
from shared.settings import LocalEngineSettings
from shared.settings.review import ReviewSettings
from shared.wer import word_error_rate
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input, speak
from workers.providers.base import AudioInput
from workers.providers.stt import moonshine_offline, whisper_model_files
from workers.providers.stt.moonshine_offline import MoonshineOfflineStt
from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.review import Reason, transcript_reasons

SENTENCE = (
    "Hello, this is John. I would like to change my appointment to next Friday afternoon. "
    "Please call me back at four one five, eight six seven, two two nine one."
)


@pytest.fixture(scope="module")
def stt() -> WhisperOfflineStt:
    provider = WhisperOfflineStt()
    provider.load()
    return provider


@pytest.fixture(scope="module")
def spoken() -> npt.NDArray[np.int16]:
    return speak(SENTENCE)


@pytest.fixture(scope="module")
def transcript(stt: WhisperOfflineStt, spoken: npt.NDArray[np.int16]) -> Transcript:
    return stt.transcribe(as_input(spoken))


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


def test_model_files_come_from_the_installed_wheels_with_the_measured_weights() -> None:
    files = whisper_model_files.model_files()
    assert set(files) == {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin"}
    # The tokenizer must be among them: without it faster-whisper would download one.
    assert isinstance(files["tokenizer.json"], bytes)
    assert files["tokenizer.json"].startswith(b"{")


def test_the_weights_are_read_as_one_stream_of_both_parts_in_order() -> None:
    stream = whisper_model_files.model_files()["model.bin"]
    assert not isinstance(stream, bytes)
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(3_000_001):  # chunks that straddle the parts' boundary
            digest.update(chunk)
    assert digest.hexdigest() == whisper_model_files.WEIGHTS_SHA256


def test_weights_other_than_the_measured_ones_refuse_to_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(whisper_model_files, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(StageFailed) as failure:
        whisper_model_files.model_files()
    assert failure.value.code == "provider_not_installed"
    assert "sha256" in failure.value.message


def test_a_prompt_from_the_settings_reaches_the_engine(
    spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = WhisperOfflineStt(LocalEngineSettings(whisper_prompt="Acme Plumbing voicemail."))
    seen: dict[str, object] = {}
    model = engine._loaded()
    real = model.transcribe

    def spy(audio: object, **options: object) -> object:
        seen.update(options)
        return real(audio, **options)

    monkeypatch.setattr(model, "transcribe", spy)
    engine.transcribe(as_input(spoken[: 2 * RATE]))
    assert seen["initial_prompt"] == "Acme Plumbing voicemail."
    assert seen["beam_size"] == 5


@pytest.mark.parametrize(
    ("name", "level"),
    [("white-noise", 3000.0), ("faint-hiss", 300.0)],
)
def test_noise_is_not_turned_into_invented_sentences(
    stt: WhisperOfflineStt, name: str, level: float
) -> None:
    # Whisper answers noise with fluent loops ("I'm sorry, I'm sorry, ..."); they are dropped.
    noise = np.random.default_rng(1).normal(0, level, 20 * RATE)
    result = stt.transcribe(as_input(np.clip(noise, -32768, 32767).astype(np.int16)))
    assert result.text == "", name
    assert result.words == []


def test_a_whole_number_is_not_reheard_alone_but_the_other_engine_confirms_it(
    transcript: Transcript,
) -> None:
    assert "callback_rehearing" not in transcript.details
    second = transcript.details["second_engine"]
    assert "415" in second["text"] or "four one five" in second["text"].lower()


def test_when_moonshine_hears_only_numbers_in_doubt_a_sure_whole_number_is_heard_once(
    spoken: npt.NDArray[np.int16],
) -> None:
    engine = WhisperOfflineStt(LocalEngineSettings(second_engine_hears="numbers_in_doubt"))
    result = engine.transcribe(as_input(spoken))
    assert "415-867-2291" in result.text, result.text
    assert "second_engine" not in result.details


def test_a_number_heard_only_in_part_is_heard_again_alone(stt: WhisperOfflineStt) -> None:
    said = "Hi, this is Maria. Please call me back at four one five, eight six seven. Bye."
    pcm = speak(said)
    result = stt.transcribe(as_input(pcm))
    assert "415-867" in result.text or "415 867" in result.text, result.text
    rehearing = result.details["callback_rehearing"]
    (first_digits,) = [w for w in result.words if w.word.startswith("415")]
    # From just before the number to the end of the recording, in the recording's seconds.
    assert rehearing["start_s"] == pytest.approx((first_digits.start_s or 0.0) - 0.3, abs=0.01)
    assert rehearing["end_s"] == pytest.approx(len(pcm) / RATE, abs=0.01)
    assert "415" in rehearing["text"]
    assert "Maria" not in rehearing["text"]
    # And the other engine heard the whole recording, and the number's stretch alone.
    second = result.details["second_engine"]
    assert second["engine"] == "moonshine"
    assert "Maria" in second["text"]
    assert "415" in second["text"] or "four one five" in second["text"].lower()
    again = result.details["callback_rehearing_second_engine"]
    assert again["engine"] == "moonshine"
    assert "415" in again["text"] or "four one five" in again["text"].lower()
    assert "Maria" not in again["text"]


def test_a_message_without_digits_is_heard_by_the_other_engine_too(
    stt: WhisperOfflineStt,
) -> None:
    said = "Hi, this is Maria. Please call me back when you can. Bye."
    second = stt.transcribe(as_input(speak(said))).details["second_engine"]
    assert "Maria" in second["text"]


def test_when_moonshine_hears_every_number_a_message_without_digits_is_heard_once(
    spoken: npt.NDArray[np.int16],
) -> None:
    engine = WhisperOfflineStt(LocalEngineSettings(second_engine_hears="every_number"))
    said = "Hi, this is Maria. Please call me back when you can. Bye."
    assert "second_engine" not in engine.transcribe(as_input(speak(said))).details
    assert "second_engine" in engine.transcribe(as_input(spoken)).details


def test_an_other_engine_that_cannot_load_leaves_the_transcript_as_whisper_heard_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise StageFailed("provider_not_installed", "the offline Moonshine model is not installed")

    monkeypatch.setattr(moonshine_offline, "model_dir", broken)
    said = "Hi, this is Maria. Please call me back at four one five, eight six seven. Bye."
    pcm = speak(said)
    result = WhisperOfflineStt().transcribe(as_input(pcm))
    assert "415" in result.text
    assert "second_engine" not in result.details
    assert "callback_rehearing_second_engine" not in result.details
    assert "callback_rehearing" in result.details
    assert "provider_not_installed" in caplog.text


def test_the_other_engine_hears_every_recording_in_a_thread_of_its_own(
    stt: WhisperOfflineStt, spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    hear = MoonshineOfflineStt.transcribe

    def recorded(self: MoonshineOfflineStt, audio: AudioInput) -> Transcript:
        threads.append(threading.current_thread().name)
        return hear(self, audio)

    monkeypatch.setattr(MoonshineOfflineStt, "transcribe", recorded)
    result = stt.transcribe(as_input(spoken))
    assert len(threads) == 1
    assert threads[0] != threading.current_thread().name
    assert "415" in str(result.details["second_engine"]["text"])


def _moonshine_hears(text: str, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Moonshine writes ``text`` for whatever it hears; the seconds of each hearing."""
    heard: list[float] = []

    def hearing(self: MoonshineOfflineStt, audio: AudioInput) -> Transcript:
        heard.append(len(audio.pcm16k) / RATE)
        return Transcript(text=text, provider="moonshine")

    monkeypatch.setattr(MoonshineOfflineStt, "transcribe", hearing)
    return heard


def test_a_number_the_other_engine_heard_otherwise_is_heard_again_alone_by_both(
    spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = _moonshine_hears("Please call me back at 415-867-2281.", monkeypatch)
    result = WhisperOfflineStt().transcribe(as_input(spoken))
    assert "415-867-2291" in result.text, result.text
    rehearing = result.details["callback_rehearing"]
    assert "Friday" not in rehearing["text"]
    assert "867" in rehearing["text"], rehearing
    assert result.details["callback_rehearing_second_engine"]["engine"] == "moonshine"
    # Moonshine heard the whole recording, then the number's stretch alone.
    assert len(heard) == 2
    assert heard[1] == pytest.approx(rehearing["end_s"] - rehearing["start_s"], abs=0.01)


def test_a_number_the_other_engine_missed_a_digit_of_is_heard_again_by_it_alone(
    spoken: npt.NDArray[np.int16], monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = _moonshine_hears("Please call me back at 415-867-291.", monkeypatch)
    result = WhisperOfflineStt().transcribe(as_input(spoken))
    assert "415-867-2291" in result.text, result.text
    assert "callback_rehearing" not in result.details  # Whisper's own number is whole
    assert result.details["callback_rehearing_second_engine"]["engine"] == "moonshine"
    assert len(heard) == 2
    assert heard[1] < heard[0]


def test_the_other_engine_is_not_asked_when_switched_off() -> None:
    said = "Hi, this is Maria. Please call me back at four one five, eight six seven. Bye."
    pcm = speak(said)
    alone = WhisperOfflineStt(LocalEngineSettings(second_engine=False))
    result = alone.transcribe(as_input(pcm))
    assert "callback_rehearing" in result.details
    assert "second_engine" not in result.details
    assert "callback_rehearing_second_engine" not in result.details


# vm30 of the voicemail set (committed beside make quality): "Hi, this is Ahmed Siddiqui",
# said by a noisy telephone voice, which Whisper alone writes as "Atmet Siddiqui".
NAME_MISHEARD = Path(__file__).parents[4] / "quality" / "audio" / "vm30.wav"


def test_a_caller_name_heard_as_no_known_name_is_weighed_against_the_names_it_sounds_like() -> None:
    pcm = decode_pcm16k(NAME_MISHEARD.read_bytes())
    engine = WhisperOfflineStt(LocalEngineSettings(second_engine=False))
    result = engine.transcribe(as_input(pcm))
    assert result.text.startswith("Hi, this is Ahmed Siddiqui")
    assert " ".join(w.word for w in result.words) == result.text
    [change] = result.details["caller_name_rescored"]
    assert change["heard_name"] == "Atmet"
    assert change["written_name"] == "Ahmed"

    as_heard = WhisperOfflineStt(
        LocalEngineSettings(second_engine=False, rescore_caller_name=False)
    ).transcribe(as_input(pcm))
    assert as_heard.text.startswith("Hi, this is Atmet Siddiqui")
    assert "caller_name_rescored" not in as_heard.details


def test_a_name_the_other_engine_heard_as_a_known_one_is_not_weighed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = "Hi, this is Ahmed Siddiqui, about my account."

    def moonshine_hears(_: MoonshineOfflineStt, audio: object) -> Transcript:
        return Transcript(text=said, provider="moonshine")

    monkeypatch.setattr(MoonshineOfflineStt, "transcribe", moonshine_hears)
    result = WhisperOfflineStt().transcribe(as_input(decode_pcm16k(NAME_MISHEARD.read_bytes())))
    # The triage takes Moonshine's Ahmed (shared.language.name_hearings); Whisper's text stays.
    assert result.text.startswith("Hi, this is Atmet Siddiqui")
    assert "caller_name_rescored" not in result.details
    assert result.details["second_engine"] == {"engine": "moonshine", "text": said}


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
