"""What a cloud voice (OpenAI, ElevenLabs, Google) billed a synthesis that then failed goes
with the failure, once: the characters of every part the vendor answered 2xx, whether that
answer was read whole (an earlier part of a reply spoken in parts), broke off mid-read or
could not be read. An error status bills nothing. Against each vendor's fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from shared.models import Billed
from shared.settings import Settings
from tests.fakes.elevenlabs import ElevenLabsFake
from tests.fakes.google_tts import GoogleTtsFake
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import FakeServer, Fault
from workers.providers.base import TtsProvider
from workers.providers.errors import ProviderError
from workers.providers.tts import elevenlabs, google
from workers.providers.tts import openai as openai_tts
from workers.providers.tts.elevenlabs import ElevenLabsTts
from workers.providers.tts.google import GoogleTts
from workers.providers.tts.openai import OpenAITts

SENTENCE = "Thanks for calling, we will ring you back today."
TWO_PARTS = f"{SENTENCE} {SENTENCE}"  # spoken in two parts under PART_LIMIT
PART_LIMIT = 60


@dataclass
class Voice:
    name: str
    fake: FakeServer
    path: str
    model: str | None
    make: Callable[[], TtsProvider]
    split_in_parts: Callable[[pytest.MonkeyPatch], None]


def _elevenlabs(fake: FakeServer) -> Voice:
    config = Settings(elevenlabs={"api_key": "el-test", "base_url": fake.base_url}).elevenlabs
    return Voice(
        "elevenlabs",
        fake,
        "/v1/text-to-speech",
        config.model_id,
        lambda: ElevenLabsTts(config),
        lambda patch: patch.setitem(elevenlabs.CHARACTER_LIMITS, config.model_id, PART_LIMIT),
    )


def _openai(fake: FakeServer) -> Voice:
    url = fake.base_url + "/v1"
    config = Settings(openai={"api_key": "sk-test", "base_url": url, "timeout_s": 30}).openai
    return Voice(
        "openai",
        fake,
        "/v1/audio/speech",
        config.tts_model,
        lambda: OpenAITts(config),
        lambda patch: patch.setattr(openai_tts, "MAX_INPUT_CHARS", PART_LIMIT),
    )


def _google(fake: FakeServer) -> Voice:
    config = Settings(google={"enabled": True, "endpoint": fake.base_url, "timeout_s": 30}).google
    return Voice(
        "google",
        fake,
        "/v1/text:synthesize",
        config.voice_name.split("-")[2],  # priced by voice family (Neural2, Wavenet, ...)
        lambda: GoogleTts(config),
        lambda patch: patch.setattr(google, "MAX_INPUT_BYTES", PART_LIMIT),
    )


@pytest.fixture(scope="module")
def fakes() -> Iterator[dict[str, FakeServer]]:
    servers: dict[str, FakeServer] = {
        "elevenlabs": ElevenLabsFake(),
        "openai": OpenAIFake(),
        "google": GoogleTtsFake(),
    }
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(params=["elevenlabs", "openai", "google"])
def voice(request: pytest.FixtureRequest, fakes: dict[str, FakeServer]) -> Iterator[Voice]:
    build = {"elevenlabs": _elevenlabs, "openai": _openai, "google": _google}[request.param]
    chosen = build(fakes[request.param])
    provider = chosen.make()
    provider.synthesize(SENTENCE, None, "wav")  # piper loaded before any client timeout runs
    chosen.fake.reset()
    yield chosen
    _close(provider)


def _failure(voice: Voice, text: str, *faults: Fault) -> ProviderError:
    voice.fake.fail_next(*(fault.on(voice.path) for fault in faults))
    provider = voice.make()
    try:
        with pytest.raises(ProviderError) as caught:
            provider.synthesize(text, None, "wav")
    finally:
        _close(provider)
    return caught.value


def _close(provider: TtsProvider) -> None:
    close = getattr(provider, "close", None)  # the providers holding a client of their own
    if close is not None:
        close()


def _billed(voice: Voice, characters: int) -> list[Billed]:
    return [Billed(engine=voice.name, model=voice.model, characters=characters)]


def test_a_200_broken_off_mid_read_carries_its_characters_and_is_tried_again(
    voice: Voice,
) -> None:
    failed = _failure(voice, SENTENCE, voice.fake.cut_answer(at=40))

    assert failed.retryable
    assert failed.code == "connection_error"
    assert failed.charges == _billed(voice, len(SENTENCE))


def test_a_200_broken_off_mid_read_says_the_vendor_answered_not_that_it_was_unreachable(
    voice: Voice,
) -> None:
    failed = _failure(voice, SENTENCE, voice.fake.cut_answer(at=40))

    assert failed.message.lower().startswith(f"{voice.name} answered 2")
    assert "broke off mid-read" in failed.message
    assert "could not reach" not in failed.message


def test_an_unreadable_200_carries_its_characters(voice: Voice) -> None:
    unreadable = Fault(status=200, body=b"\x00garbage, not audio", content_type="audio/mpeg")
    failed = _failure(voice, SENTENCE, unreadable)

    assert failed.code == "malformed_response"
    assert failed.charges == _billed(voice, len(SENTENCE))


def test_an_error_status_carries_no_characters(voice: Voice) -> None:
    failed = _failure(voice, SENTENCE, Fault(status=503, body=b"{}"))

    assert failed.retryable
    assert failed.charges == []


@pytest.mark.parametrize("how", ["error", "cut"])
def test_a_reply_in_parts_that_fails_at_its_second_part_carries_the_first_parts_characters_once(
    voice: Voice, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    voice.split_in_parts(monkeypatch)
    fault = (
        Fault(status=503, body=b"{}", after=1)
        if how == "error"
        else voice.fake.cut_answer(at=40, after=1)
    )
    failed = _failure(voice, TWO_PARTS, fault)

    assert len(voice.fake.calls(voice.path)) == 2
    parts = len(SENTENCE) if how == "error" else 2 * len(SENTENCE)
    assert failed.charges == _billed(voice, parts)
