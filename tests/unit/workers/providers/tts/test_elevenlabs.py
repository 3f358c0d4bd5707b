"""ElevenLabsTts against the ElevenLabs fake over real HTTP on 127.0.0.1."""

from __future__ import annotations

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
from tests.fakes.elevenlabs import API_KEY, VOICES, ElevenLabsFake, ulaw_encode
from tests.fakes.server import Fault, json_fault
from workers.providers.errors import ProviderError
from workers.providers.registry import load_class
from workers.providers.tts.elevenlabs import ElevenLabsTts, ulaw_decode

SENTENCE = "Thanks for calling, we will ring you back today."
DEFAULT_VOICE = "21m00Tcm4TlvDq8ikWAM"


@pytest.fixture(scope="module")
def fake() -> Iterator[ElevenLabsFake]:
    server = ElevenLabsFake()
    server.speech.pcm(SENTENCE, 24000)  # load the piper voice before any client timeout runs
    with server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_fake(fake: ElevenLabsFake) -> None:
    fake.reset()


def make(fake: ElevenLabsFake, **overrides: Any) -> ElevenLabsTts:
    config = {"api_key": "el-test", "base_url": fake.base_url, "timeout_s": 30.0, **overrides}
    return ElevenLabsTts(Settings(elevenlabs=config).elevenlabs)


@pytest.fixture
def tts(fake: ElevenLabsFake) -> Iterator[ElevenLabsTts]:
    provider = make(fake)
    provider.voices()  # so scripted faults hit the synthesis call, not the voice listing
    fake.reset()
    yield provider
    provider.close()


def failure(tts: ElevenLabsTts, fmt: OutputFormat = "mp3") -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        tts.synthesize(SENTENCE, None, fmt)
    return caught.value


def test_registry_names_the_provider_elevenlabs() -> None:
    assert load_class(Stage.TTS, "elevenlabs") is ElevenLabsTts
    assert ElevenLabsTts.name == "elevenlabs"


