from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.audio import decode_pcm16k, probe
from shared.errors import StageFailed
from shared.settings import OutputFormat, Settings
from shared.settings.providers import OpenAISettings
from tests.conftest import free_port
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import Fault
from workers.providers.errors import ProviderError
from workers.providers.tts import openai as openai_tts
from workers.providers.tts.openai import OpenAITts, split_text

PATH = "/v1/audio/speech"
REPLY = "Thanks for calling. We will ring you back tomorrow morning."


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIFake]:
    with OpenAIFake() as fake:
        assert isinstance(fake, OpenAIFake)
        yield fake


@pytest.fixture
def fake(server: OpenAIFake) -> Iterator[OpenAIFake]:
    server.reset()
    yield server
    server.speech = "piper"


def settings_for(fake: OpenAIFake, **openai: Any) -> OpenAISettings:
    return Settings(
        openai={"api_key": "sk-test", "base_url": fake.base_url + "/v1", "timeout_s": 30, **openai}
    ).openai


def synth_error(settings: OpenAISettings, text: str = REPLY) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        OpenAITts(settings).synthesize(text, None, "mp3")
    return caught.value


def sentences(count: int) -> str:
    return " ".join(f"Sentence number {i} tells the caller something useful." for i in range(count))


# -- requests and answers -------------------------------------------------------------------


def test_request_is_json_with_bearer_key_model_input_voice_format_and_speed(
    fake: OpenAIFake,
) -> None:
    OpenAITts(settings_for(fake, tts_model="tts-1-hd", tts_speed=1.25)).synthesize(
        REPLY, "nova", "ogg"
    )

    (request,) = fake.calls(PATH)
    assert request.method == "POST"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "model": "tts-1-hd",
        "input": REPLY,
        "voice": "nova",
        "response_format": "opus",
        "speed": 1.25,
    }


def test_the_settings_voice_is_used_when_none_is_asked_for(fake: OpenAIFake) -> None:
    audio = OpenAITts(settings_for(fake, tts_voice="sage")).synthesize(REPLY, None, "mp3")

    assert fake.calls(PATH)[0].json()["voice"] == "sage"
    assert audio.voice == "sage"


@pytest.mark.parametrize(
    ("fmt", "api_format", "media_type"),
    [("mp3", "mp3", "audio/mpeg"), ("ogg", "opus", "audio/ogg"), ("wav", "wav", "audio/wav")],
)
def test_each_format_is_asked_for_by_its_api_name_and_decodes(
    fake: OpenAIFake, fmt: OutputFormat, api_format: str, media_type: str
) -> None:
    audio = OpenAITts(settings_for(fake)).synthesize(REPLY, "alloy", fmt)

    assert fake.calls(PATH)[0].json()["response_format"] == api_format
    assert (audio.media_type, audio.extension, audio.provider) == (media_type, fmt, "openai")
    info = probe(audio.data)
    assert info.extension == fmt
    assert audio.duration_s == pytest.approx(info.duration_s, abs=0.1)
    assert audio.duration_s > 1.0


