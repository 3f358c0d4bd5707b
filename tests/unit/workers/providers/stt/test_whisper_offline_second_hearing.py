"""Offline Whisper and what it hears again: noise not made into sentences, a callback number
heard again alone, Moonshine as the other engine (asked, in a thread, when it cannot load or is
switched off), and a caller name weighed against the names it sounds like."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import decode_pcm16k
from shared.errors import StageFailed
from shared.models import Transcript
from shared.settings import LocalEngineSettings
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input, speak
from tests.unit.workers.providers.stt.whisper_offline_fixtures import spoken, stt, transcript
from workers.providers.base import AudioInput
from workers.providers.stt import moonshine_offline
from workers.providers.stt.moonshine_offline import MoonshineOfflineStt
from workers.providers.stt.whisper_offline import WhisperOfflineStt

__all__ = ["spoken", "stt", "transcript"]  # the fixtures, from whisper_offline_fixtures


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
