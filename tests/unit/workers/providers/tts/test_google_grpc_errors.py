"""A Google error raised by the client itself (gRPC, or google.api_core with no HTTP answer
to read): its message goes through the same check as an HTTP error body's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.api_core import exceptions as google_errors

from shared.settings import Settings
from tests.fakes.google_tts import GoogleTtsFake
from workers.providers.errors import ProviderError
from workers.providers.tts.google import GoogleTts

SENTENCE = "Thanks for calling, we will ring you back about the boiler today."


@pytest.fixture(scope="module")
def fake() -> Iterator[GoogleTtsFake]:
    server = GoogleTtsFake()
    with server:
        yield server


@pytest.fixture
def tts(fake: GoogleTtsFake) -> Iterator[GoogleTts]:
    fake.reset()
    provider = GoogleTts(Settings(google={"enabled": True, "endpoint": fake.base_url}).google)
    provider.voices()
    yield provider
    provider.close()


def _raising(tts: GoogleTts, monkeypatch: pytest.MonkeyPatch, error: Exception) -> ProviderError:
    def synthesize_speech(**_: object) -> object:
        raise error

    monkeypatch.setattr(tts.client, "synthesize_speech", synthesize_speech)
    with pytest.raises(ProviderError) as caught:
        tts.synthesize(SENTENCE, None, "mp3")
    return caught.value


def test_a_grpc_message_quoting_the_text_spoken_is_withheld(
    tts: GoogleTts, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = google_errors.InvalidArgument(f"Invalid input text: '{SENTENCE}'")  # type: ignore[no-untyped-call]

    failed = _raising(tts, monkeypatch, error)

    assert (failed.code, failed.status) == ("provider_rejected", 400)
    assert "boiler" not in failed.message
    assert "Invalid input text" not in failed.message
    assert "quotes the request (withheld)" in failed.message


def test_a_grpc_message_of_googles_own_words_is_kept(
    tts: GoogleTts, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = google_errors.ResourceExhausted("Quota exceeded for characters per minute")  # type: ignore[no-untyped-call]

    failed = _raising(tts, monkeypatch, error)

    assert (failed.code, failed.retryable) == ("rate_limited", True)
    assert "Quota exceeded for characters per minute" in failed.message
