"""Whisper API: the multipart request sent (key, model, language, response format) and the
transcript read back from it (timed words, segments, segments dropped as invented over
silence)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.wer import word_error_rate
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import Fault
from tests.unit.workers.providers.stt.whisper_api_helpers import (
    PATH,
    SENTENCE,
    form_fields,
    settings_for,
)
from workers.providers.base import AudioInput
from workers.providers.stt.whisper import WhisperStt


def test_request_is_multipart_with_bearer_key_file_model_and_word_timestamps(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    WhisperStt(settings_for(fake, prompt="Names: Dana")).transcribe(spoken)

    (request,) = fake.calls(PATH)
    assert request.method == "POST"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    fields = form_fields(request)
    assert fields["file"] == [("audio.wav", spoken.data)]
    assert fields["model"] == [(None, b"whisper-1")]
    assert fields["response_format"] == [(None, b"verbose_json")]
    assert fields["timestamp_granularities[]"] == [(None, b"word"), (None, b"segment")]
    assert fields["prompt"] == [(None, b"Names: Dana")]
    assert "language" not in fields


@pytest.mark.parametrize(
    ("job", "configured", "sent"),
    [("en-GB", "de", b"en"), (None, "fr", b"fr"), ("pt_BR", None, b"pt")],
)
def test_the_job_language_else_the_settings_one_is_sent_as_iso_639_1(
    fake: OpenAIFake, spoken: AudioInput, job: str | None, configured: str | None, sent: bytes
) -> None:
    audio = AudioInput(spoken.data, spoken.media_type, "wav", spoken.pcm16k, language=job)
    transcript = WhisperStt(settings_for(fake, language=configured)).transcribe(audio)

    assert form_fields(fake.calls(PATH)[0])["language"] == [(None, sent)]
    assert transcript.language == sent.decode()


def test_gpt_4o_transcribe_asks_for_json_and_gets_text_without_words(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    transcript = WhisperStt(settings_for(fake, stt_model="gpt-4o-transcribe")).transcribe(spoken)

    fields = form_fields(fake.calls(PATH)[0])
    assert fields["response_format"] == [(None, b"json")]
    assert "timestamp_granularities[]" not in fields
    assert transcript.text == "call me back"
    assert transcript.words == []
    assert transcript.details["model"] == "gpt-4o-transcribe"


def test_speech_comes_back_transcribed_with_timed_words(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.transcript_text = None  # the fake decodes the upload with pocketsphinx
    transcript = WhisperStt(settings_for(fake)).transcribe(spoken)

    assert transcript.provider == "whisper"
    assert word_error_rate(SENTENCE, transcript.text) <= 0.35
    assert transcript.language == "en"  # "english" in verbose_json, mapped to its code
    assert transcript.details["engine"] == "whisper"
    assert transcript.details["model"] == "whisper-1"
    assert transcript.words, "verbose_json words were dropped"
    for word in transcript.words:
        assert word.start_s is not None
        assert word.end_s is not None
        assert 0 <= word.start_s < word.end_s <= (transcript.duration_s or 0) + 0.1


def test_chosen_words_keep_their_times_and_segments_land_in_details(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.transcript_text = "hello this is dana"
    transcript = WhisperStt(settings_for(fake)).transcribe(spoken)

    assert transcript.text == "hello this is dana"
    assert [w.word for w in transcript.words] == ["hello", "this", "is", "dana"]
    starts = [w.start_s or 0.0 for w in transcript.words]
    assert starts == sorted(starts)
    (segment,) = transcript.details["segments"]
    assert segment["text"] == "hello this is dana"
    assert segment["start_s"] == transcript.words[0].start_s


def test_words_whisper_invents_over_hold_music_are_dropped_and_counted_in_details(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.invented_text = "Thank you for watching."
    transcript = WhisperStt(settings_for(fake)).transcribe(spoken)

    assert transcript.text == "call me back"
    assert [w.word for w in transcript.words] == ["call", "me", "back"]
    assert [s["text"] for s in transcript.details["segments"]] == ["call me back"]
    dropped = transcript.details["silence_dropped"]
    assert dropped["segments"] == 1
    # The fake spreads the seven words evenly: the invented four take 4/7 of the audio.
    duration = transcript.duration_s or 0.0
    assert dropped["seconds"] == pytest.approx(duration * 4 / 7, abs=0.05)


def verbose_body(*segments: dict[str, Any]) -> bytes:
    """A verbose_json answer of these segments (their words, one a segment, with them)."""
    full = [{"id": i, "start": float(i), "end": i + 1.0, **s} for i, s in enumerate(segments)]
    words = [{"word": s["text"], "start": s["start"], "end": s["end"]} for s in full]
    text = " ".join(s["text"] for s in full)
    body = {"task": "transcribe", "language": "english", "duration": len(full), "text": text}
    return json.dumps(body | {"segments": full, "words": words}).encode()


@pytest.mark.parametrize(
    ("scores", "kept"),
    [
        ({"no_speech_prob": 0.87, "avg_logprob": -1.21}, False),
        ({"no_speech_prob": 0.87, "avg_logprob": -0.4}, True),  # sure of its words
        ({"no_speech_prob": 0.3, "avg_logprob": -1.5}, True),  # speech, badly heard
        ({}, True),  # a compatible server that gives no scores
        ({"no_speech_prob": 0.87}, True),
    ],
    ids=["silent", "confident", "speech", "no-scores", "half-scores"],
)
def test_a_segment_is_dropped_only_when_whisper_finds_no_speech_and_doubts_its_words(
    fake: OpenAIFake, spoken: AudioInput, scores: dict[str, float], kept: bool
) -> None:
    body = verbose_body({"text": "call me back"}, {"text": "Thanks for watching.", **scores})
    fake.fail_next(Fault(status=200, body=body))
    transcript = WhisperStt(settings_for(fake)).transcribe(spoken)

    heard = ["call", "me", "back"] + (["Thanks", "for", "watching."] if kept else [])
    assert transcript.text.split() == heard
    assert " ".join(w.word for w in transcript.words).split() == heard
    assert ("silence_dropped" not in transcript.details) is kept