def test_synthesis_posts_text_model_and_voice_settings_with_the_xi_api_key_header(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    tts.synthesize(SENTENCE, None, "mp3")

    (call,) = fake.calls("/v1/text-to-speech")
    assert call.method == "POST"
    assert call.path == f"/v1/text-to-speech/{DEFAULT_VOICE}"
    assert call.headers["xi-api-key"] == "el-test"
    assert "authorization" not in call.headers
    assert call.query == {"output_format": "mp3_44100_128"}
    assert call.json() == {
        "text": SENTENCE,
        "model_id": "eleven_multilingual_v2",
        "voice_settings": {
            "stability": 0.5,
            "similarity_boost": 0.75,
            "style": 0.0,
            "use_speaker_boost": True,
            "speed": 1.0,
        },
    }


@pytest.mark.parametrize(
    ("fmt", "requested"), [("mp3", "mp3_44100_128"), ("ogg", "pcm_24000"), ("wav", "pcm_24000")]
)
def test_each_output_format_decodes_to_at_least_a_second_of_speech(
    fake: ElevenLabsFake, tts: ElevenLabsTts, fmt: OutputFormat, requested: str
) -> None:
    audio = tts.synthesize(SENTENCE, None, fmt)

    assert fake.calls("/v1/text-to-speech")[0].query["output_format"] == requested
    assert (audio.extension, audio.media_type, audio.provider) == (
        fmt,
        MEDIA_TYPES[fmt],
        "elevenlabs",
    )
    assert sniff_container(audio.data) == fmt
    decoded_s = len(decode_pcm16k(audio.data)) / 16000
    assert decoded_s >= 1.0
    assert audio.duration_s == pytest.approx(decoded_s, abs=0.15)


@pytest.mark.parametrize(("setting", "rate"), [("ulaw_8000", 8000), ("pcm_16000", 16000)])
def test_a_configured_raw_format_is_requested_and_stored_as_a_wav_at_its_rate(
    fake: ElevenLabsFake, setting: str, rate: int
) -> None:
    tts = make(fake, output_format=setting)

    audio = tts.synthesize(SENTENCE, None, "wav")

    assert fake.calls("/v1/text-to-speech")[0].query["output_format"] == setting
    with wave.open(io.BytesIO(audio.data)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (rate, 1, 2)
        assert reader.getnframes() / rate >= 1.0
    assert audio.duration_s == pytest.approx(len(decode_pcm16k(audio.data)) / 16000, abs=0.05)


def test_mu_law_decoding_inverts_g711_encoding_within_its_quantisation_step() -> None:
    codes = bytes(range(256))
    # 0x7F and 0xFF are both zero (negative and positive); every other code is unique.
    assert ulaw_encode(ulaw_decode(codes)) == codes.replace(b"\x7f", b"\xff")
    assert list(ulaw_decode(b"\x00\x80\xff")) == [-32124, 32124, 0]


def test_a_voice_may_be_named_by_its_name(fake: ElevenLabsFake, tts: ElevenLabsTts) -> None:
    audio = tts.synthesize(SENTENCE, "adam", "wav")

    assert audio.voice == "pNInz6obpgDQGcFmaJgB"
    assert fake.calls("/v1/text-to-speech")[0].path.endswith("/pNInz6obpgDQGcFmaJgB")


def test_voices_are_listed_from_the_api_and_cached(fake: ElevenLabsFake) -> None:
    tts = make(fake)

    assert tts.voices() == [v.voice_id for v in VOICES]
    assert tts.voices() == [v.voice_id for v in VOICES]
    tts.synthesize(SENTENCE, None, "wav")

    (listing,) = fake.calls("/v1/voices")
    assert listing.method == "GET"
    assert listing.headers["xi-api-key"] == "el-test"


def test_the_voice_list_is_fetched_again_once_its_time_is_up(fake: ElevenLabsFake) -> None:
    tts = make(fake)
    tts.voices_ttl_s = 0.0

    tts.voices()
    tts.voices()

    assert len(fake.calls("/v1/voices")) == 2


def test_an_unknown_voice_fails_with_unknown_voice_before_any_synthesis(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    with pytest.raises(StageFailed) as caught:
        tts.synthesize(SENTENCE, "no-such-voice-xyz", "wav")

    assert caught.value.code == "unknown_voice"
    assert "Rachel" in caught.value.message
    assert fake.calls("/v1/text-to-speech") == []


def test_empty_text_fails_with_empty_text_without_a_request(fake: ElevenLabsFake) -> None:
    with pytest.raises(StageFailed) as caught:
        make(fake).synthesize("  \n", None, "wav")

    assert caught.value.code == "empty_text"
    assert fake.requests == []


def test_a_concurrent_limit_exceeded_code_is_the_plans_concurrency_limit_not_a_rate_limit(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    # The current error shape: `code` (concurrent_limit_exceeded), no legacy `status`.
    # Before, it was read as plain rate limiting ("rate_limited"), retried as a failure.
    fake.fail_next(fake.error(429, "concurrent_limit_exceeded", retry_after=3, legacy=False))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == ("concurrency_limited", True, 429)
    assert error.retry_after_s == 3.0
    assert "concurrency limit" in error.message


def test_a_current_shape_rate_limit_stays_a_rate_limit(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    fake.fail_next(fake.error(429, "rate_limit_exceeded", legacy=False))

    assert failure(tts).code == "rate_limited"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("too_many_concurrent_requests", "concurrency_limited"),
        ("system_busy", "provider_overloaded"),
    ],
)
def test_the_two_429s_are_told_apart_and_their_retry_after_honoured(
    fake: ElevenLabsFake, tts: ElevenLabsTts, kind: str, code: str
) -> None:
    fake.fail_next(fake.error(429, kind, retry_after=7))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == (code, True, 429)
    assert error.retry_after_s == 7.0


# Every documented 429 body: the current `code` (rate_limit_exceeded, or
# concurrent_limit_exceeded), the legacy `status` (too_many_concurrent_requests, or
# system_busy, which has no `code` of its own), and both at once while the two are sent.
@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ({"code": "rate_limit_exceeded"}, "rate_limited"),
        ({"code": "concurrent_limit_exceeded"}, "concurrency_limited"),
        ({"status": "too_many_concurrent_requests"}, "concurrency_limited"),
        ({"status": "system_busy"}, "provider_overloaded"),
        ({"code": "rate_limit_exceeded", "status": "system_busy"}, "provider_overloaded"),
        (
            {"code": "rate_limit_exceeded", "status": "too_many_concurrent_requests"},
            "concurrency_limited",
        ),
        (
            {"code": "concurrent_limit_exceeded", "status": "too_many_concurrent_requests"},
            "concurrency_limited",
        ),
    ],
)
def test_a_429_is_classified_by_the_more_specific_of_its_code_and_status(
    fake: ElevenLabsFake, tts: ElevenLabsTts, detail: dict[str, str], expected: str
) -> None:
    fake.fail_next(json_fault(429, {"detail": {**detail, "message": "busy"}}, retry_after=2))

    error = failure(tts)

    assert (error.code, error.retryable, error.retry_after_s) == (expected, True, 2.0)


def test_a_failure_names_the_vendor_as_it_spells_itself(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    # It read "elevenlabs answered 503" beside "OpenAI" and "Anthropic"; the provider is
    # still named elevenlabs.
    fake.fail_next(fake.error(503))

    error = failure(tts)

    assert error.message.startswith("ElevenLabs answered 503")
    assert tts.name == "elevenlabs"


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retryable(fake: ElevenLabsFake, tts: ElevenLabsTts, status: int) -> None:
    fake.fail_next(fake.error(status))

    error = failure(tts)

    assert (error.code, error.retryable) == ("provider_unavailable", True)


def test_a_server_that_does_not_answer_in_time_is_a_retryable_timeout(
    fake: ElevenLabsFake,
) -> None:
    tts = make(fake, timeout_s=0.3)
    tts.voices()
    fake.fail_next(fake.timeout(delay_s=1.0))

    error = failure(tts)

    assert (error.code, error.retryable) == ("timeout", True)


def test_an_unreachable_server_is_a_retryable_connection_error() -> None:
    tts = ElevenLabsTts(
        Settings(
            elevenlabs={"api_key": "k", "base_url": f"http://127.0.0.1:{free_port()}"}
        ).elevenlabs
    )

    with pytest.raises(ProviderError) as caught:
        tts.voices()

    assert (caught.value.code, caught.value.retryable) == ("connection_error", True)


@pytest.mark.parametrize("status", [400, 422])
def test_a_refused_request_is_provider_rejected_and_final(
    fake: ElevenLabsFake, tts: ElevenLabsTts, status: int
) -> None:
    fake.fail_next(fake.error(status, message="text too long"))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == ("provider_rejected", False, status)
    assert "text too long" in error.message


def test_a_used_up_character_quota_is_spend_limit_reached_not_a_bad_key(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    # ElevenLabs answers an exhausted quota with a 401, told apart only by detail.status.
    quota = "This request exceeds your quota of 10000. You have 0 credits remaining."
    fake.fail_next(fake.error(401, "quota_exceeded", message=quota))

    error = failure(tts)

    assert (error.code, error.retryable, error.status) == ("spend_limit_reached", False, 401)
    assert quota in error.message


def test_an_error_quoting_the_key_it_was_sent_leaves_the_provider_without_it(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    fake.fail_next(fake.error(401, message=f"Invalid API key: {API_KEY}"))

    error = failure(tts)

    assert API_KEY not in error.message
    assert "Invalid API key: [redacted]" in error.message


def test_a_wrong_api_key_is_auth_failed_and_final(fake: ElevenLabsFake) -> None:
    tts = make(fake, api_key="wrong")

    with pytest.raises(ProviderError) as caught:
        tts.synthesize(SENTENCE, None, "mp3")

    assert (caught.value.code, caught.value.retryable) == ("auth_failed", False)
    assert "wrong" not in caught.value.message


@pytest.mark.parametrize(
    "fault",
    [
        Fault(200, b'{"detail": "ok"}'),
        Fault(200, b"", content_type="audio/mpeg"),
        Fault(200, b"not an mp3 at all" * 50, content_type="audio/mpeg"),
    ],
    ids=["json", "empty", "garbage"],
)
def test_a_200_that_is_not_audio_is_a_malformed_response(
    fake: ElevenLabsFake, tts: ElevenLabsTts, fault: Fault
) -> None:
    fake.fail_next(fault)

    error = failure(tts)

    assert (error.code, error.retryable) == ("malformed_response", False)


def test_the_fake_streams_the_same_audio_and_checks_its_inputs(fake: ElevenLabsFake) -> None:
    url = f"{fake.base_url}/v1/text-to-speech/{DEFAULT_VOICE}"
    key = {"xi-api-key": "el-test"}
    body = {"text": SENTENCE}
    whole = httpx.post(url, headers=key, json=body, params={"output_format": "pcm_16000"})
    streamed = httpx.post(
        f"{url}/stream", headers=key, json=body, params={"output_format": "pcm_16000"}
    )

    assert whole.content == streamed.content
    assert whole.headers["request-id"] != streamed.headers["request-id"]
    assert httpx.post(url, json=body).json()["detail"]["status"] == "invalid_api_key"
    assert httpx.post(url, headers=key, json={}).status_code == 422
    missing = httpx.post(f"{fake.base_url}/v1/text-to-speech/nope", headers=key, json=body)
    assert (missing.status_code, missing.json()["detail"]["status"]) == (404, "voice_not_found")
    bad = httpx.post(url, headers=key, json=body, params={"output_format": "wav"})
    assert bad.status_code == 400


def test_an_answer_that_does_not_decode_gives_ffmpegs_reason_only(
    fake: ElevenLabsFake, tts: ElevenLabsTts
) -> None:
    # An ID3 tag and nothing FFmpeg can read after it: mp3 by its first bytes, no frames.
    body = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100
    fake.fail_next(Fault(status=200, body=body, content_type="audio/mpeg"))

    error = failure(tts)

    assert error.code == "malformed_response"
    assert error.message.endswith(
        "the mp3 answer does not decode: Invalid data found when processing input"
    )
