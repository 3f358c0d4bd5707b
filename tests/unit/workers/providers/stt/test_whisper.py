from __future__ import annotations

import email.parser
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from shared.audio import decode_pcm16k
from shared.settings import Settings
from shared.settings.providers import OpenAISettings
from shared.wer import word_error_rate
from tests.audio_factory import encode_samples, tone
from tests.conftest import free_port
from tests.fakes import openai as openai_fake
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import Fault, RecordedRequest
from workers.providers.base import AudioInput
from workers.providers.errors import ProviderError
from workers.providers.stt import whisper
from workers.providers.stt.whisper import WhisperStt
from workers.providers.tts.local import PiperTts

SENTENCE = "Please call me back tomorrow morning about the appointment."
PATH = "/v1/audio/transcriptions"


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIFake]:
    with OpenAIFake() as fake:
        assert isinstance(fake, OpenAIFake)
        yield fake


@pytest.fixture
def fake(server: OpenAIFake) -> OpenAIFake:
    # A chosen transcript skips the offline decode; the round-trip test turns it off.
    server.reset()
    server.transcript_text = "call me back"
    server.invented_text = None
    return server


def settings_for(fake: OpenAIFake, **openai: Any) -> OpenAISettings:
    return Settings(
        openai={"api_key": "sk-test", "base_url": fake.base_url + "/v1", "timeout_s": 30, **openai}
    ).openai


@pytest.fixture(scope="module")
def spoken() -> AudioInput:
    data = PiperTts().synthesize(SENTENCE, None, "wav").data
    return AudioInput(data, "audio/wav", "wav", decode_pcm16k(data))


