"""GoogleTts with credentials that refresh their token at the fake's OAuth endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.cloud import texttospeech as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports.rest import (
    TextToSpeechRestTransport,
)
from google.oauth2.credentials import Credentials

from shared.settings import Settings
from tests.fakes.google_tts import ACCESS_TOKEN, GoogleTtsFake
from workers.providers.errors import ProviderError
from workers.providers.tts.google import GoogleTts

SENTENCE = "Thanks for calling, we will ring you back today."


@pytest.fixture(scope="module")
def fake() -> Iterator[GoogleTtsFake]:
    server = GoogleTtsFake()
    server.speech.pcm(SENTENCE, 24000)  # load the piper voice before any client timeout runs
    with server:
        yield server


@pytest.fixture
def google(fake: GoogleTtsFake) -> Iterator[GoogleTts]:
    """The provider with a client whose (user) credentials fetch their token from the fake."""
    fake.reset()
    config = Settings(google={"enabled": True, "endpoint": fake.base_url}).google
    provider = GoogleTts(config)
    credentials = Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token="1//refresh",
        token_uri=f"{fake.base_url}/token",
        client_id="client",
        client_secret="secret",
    )
    transport = TextToSpeechRestTransport(
        host=fake.base_url.removeprefix("http://"), credentials=credentials, url_scheme="http"
    )
    provider._client = tts.TextToSpeechClient(transport=transport)
    yield provider
    provider.close()


def test_a_refreshed_token_is_sent_as_a_bearer_token(
    fake: GoogleTtsFake, google: GoogleTts
) -> None:
    google.synthesize(SENTENCE, None, "wav")

    (call,) = fake.calls("/v1/text:synthesize")
    assert call.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_a_token_endpoint_that_is_unavailable_is_retryable_not_a_bad_key(
    fake: GoogleTtsFake, google: GoogleTts
) -> None:
    # google-auth tries the token endpoint three times itself before giving up.
    fake.fail_next(*[fake.token_error(503, "temporarily_unavailable")] * 3)

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    assert (caught.value.code, caught.value.retryable) == ("provider_unavailable", True)
    assert len(fake.calls("/token")) == 3
    assert not fake.calls("/v1/")


def test_a_refused_refresh_token_is_still_auth_failed(
    fake: GoogleTtsFake, google: GoogleTts
) -> None:
    fake.fail_next(fake.token_error(400, "invalid_grant", "Token has been expired or revoked."))

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    assert (caught.value.code, caught.value.retryable) == ("auth_failed", False)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in caught.value.message
