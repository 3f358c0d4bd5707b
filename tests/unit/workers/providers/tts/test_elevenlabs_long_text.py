"""ElevenLabsTts with text over a model's per-request character limit, against the fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.audio import probe
from shared.settings import OutputFormat, Settings
from tests.fakes.elevenlabs import ElevenLabsFake
from workers.providers.errors import ProviderError
from workers.providers.tts import elevenlabs
from workers.providers.tts.elevenlabs import ElevenLabsTts

SENTENCE = "Thanks for calling, we will ring you back today."
PATH = "/v1/text-to-speech"


@pytest.fixture(scope="module")
def fake() -> Iterator[ElevenLabsFake]:
    server = ElevenLabsFake()
    server.speech.pcm(SENTENCE, 24000)  # load the piper voice before any client timeout runs
    with server:
        yield server


@pytest.fixture
def v3(fake: ElevenLabsFake) -> Iterator[ElevenLabsTts]:
    config = {"api_key": "el-test", "base_url": fake.base_url, "model_id": "eleven_v3"}
    provider = ElevenLabsTts(Settings(elevenlabs=config).elevenlabs)
    provider.voices()
    fake.reset()
    yield provider
    provider.close()


def long_text() -> str:
    text = " ".join([SENTENCE] * 70)
    assert len(text) > 3000  # eleven_v3's limit
    return text


def test_text_over_eleven_v3s_3000_characters_is_spoken_in_parts_joined_into_one_file(
    fake: ElevenLabsFake, v3: ElevenLabsTts
) -> None:
    text = long_text()

    audio = v3.synthesize(text, None, "mp3")

    calls = fake.calls(PATH)
    inputs = [call.json()["text"] for call in calls]
    assert len(inputs) == 2
    assert all(len(part) <= 3000 for part in inputs)
    assert all(part.endswith(".") for part in inputs), "a part was cut mid-sentence"
    assert " ".join(inputs) == text
    # Joined as samples: raw PCM at the voices' rate, not mp3 decoded down to 16 kHz.
    assert {call.query["output_format"] for call in calls} == {"pcm_24000"}
    expected = sum(fake.speech.pcm(part, 24000).size for part in inputs) / 24000
    assert audio.duration_s == pytest.approx(expected, abs=0.01)
    info = probe(audio.data, max_duration_s=3600)
    assert info.extension == "mp3"
    assert info.duration_s == pytest.approx(expected, abs=0.15)


def test_the_fake_refuses_text_over_the_models_limit_as_elevenlabs_does(
    fake: ElevenLabsFake, v3: ElevenLabsTts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(elevenlabs.CHARACTER_LIMITS, "eleven_v3", 100_000)  # send it whole

    with pytest.raises(ProviderError) as caught:
        v3.synthesize(long_text(), None, "wav")

    assert (caught.value.code, caught.value.status) == ("provider_rejected", 400)
    assert "exceeds the character limit of 3000" in caught.value.message
    assert not caught.value.retryable


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_a_configured_mp3_format_keeps_its_sample_rate_when_parts_are_joined_or_converted(
    fake: ElevenLabsFake, monkeypatch: pytest.MonkeyPatch, fmt: OutputFormat
) -> None:
    monkeypatch.setitem(elevenlabs.CHARACTER_LIMITS, "eleven_multilingual_v2", 200)
    config = {"api_key": "el-test", "base_url": fake.base_url, "output_format": "mp3_44100_128"}
    provider = ElevenLabsTts(Settings(elevenlabs=config).elevenlabs)
    text = " ".join([SENTENCE] * 6)
    fake.reset()

    audio = provider.synthesize(text, None, fmt)
    provider.close()

    calls = fake.calls(PATH)
    assert len(calls) == 2
    assert {call.query["output_format"] for call in calls} == {"mp3_44100_128"}
    info = probe(audio.data, max_duration_s=3600)
    assert info.extension == fmt
    assert info.sample_rate == 44100
    expected = sum(fake.speech.pcm(call.json()["text"], 44100).size for call in calls) / 44100
    assert audio.duration_s == pytest.approx(expected, abs=0.1)