def form_fields(request: RecordedRequest) -> dict[str, list[tuple[str | None, bytes]]]:
    """name -> [(filename, value)] of a multipart body, read with the standard library."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(head + request.body)
    fields: dict[str, list[tuple[str | None, bytes]]] = {}
    for part in message.walk():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields.setdefault(name, []).append((part.get_filename(), payload))
    return fields


def transcribe_error(settings: OpenAISettings, audio: AudioInput) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        WhisperStt(settings).transcribe(audio)
    return caught.value


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


def test_429_with_retry_after_is_rate_limited_for_that_long(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.error(429, retry_after=7))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable, error.retry_after_s) == ("rate_limited", True, 7.0)
    assert len(fake.calls(PATH)) == 1, "the SDK must not retry on its own"


def test_insufficient_quota_is_spend_limit_reached_and_not_retried(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.error(429, "insufficient_quota"))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable) == ("spend_limit_reached", False)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_provider_unavailable_and_retryable(
    fake: OpenAIFake, spoken: AudioInput, status: int
) -> None:
    fake.fail_next(fake.error(status))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable, error.status) == ("provider_unavailable", True, status)
    assert len(fake.calls(PATH)) == 1


def test_a_server_slower_than_the_client_timeout_is_a_retryable_timeout(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.timeout(delay_s=2.0))
    error = transcribe_error(settings_for(fake, timeout_s=0.3), spoken)

    assert (error.code, error.retryable) == ("timeout", True)


def test_an_unreachable_server_is_a_retryable_connection_error(spoken: AudioInput) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = Settings(openai={"api_key": "sk-test", "base_url": closed}).openai
    error = transcribe_error(settings, spoken)

    assert (error.code, error.retryable) == ("connection_error", True)


def test_an_unknown_model_is_provider_rejected(fake: OpenAIFake, spoken: AudioInput) -> None:
    error = transcribe_error(settings_for(fake, stt_model="whisper-9"), spoken)

    assert (error.code, error.retryable, error.status) == ("provider_rejected", False, 400)
    assert "Invalid model" in error.message


def test_verbose_json_from_a_gpt_4o_model_is_refused_like_the_real_api(
    fake: OpenAIFake, spoken: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper, "wants_verbose", lambda model: True)
    error = transcribe_error(settings_for(fake, stt_model="gpt-4o-mini-transcribe"), spoken)

    assert (error.code, error.status) == ("provider_rejected", 400)


def test_a_wrong_key_is_auth_failed(fake: OpenAIFake, spoken: AudioInput) -> None:
    error = transcribe_error(settings_for(fake, api_key="sk-wrong"), spoken)

    assert (error.code, error.retryable, error.status) == ("auth_failed", False, 401)


@pytest.mark.parametrize(
    "body", [b"<html>gateway</html>", b'{"task": "transcribe"}', b'{"text": 42}'], ids=str
)
def test_an_unreadable_200_is_malformed_response(
    fake: OpenAIFake, spoken: AudioInput, body: bytes
) -> None:
    fake.fail_next(Fault(status=200, body=body))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable) == ("malformed_response", False)


CALLER = "this is Maria Lopez call me at 415 555 0198"


@pytest.mark.parametrize(
    "body",
    [
        # A compatible server's verbose_json without duration or language.
        f'{{"task": "transcribe", "text": "{CALLER}"}}',
        f'{{"text": "{CALLER}", "duration": 3.0, "language": "en", "words": "{CALLER}"}}',
        f"{CALLER}\n",  # plain text where JSON was asked for
    ],
    ids=["missing-fields", "wrong-type", "not-json"],
)
def test_an_unreadable_200_names_what_is_wrong_without_quoting_the_callers_words(
    fake: OpenAIFake, spoken: AudioInput, body: str
) -> None:
    fake.fail_next(Fault(status=200, body=body.encode()))
    error = transcribe_error(settings_for(fake), spoken)

    assert error.code == "malformed_response"
    assert "Maria" not in error.message
    assert "0198" not in error.message
    assert "OpenAI answered a" in error.message


@pytest.fixture(scope="module")
def oversized() -> AudioInput:
    """7 minutes of 16 kHz stereo WAV: just over 25 MB, built without a decode."""
    mono = np.tile(tone(1.0), 7 * 60)  # a repeated second costs no synthesis
    data = encode_samples(np.stack([mono, mono]), "wav", 16_000, channels=2)
    assert len(data) > 25 * 1024 * 1024
    return AudioInput(data=data, media_type="audio/wav", extension="wav", pcm16k=mono)


def test_audio_over_25_mb_is_reencoded_and_accepted(
    fake: OpenAIFake, oversized: AudioInput
) -> None:
    fake.transcript_text = "a long message"
    transcript = WhisperStt(settings_for(fake)).transcribe(oversized)

    ((filename, sent),) = form_fields(fake.calls(PATH)[0])["file"]
    assert filename == "audio.mp3"
    assert len(sent) < whisper.MAX_UPLOAD_BYTES
    assert transcript.text == "a long message"
    assert transcript.details["reencoded"]["original_bytes"] == len(oversized.data)
    assert transcript.details["reencoded"]["format"] == "mp3"
    assert transcript.duration_s == pytest.approx(420, abs=1)


def test_the_fake_answers_413_to_an_upload_over_25_mb(
    fake: OpenAIFake, oversized: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper, "MAX_UPLOAD_BYTES", 10**9)  # send it as it is
    error = transcribe_error(settings_for(fake), oversized)

    assert (error.code, error.status) == ("provider_rejected", 413)


def test_a_file_just_under_the_limit_is_reencoded_as_the_form_around_it_counts_too(
    fake: OpenAIFake, spoken: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The API's limit is on the request body; the file alone fits with 100 bytes to spare.
    limit = len(spoken.data) + 100
    monkeypatch.setattr(whisper, "MAX_UPLOAD_BYTES", limit)
    monkeypatch.setattr(openai_fake, "MAX_UPLOAD_BYTES", limit)

    transcript = WhisperStt(settings_for(fake)).transcribe(spoken)

    (call,) = fake.calls(PATH)
    assert len(call.body) <= limit
    assert form_fields(call)["file"][0][0] == "audio.mp3"
    assert "upload limit" in transcript.details["reencoded"]["reason"]


@pytest.mark.parametrize("case", ["over-limit", "raw-aac", "no-bytes"])
def test_uploads_the_api_would_refuse_as_they_are_are_reencoded_as_mp3(
    fake: OpenAIFake, spoken: AudioInput, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    audio, reason = spoken, "upload limit"
    if case == "over-limit":  # the limit is a module constant so this stays cheap
        monkeypatch.setattr(whisper, "MAX_UPLOAD_BYTES", len(spoken.data) - 1)
    elif case == "raw-aac":  # ADTS is not among the formats the API takes
        data = encode_samples(tone(2.0), "aac", 16_000)
        audio, reason = AudioInput(data, "audio/aac", "aac", decode_pcm16k(data)), "aac"
    else:
        audio, reason = AudioInput(b"", "audio/wav", "wav", spoken.pcm16k), "no original"
    transcript = WhisperStt(settings_for(fake)).transcribe(audio)

    ((filename, sent),) = form_fields(fake.calls(PATH)[0])["file"]
    assert filename == "audio.mp3"
    assert decode_pcm16k(sent).size == pytest.approx(audio.pcm16k.size, rel=0.05)
    assert reason in transcript.details["reencoded"]["reason"]


def test_digital_silence_is_answered_empty_without_a_call(fake: OpenAIFake) -> None:
    silence = np.zeros(16_000, dtype=np.int16)
    audio = AudioInput(encode_samples(silence, "wav", 16_000), "audio/wav", "wav", silence)
    transcript = WhisperStt(settings_for(fake)).transcribe(audio)

    assert (transcript.text, transcript.words) == ("", [])
    assert transcript.details["skipped"] == "silent audio"
    assert fake.calls(PATH) == []


def test_an_error_quoting_the_bearer_token_it_was_sent_leaves_the_provider_without_it(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.error(401, message="Incorrect API key provided: sk-test."))
    error = transcribe_error(settings_for(fake), spoken)

    assert "sk-test" not in error.message
    assert "Incorrect API key provided: [redacted]." in error.message
