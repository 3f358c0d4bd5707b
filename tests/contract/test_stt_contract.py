"""What every transcription provider must do, whoever is behind it."""

from __future__ import annotations

import numpy as np

from shared.audio import decode_pcm16k
from shared.models import Transcript
from shared.wer import word_error_rate
from workers.providers.base import AudioInput, SttProvider


def _input(data: bytes) -> AudioInput:
    return AudioInput(
        data=data, media_type="audio/wav", extension="wav", pcm16k=decode_pcm16k(data)
    )


def test_provider_transcribes_clear_speech_into_a_transcript_of_its_own_name(
    stt: SttProvider, spoken: tuple[str, bytes]
) -> None:
    text, data = spoken

    transcript = stt.transcribe(_input(data))

    assert isinstance(transcript, Transcript)
    assert transcript.provider == stt.name
    assert word_error_rate(text, transcript.text) <= 0.35


def test_provider_returns_no_words_for_silence(stt: SttProvider) -> None:
    silence = np.zeros(16000, dtype=np.int16)
    audio = AudioInput(data=b"", media_type="audio/wav", extension="wav", pcm16k=silence)

    assert stt.transcribe(audio).text.strip() == ""


def test_word_timings_when_given_are_ordered_and_within_the_audio(
    stt: SttProvider, spoken: tuple[str, bytes]
) -> None:
    audio = _input(spoken[1])
    length_s = len(audio.pcm16k) / 16000

    words = stt.transcribe(audio).words

    starts = [w.start_s for w in words if w.start_s is not None]
    assert starts == sorted(starts)
    assert all(0 <= s <= length_s for s in starts)