def test_text_over_4096_characters_is_spoken_in_parts_joined_into_one_file(
    fake: OpenAIFake,
) -> None:
    fake.speech = "tone"  # minutes of piper speech would take minutes to make
    text = sentences(200)
    assert len(text) > 2 * openai_tts.MAX_INPUT_CHARS
    # wav keeps the 12 minutes quick to encode and decode; every format joins the same way.
    audio = OpenAITts(settings_for(fake)).synthesize(text, None, "wav")

    inputs = [request.json()["input"] for request in fake.calls(PATH)]
    assert len(inputs) == 3
    assert all(len(part) <= 4096 for part in inputs)
    assert all(part.endswith(".") for part in inputs), "a part was cut mid-sentence"
    assert " ".join(inputs) == text
    # The fake's tone lasts 0.06 s per character, so the parts' lengths are known.
    expected = sum(len(part) * 0.06 for part in inputs)
    assert audio.duration_s == pytest.approx(expected, rel=0.01)
    assert decode_pcm16k(audio.data).size / 16_000 == pytest.approx(expected, rel=0.01)
    assert probe(audio.data, max_duration_s=3600).extension == "wav"


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "wav"])
def test_parts_in_every_format_join_into_one_file_as_long_as_the_parts(
    fake: OpenAIFake, fmt: OutputFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.speech = "tone"
    monkeypatch.setattr(openai_tts, "MAX_INPUT_CHARS", 120)
    audio = OpenAITts(settings_for(fake)).synthesize(sentences(6), None, fmt)

    inputs = [request.json()["input"] for request in fake.calls(PATH)]
    assert len(inputs) == 3
    expected = sum(len(part) * 0.06 for part in inputs)
    info = probe(audio.data)
    assert info.extension == fmt
    # Each part's codec padding (mp3 priming, opus pre-skip) may add a few milliseconds.
    assert info.duration_s == pytest.approx(expected, abs=0.15)
    assert audio.duration_s == pytest.approx(info.duration_s, abs=0.05)


def test_gpt_4o_mini_tts_input_is_kept_under_its_2000_token_limit(fake: OpenAIFake) -> None:
    # 2,500 Japanese characters are within 4096 characters but over 2000 tokens.
    fake.speech = "tone"
    text = "お電話ありがとうございます。" * 179
    tts = OpenAITts(settings_for(fake, tts_model="gpt-4o-mini-tts"))

    tts.synthesize(text, None, "wav")

    inputs = [request.json()["input"] for request in fake.calls(PATH)]
    assert len(inputs) == 2
    assert "".join(inputs) == text


def test_the_fake_refuses_gpt_4o_mini_tts_input_over_2000_tokens(
    fake: OpenAIFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openai_tts, "TOKEN_LIMITED_CHARS", 10_000, raising=False)
    fake.speech = "tone"
    model = {"tts_model": "gpt-4o-mini-tts"}
    error = synth_error(settings_for(fake, **model), "お電話ありがとうございます。" * 179)

    assert (error.code, error.status) == ("provider_rejected", 400)
    assert "maximum input limit of 2000 tokens" in error.message


def test_the_fake_refuses_input_over_4096_characters(
    fake: OpenAIFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openai_tts, "MAX_INPUT_CHARS", 10_000)  # send it whole
    error = synth_error(settings_for(fake), sentences(100))

    assert (error.code, error.status) == ("provider_rejected", 400)
    assert "string too long" in error.message


def test_unknown_voice_is_refused_with_the_list_before_any_request(fake: OpenAIFake) -> None:
    with pytest.raises(StageFailed) as caught:
        OpenAITts(settings_for(fake)).synthesize(REPLY, "joe", "mp3")

    assert caught.value.code == "unknown_voice"
    assert all(voice in caught.value.message for voice in CLASSIC)
    assert fake.calls(PATH) == []


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_refused_before_any_request(fake: OpenAIFake, text: str) -> None:
    with pytest.raises(StageFailed) as caught:
        OpenAITts(settings_for(fake)).synthesize(text, None, "mp3")

    assert caught.value.code == "empty_text"
    assert fake.calls(PATH) == []


CLASSIC = ["alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer"]


@pytest.mark.parametrize("model", ["tts-1", "tts-1-hd"])
def test_the_tts_1_models_offer_only_the_nine_voices_they_speak(model: str) -> None:
    assert OpenAITts(OpenAISettings(tts_model=model)).voices() == CLASSIC


def test_gpt_4o_mini_tts_offers_four_voices_more() -> None:
    voices = OpenAITts(OpenAISettings(tts_model="gpt-4o-mini-tts")).voices()

    assert voices == [*CLASSIC, "ballad", "verse", "marin", "cedar"]


@pytest.mark.parametrize("voice", ["ballad", "verse"])
def test_a_gpt_4o_voice_with_tts_1_is_refused_before_the_api_refuses_it(
    fake: OpenAIFake, voice: str
) -> None:
    with pytest.raises(StageFailed) as caught:
        OpenAITts(settings_for(fake, tts_model="tts-1")).synthesize(REPLY, voice, "mp3")

    assert caught.value.code == "unknown_voice"
    assert "gpt-4o-mini-tts" in caught.value.message
    assert fake.calls(PATH) == []


def test_the_fake_refuses_a_voice_the_model_does_not_speak(fake: OpenAIFake) -> None:
    body = {"model": "tts-1", "input": REPLY, "voice": "ballad"}
    answer = httpx.post(
        f"{fake.base_url}{PATH}", json=body, headers={"authorization": "Bearer sk-test"}
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "voice"


# -- errors ---------------------------------------------------------------------------------


def test_429_with_retry_after_is_rate_limited_for_that_long(fake: OpenAIFake) -> None:
    fake.fail_next(fake.error(429, retry_after=12))
    error = synth_error(settings_for(fake))

    assert (error.code, error.retryable, error.retry_after_s) == ("rate_limited", True, 12.0)
    assert len(fake.calls(PATH)) == 1, "the SDK must not retry on its own"


def test_insufficient_quota_is_spend_limit_reached_and_not_retried(fake: OpenAIFake) -> None:
    fake.fail_next(fake.error(429, "insufficient_quota"))
    error = synth_error(settings_for(fake))

    assert (error.code, error.retryable) == ("spend_limit_reached", False)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_provider_unavailable_and_retryable(
    fake: OpenAIFake, status: int
) -> None:
    fake.fail_next(fake.error(status))
    error = synth_error(settings_for(fake))

    assert (error.code, error.retryable, error.status) == ("provider_unavailable", True, status)
    assert len(fake.calls(PATH)) == 1


def test_a_server_slower_than_the_client_timeout_is_a_retryable_timeout(
    fake: OpenAIFake,
) -> None:
    fake.fail_next(fake.timeout(delay_s=2.0))
    error = synth_error(settings_for(fake, timeout_s=0.3))

    assert (error.code, error.retryable) == ("timeout", True)


def test_an_unreachable_server_is_a_retryable_connection_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = Settings(openai={"api_key": "sk-test", "base_url": closed}).openai
    error = synth_error(settings)

    assert (error.code, error.retryable) == ("connection_error", True)


def test_an_unknown_model_is_provider_rejected(fake: OpenAIFake) -> None:
    error = synth_error(settings_for(fake, tts_model="tts-9"))

    assert (error.code, error.retryable, error.status) == ("provider_rejected", False, 400)


def test_a_wrong_key_is_auth_failed(fake: OpenAIFake) -> None:
    error = synth_error(settings_for(fake, api_key="sk-wrong"))

    assert (error.code, error.retryable, error.status) == ("auth_failed", False, 401)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"error": null}', "application/json"),
        (b"ID3 but no frames", "audio/mpeg"),
        (b"OggS" + bytes(60), "audio/mpeg"),
    ],
    ids=["json", "broken-mp3", "ogg-for-mp3"],
)
def test_a_200_that_is_not_the_audio_asked_for_is_malformed_response(
    fake: OpenAIFake, body: bytes, content_type: str
) -> None:
    fake.fail_next(Fault(status=200, body=body, content_type=content_type))
    error = synth_error(settings_for(fake))

    assert (error.code, error.retryable) == ("malformed_response", False)


