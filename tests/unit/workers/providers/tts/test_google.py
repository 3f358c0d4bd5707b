"""GoogleTts (the official client, REST transport) against the Google fake on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.audio import MEDIA_TYPES, decode_pcm16k, sniff_container
from shared.errors import StageFailed
from shared.models import Stage
from shared.settings import OutputFormat, Settings
from tests.conftest import free_port
from tests.fakes.google_tts import GoogleTtsFake
from tests.fakes.server import Fault
from workers.providers.errors import ProviderError
from workers.providers.registry import load_class
from workers.providers.tts.google import MAX_INPUT_BYTES, GoogleTts, split_text

SENTENCE = "Thanks for calling, we will ring you back today."


@pytest.fixture(scope="module")
def fake() -> Iterator[GoogleTtsFake]:
    server = GoogleTtsFake()
    server.speech.pcm(SENTENCE, 24000)  # load the piper voice before any client timeout runs
    with server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_fake(fake: GoogleTtsFake) -> None:
    fake.reset()


def make(fake: GoogleTtsFake, **overrides: Any) -> GoogleTts:
    config = {"enabled": True, "endpoint": fake.base_url, "timeout_s": 30.0, **overrides}
    return GoogleTts(Settings(google=config).google)


@pytest.fixture
def tts(fake: GoogleTtsFake) -> Iterator[GoogleTts]:
    provider = make(fake)
    provider.voices()  # so scripted faults hit the synthesis call, not the voice listing
    fake.reset()
    yield provider
    provider.close()


def failure(tts: GoogleTts, fmt: OutputFormat = "mp3") -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        tts.synthesize(SENTENCE, None, fmt)
    return caught.value


def test_registry_names_the_provider_google() -> None:
    assert load_class(Stage.TTS, "google") is GoogleTts
    assert GoogleTts.name == "google"


def test_synthesis_sends_text_voice_and_audio_config_to_text_synthesize(
    fake: GoogleTtsFake, tts: GoogleTts
) -> None:
    tts.synthesize(SENTENCE, None, "mp3")

    (call,) = fake.calls("/v1/text:synthesize")
    assert call.method == "POST"
    assert call.json() == {
        "input": {"text": SENTENCE},
        "voice": {"languageCode": "en-US", "name": "en-US-Neural2-F"},
        "audioConfig": {"audioEncoding": "MP3", "speakingRate": 1.0},
    }
    # A plain-http endpoint is a local fake: no credentials are sent to it.
    assert "authorization" not in call.headers


@pytest.mark.parametrize(
    ("fmt", "encoding"), [("mp3", "MP3"), ("ogg", "OGG_OPUS"), ("wav", "LINEAR16")]
)
def test_each_output_format_decodes_to_at_least_a_second_of_speech(
    fake: GoogleTtsFake, tts: GoogleTts, fmt: OutputFormat, encoding: str
) -> None:
    audio = tts.synthesize(SENTENCE, None, fmt)

    assert fake.calls("/v1/text:synthesize")[0].json()["audioConfig"]["audioEncoding"] == encoding
    assert (audio.extension, audio.media_type, audio.provider) == (fmt, MEDIA_TYPES[fmt], "google")
    assert audio.voice == "en-US-Neural2-F"
    assert sniff_container(audio.data) == fmt
    decoded_s = len(decode_pcm16k(audio.data)) / 16000
    assert decoded_s >= 1.0
    assert audio.duration_s == pytest.approx(decoded_s, abs=0.01)


def test_linear16_comes_back_as_a_wav_file_with_its_header(tts: GoogleTts) -> None:
    audio = tts.synthesize(SENTENCE, None, "wav")

    with wave.open(io.BytesIO(audio.data)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            24000,
            1,
            2,
        )


def test_speaking_rate_and_voice_come_from_settings(fake: GoogleTtsFake) -> None:
    tts = make(fake, speaking_rate=1.25)

    tts.synthesize(SENTENCE, "en-US-Neural2-D", "wav")

    sent = fake.calls("/v1/text:synthesize")[0].json()
    assert sent["audioConfig"]["speakingRate"] == 1.25
    assert sent["voice"]["name"] == "en-US-Neural2-D"


def test_text_over_5000_bytes_is_split_at_sentences_and_joined_into_one_file(
    fake: GoogleTtsFake, tts: GoogleTts
) -> None:
    text = "Thanks for calling about the delivery. " * 300  # ~11,700 bytes

    audio = tts.synthesize(text, None, "wav")

    calls = fake.calls("/v1/text:synthesize")
    sent = [call.json()["input"]["text"] for call in calls]
    assert len(sent) == 3
    assert all(len(piece.encode()) <= MAX_INPUT_BYTES for piece in sent)
    assert all(piece.endswith("delivery.") for piece in sent)
    assert " ".join(sent) == text.strip()
    single = tts.synthesize("Thanks for calling about the delivery.", None, "wav").duration_s
    assert audio.duration_s == pytest.approx(300 * single, rel=0.02)
    assert len(decode_pcm16k(audio.data)) / 16000 == pytest.approx(audio.duration_s, abs=0.01)


def test_parts_are_joined_at_the_voices_own_sample_rate_not_16_khz(
    fake: GoogleTtsFake, tts: GoogleTts
) -> None:
    single = tts.synthesize("Thanks for calling about the delivery.", None, "wav").data
    joined = tts.synthesize("Thanks for calling about the delivery. " * 300, None, "wav").data

    rates = []
    for data in (single, joined):
        with wave.open(io.BytesIO(data)) as reader:
            rates.append(reader.getframerate())
    assert rates == [24000, 24000]


def test_splitting_counts_bytes_not_characters_and_cuts_overlong_words() -> None:
    text = "Café crème brûlée. " * 400 + "x" * 12000
    pieces = split_text(text, limit=5000)

    assert all(len(piece.encode()) <= 5000 for piece in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert split_text("One. Two.") == ["One. Two."]


def test_voices_are_listed_for_the_language_and_cached(fake: GoogleTtsFake) -> None:
    tts = make(fake)

    assert tts.voices() == ["en-US-Neural2-F", "en-US-Neural2-D"]
    tts.voices()
    tts.synthesize(SENTENCE, None, "wav")

    (listing,) = fake.calls("/v1/voices")
    assert listing.method == "GET"
    assert listing.query == {"languageCode": "en-US"}


def test_the_voice_list_is_fetched_again_once_its_time_is_up(fake: GoogleTtsFake) -> None:
    tts = make(fake)
    tts.voices_ttl_s = 0.0

    tts.voices()
    tts.voices()

    assert len(fake.calls("/v1/voices")) == 2


@pytest.mark.parametrize("voice", ["no-such-voice-xyz", "en-GB-Neural2-A"])
def test_a_voice_outside_the_language_list_fails_with_unknown_voice(
    fake: GoogleTtsFake, tts: GoogleTts, voice: str
) -> None:
    with pytest.raises(StageFailed) as caught:
        tts.synthesize(SENTENCE, voice, "wav")

    assert caught.value.code == "unknown_voice"
    assert "en-US-Neural2-F" in caught.value.message
    assert fake.calls("/v1/text:synthesize") == []


def test_empty_text_fails_with_empty_text_without_a_request(fake: GoogleTtsFake) -> None:
    with pytest.raises(StageFailed) as caught:
        make(fake).synthesize(" \t", None, "wav")

    assert caught.value.code == "empty_text"
    assert fake.requests == []


def test_a_429_is_rate_limited_and_its_retry_after_honoured(
    fake: GoogleTtsFake, tts: GoogleTts
) -> None:
    fake.fail_next(fake.error(429, retry_after=7))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == ("rate_limited", True, 429)
    assert error.retry_after_s == 7.0


def test_a_failure_names_the_vendor_as_it_spells_itself(
    fake: GoogleTtsFake, tts: GoogleTts
) -> None:
    # It read "google answered 503" beside "OpenAI" and "Anthropic"; the provider is still
    # named google.
    fake.fail_next(fake.error(503))

    error = failure(tts)

    assert error.message.startswith("Google answered 503")
    assert tts.name == "google"


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retryable(fake: GoogleTtsFake, tts: GoogleTts, status: int) -> None:
    fake.fail_next(fake.error(status))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == ("provider_unavailable", True, status)


def test_a_server_that_does_not_answer_in_time_is_a_retryable_timeout(
    fake: GoogleTtsFake,
) -> None:
    tts = make(fake, timeout_s=0.3)
    tts.voices()
    fake.fail_next(fake.timeout(delay_s=1.0))

    error = failure(tts)

    assert (error.code, error.retryable) == ("timeout", True)
    assert error.message.startswith("Google did not answer in time (ReadTimeout)")
    # requests' words named the fake's address; the job's error names the setting only.
    assert fake.base_url.rpartition(":")[2] not in error.message


def test_an_unreachable_endpoint_is_a_retryable_connection_error() -> None:
    tts = GoogleTts(
        Settings(google={"enabled": True, "endpoint": f"http://127.0.0.1:{free_port()}"}).google
    )

    with pytest.raises(ProviderError) as caught:
        tts.voices()

    assert (caught.value.code, caught.value.retryable) == ("connection_error", True)


def test_invalid_argument_is_provider_rejected_and_final(
    fake: GoogleTtsFake, tts: GoogleTts
) -> None:
    fake.fail_next(fake.error(400, message="Invalid SSML"))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == ("provider_rejected", False, 400)
    assert "Invalid SSML" in error.message


@pytest.mark.parametrize("status", [401, 403])
def test_unauthenticated_and_permission_denied_are_auth_failed(
    fake: GoogleTtsFake, tts: GoogleTts, status: int
) -> None:
    fake.fail_next(fake.error(status))

    error = failure(tts)

    assert (error.code, error.retryable) == ("auth_failed", False)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(200, b"{}"),
        Fault(200, b"<html>gateway</html>", content_type="text/html"),
        Fault(200, b'{"audioContent": "' + base64.b64encode(b"no audio" * 40) + b'"}'),
    ],
    ids=["no-audio-content", "not-json", "not-audio"],
)
def test_a_200_without_audio_is_a_malformed_response(
    fake: GoogleTtsFake, tts: GoogleTts, fault: Fault
) -> None:
    fake.fail_next(fault)

    error = failure(tts)

    assert (error.code, error.retryable) == ("malformed_response", False)


def test_the_fake_refuses_input_over_5000_bytes_as_google_does(fake: GoogleTtsFake) -> None:
    body = {
        "input": {"text": "é" * 2501},
        "voice": {"languageCode": "en-US"},
        "audioConfig": {"audioEncoding": "MP3"},
    }

    answer = httpx.post(f"{fake.base_url}/v1/text:synthesize", json=body)

    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"
