"""GoogleTts with credentials that refresh their token at the fake's OAuth endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from google.auth import exceptions as auth_errors
from google.cloud import texttospeech as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports.rest import (
    TextToSpeechRestTransport,
)
from google.oauth2.credentials import Credentials

from shared.settings import Settings
from tests.fakes.google_tts import ACCESS_TOKEN, GoogleTtsFake
from tests.fakes.server import Fault
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


# What a refresh sends (RFC 6749's form): a proxy in front of the token endpoint may echo it
# into its error page. A service account's is a JWT signed with its key, good for an hour.
ECHOED_GRANT = (
    "Bad Request: grant_type=refresh_token&client_id=client&client_secret=secret"
    "&refresh_token=1%2F%2Frefresh&assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJzYUBwIn0.c2lnbmVk"
)


@pytest.mark.parametrize("status", [400, 503])
def test_a_token_endpoint_error_echoing_the_grant_shows_no_credential(
    fake: GoogleTtsFake, google: GoogleTts, status: int
) -> None:
    echo = Fault(status=status, body=ECHOED_GRANT.encode(), content_type="text/plain")
    fake.fail_next(*[echo.on("/token")] * 3)

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    assert caught.value.code in ("auth_failed", "provider_unavailable")
    message = caught.value.message
    assert "could not issue an access token" in message or "GOOGLE_APPLICATION" in message
    for secret in ("secret", "1%2F%2Frefresh", "1//refresh", "eyJhbGciOiJSUzI1NiJ9", "c2lnbmVk"):
        assert secret not in message.replace("client_secret", ""), message


def test_a_refused_grant_keeps_the_token_endpoints_own_words(
    fake: GoogleTtsFake, google: GoogleTts
) -> None:
    fake.fail_next(fake.token_error(400, "invalid_grant", "Token has been expired or revoked."))

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    assert "invalid_grant: Token has been expired or revoked." in caught.value.message


def test_a_token_endpoint_error_in_googles_object_shape_echoing_the_grant_shows_no_credential(
    fake: GoogleTtsFake, google: GoogleTts
) -> None:
    # Google's APIs answer {"error": {"code", "message", ...}}: google-auth then writes the
    # error object as a Python dict, in single quotes, which the field rule did not match.
    echoed = (
        '{"error": {"code": 400, "request": {"client_secret": "GOCSPX-s3cr3t",'
        ' "password": "hunter2"}}}'
    )
    fake.fail_next(
        Fault(status=400, body=echoed.encode(), content_type="application/json").on("/token")
    )

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    assert "GOCSPX-s3cr3t" not in caught.value.message, caught.value.message
    assert "hunter2" not in caught.value.message, caught.value.message


@pytest.mark.parametrize(
    "refusal",
    [
        lambda fake: fake.token_error(400, "invalid_grant", "Token has been expired or revoked."),
        lambda fake: Fault(status=400, body=ECHOED_GRANT.encode(), content_type="text/plain"),
        lambda fake: Fault(status=403, body=b"Forbidden by proxy", content_type="text/plain"),
    ],
)
def test_a_refused_sign_in_says_the_token_endpoint_refused_it_not_that_google_answered_401(
    fake: GoogleTtsFake, google: GoogleTts, refusal: Callable[[GoogleTtsFake], Fault]
) -> None:
    fault = refusal(fake)
    fake.fail_next(*[fault if fault.path else fault.on("/token")] * 3)

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    message = caught.value.message
    assert "401" not in message
    assert message.startswith("Google's token endpoint refused to sign in:"), message
    assert caught.value.code == "auth_failed"


def test_credentials_that_cannot_be_used_say_so_not_that_google_answered(
    google: GoogleTts, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*_: object, **__: object) -> None:
        raise auth_errors.DefaultCredentialsError("File /etc/sa.json was not found.")  # type: ignore[no-untyped-call]

    monkeypatch.setattr(Credentials, "refresh", missing)

    with pytest.raises(ProviderError) as caught:
        google.synthesize(SENTENCE, None, "wav")

    message = caught.value.message
    assert "answered" not in message
    assert message.startswith("Google's credentials could not be used:"), message
    assert "File /etc/sa.json was not found." in message