@pytest.mark.parametrize(
    ("body", "content_type", "shape"),
    [
        (b'{"input": "Call Anna Smith back on 555 0100."}', "application/json", "JSON, 46 bytes"),
        (b"Call Anna Smith back on 555 0100.", "text/plain", "text, 33 bytes"),
        (b"<p>Call Anna Smith back on 555 0100.</p>", "text/html", "HTML or XML, 40 bytes"),
    ],
    ids=["json", "text", "html"],
)
def test_a_200_echoing_the_input_is_described_by_its_shape_never_quoted(
    fake: OpenAIFake, body: bytes, content_type: str, shape: str
) -> None:
    # Its first 64 bytes were quoted: the reply's words (a customer's) in the job's error.
    fake.fail_next(Fault(status=200, body=body, content_type=content_type))
    error = synth_error(settings_for(fake))

    assert error.code == "malformed_response"
    assert "Anna" not in error.message
    assert "0100" not in error.message
    assert error.message.endswith(f"no audio where mp3 audio was asked for: {shape}")


# -- splitting ------------------------------------------------------------------------------


def test_split_keeps_short_text_whole() -> None:
    assert split_text("  Hello there.  ") == ["Hello there."]


def test_split_never_cuts_a_word_and_prefers_sentence_ends() -> None:
    text = "One two three. Four five six seven! Eight, nine ten."
    parts = split_text(text, limit=20)

    assert parts == ["One two three.", "Four five six seven!", "Eight, nine ten."]
    assert all(len(part) <= 20 for part in parts)


def test_an_overlong_sentence_is_split_at_clauses_then_words() -> None:
    text = "alpha beta gamma, delta epsilon zeta eta theta iota kappa lambda."
    parts = split_text(text, limit=24)

    assert parts[0] == "alpha beta gamma,"
    assert " ".join(parts) == text
    assert all(len(part) <= 24 for part in parts)
    words = set(text.split())
    assert all(set(part.split()) <= words for part in parts)


def test_a_single_word_longer_than_the_limit_is_cut_since_no_boundary_exists() -> None:
    assert split_text("x" * 10, limit=4) == ["xxxx", "xxxx", "xx"]


# An ID3 tag and nothing FFmpeg can read after it: mp3 by its first bytes, no frames.
UNDECODABLE_MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100


def test_an_answer_that_does_not_decode_gives_ffmpegs_reason_only(fake: OpenAIFake) -> None:
    fake.fail_next(Fault(status=200, body=UNDECODABLE_MP3, content_type="audio/mpeg"))

    error = synth_error(settings_for(fake))

    assert error.code == "malformed_response"
    assert error.message == (
        "OpenAI answered mp3 audio that does not decode: Invalid data found when processing input"
    )
