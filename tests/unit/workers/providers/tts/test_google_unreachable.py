"""What a Google connection failure tells the operator to check: the setting that holds the
address only when it is what failed to answer, and never the address itself."""

from __future__ import annotations

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import texttospeech as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports.rest import (
    TextToSpeechRestTransport,
)
from google.oauth2.credentials import Credentials

from shared.settings import Settings
from tests.conftest import free_port
from workers.providers.errors import ProviderError
from workers.providers.tts.google import GoogleTts


def _unreached(provider: GoogleTts) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        provider.voices()
    assert (caught.value.code, caught.value.retryable) == ("connection_error", True)
    return caught.value


def _unset_endpoint_client(host: str, credentials: object) -> GoogleTts:
    # As the client made without VOICEPIPE_GOOGLE__ENDPOINT, but aimed at a closed port
    # here rather than at Google's own host.
    provider = GoogleTts(Settings(google={"enabled": True}).google)
    transport = TextToSpeechRestTransport(host=host, credentials=credentials, url_scheme="http")  # type: ignore[arg-type]
    provider._client = tts.TextToSpeechClient(transport=transport)
    return provider


def test_an_unreachable_endpoint_set_names_its_setting_but_not_its_address() -> None:
    port = free_port()
    provider = GoogleTts(
        Settings(google={"enabled": True, "endpoint": f"http://127.0.0.1:{port}"}).google
    )

    message = _unreached(provider).message

    assert message.startswith("could not reach Google ([Errno 111] Connection refused)")
    assert "check VOICEPIPE_GOOGLE__ENDPOINT" in message
    assert str(port) not in message  # the address was quoted through requests' words


def test_google_unreachable_without_an_endpoint_set_names_its_own_host_not_the_setting() -> None:
    # It said "check VOICEPIPE_GOOGLE__ENDPOINT", a setting nobody had set.
    provider = _unset_endpoint_client(f"127.0.0.1:{free_port()}", AnonymousCredentials())  # type: ignore[no-untyped-call]

    message = _unreached(provider).message

    assert "texttospeech.googleapis.com" in message
    assert "check VOICEPIPE_GOOGLE__ENDPOINT" not in message
    assert "VOICEPIPE_GOOGLE__ENDPOINT is unset" in message


def test_an_unreachable_token_endpoint_is_said_to_be_the_sign_in_not_the_endpoint() -> None:
    credentials = Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token="1//refresh",
        token_uri=f"http://127.0.0.1:{free_port()}/token",
        client_id="client",
        client_secret="secret",
    )
    provider = _unset_endpoint_client(f"127.0.0.1:{free_port()}", credentials)

    message = _unreached(provider).message

    assert message.startswith("could not reach Google's token endpoint to sign in")
    assert "check VOICEPIPE_GOOGLE__ENDPOINT" not in message
