"""What every cloud provider, of any stage, does when its vendor misbehaves: the job's error
names the vendor, says what happened and which setting to look at. Against each vendor's fake.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared.audio import decode_pcm16k
from shared.models import Stage, Transcript
from shared.settings import Settings
from tests.cloud_fakes import CloudFakes
from tests.fakes.server import FakeServer, Fault
from workers.providers.base import (
    AudioInput,
    LlmProvider,
    ReplyContext,
    SttProvider,
    TtsProvider,
)
from workers.providers.errors import ProviderError
from workers.providers.registry import build


@dataclass(frozen=True)
class Cloud:
    stage: Stage
    name: str
    vendor: str  # as the provider names it in its errors
    fake: Callable[[CloudFakes], FakeServer]
    path: str
    section: str  # the VOICEPIPE_<SECTION>__ settings of its vendor
    address: str  # the setting holding the vendor's address

    def __str__(self) -> str:
        return f"{self.stage.value}.{self.name}"


CLOUDS = [
    Cloud(Stage.STT, "whisper", "OpenAI", lambda f: f.openai, "/v1/audio/transcriptions",
          "OPENAI", "BASE_URL"),
    Cloud(Stage.STT, "claude", "Anthropic", lambda f: f.anthropic, "/v1/messages",
          "ANTHROPIC", "BASE_URL"),
    Cloud(Stage.LLM, "claude", "Anthropic", lambda f: f.anthropic, "/v1/messages",
          "ANTHROPIC", "BASE_URL"),
    Cloud(Stage.TTS, "openai", "OpenAI", lambda f: f.openai, "/v1/audio/speech",
          "OPENAI", "BASE_URL"),
    Cloud(Stage.TTS, "elevenlabs", "ElevenLabs", lambda f: f.elevenlabs, "/v1/text-to-speech",
          "ELEVENLABS", "BASE_URL"),
    Cloud(Stage.TTS, "google", "Google", lambda f: f.google, "/v1/text:synthesize",
          "GOOGLE", "ENDPOINT"),
]  # fmt: skip


@pytest.fixture(params=CLOUDS, ids=str)
def cloud(request: pytest.FixtureRequest, spoken: tuple[str, bytes]) -> Cloud:
    chosen: Cloud = request.param
    return chosen


def _call(cloud: Cloud, settings: Settings, spoken: tuple[str, bytes]) -> ProviderError:
    provider: Any = build(cloud.stage, cloud.name, settings)
    with pytest.raises(ProviderError) as caught:
        _use(provider, spoken)
    return caught.value


def _use(provider: Any, spoken: tuple[str, bytes]) -> None:
    text, data = spoken
    if isinstance(provider, SttProvider):
        pcm = decode_pcm16k(data)
        provider.transcribe(AudioInput(data, "audio/wav", "wav", pcm))
    elif isinstance(provider, LlmProvider):
        provider.respond(Transcript(text=text, provider="test"), ReplyContext())
    else:
        assert isinstance(provider, TtsProvider)
        provider.synthesize("Thanks for calling, we will ring you back.", None, "mp3")


def _failure(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes], fault: Fault, timeout_s: float = 10
) -> ProviderError:
    fake = cloud.fake(fakes)
    fake.reset()
    fake.fail_next(fault.on(cloud.path))
    try:
        return _call(cloud, Settings(**fakes.settings(timeout_s=timeout_s)), spoken)
    finally:
        fake.reset()


def test_a_200_with_an_empty_body_is_a_malformed_answer_naming_the_vendor(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes]
) -> None:
    failed = _failure(cloud, fakes, spoken, Fault(status=200, body=b""))

    assert failed.code == "malformed_response"
    assert not failed.retryable
    assert cloud.vendor in failed.message


def test_a_vendor_that_does_not_answer_in_time_names_the_timeout_setting(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes]
) -> None:
    fake = cloud.fake(fakes)
    failed = _failure(cloud, fakes, spoken, fake.timeout(3.0), timeout_s=1.0)

    assert failed.code == "timeout"
    assert failed.retryable
    assert cloud.vendor in failed.message
    assert f"VOICEPIPE_{cloud.section}__TIMEOUT_S" in failed.message


def test_a_vendor_that_cannot_be_reached_names_the_setting_of_its_address(
    cloud: Cloud, spoken: tuple[str, bytes]
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        anthropic={"api_key": "sk-ant-test-key", "base_url": nowhere},
        openai={"api_key": "sk-test", "base_url": f"{nowhere}/v1"},
        elevenlabs={"api_key": "el-test", "base_url": nowhere},
        google={"enabled": True, "endpoint": nowhere},
    )

    failed = _call(cloud, settings, spoken)

    assert failed.code == "connection_error"
    assert failed.retryable
    assert cloud.vendor in failed.message
    assert f"VOICEPIPE_{cloud.section}__{cloud.address}" in failed.message


@pytest.mark.parametrize("cloud", [c for c in CLOUDS if c.address == "BASE_URL"], ids=str)
def test_an_address_with_nothing_at_its_path_names_the_setting_of_the_address(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes]
) -> None:
    settings = fakes.settings()
    for section in ("anthropic", "openai", "elevenlabs"):  # a path the vendor does not serve
        settings[section]["base_url"] = settings[section]["base_url"].removesuffix("/v1") + "/api"

    failed = _call(cloud, Settings(**settings), spoken)

    assert (failed.code, failed.status, failed.retryable) == ("provider_rejected", 404, False)
    assert cloud.vendor in failed.message
    assert f"VOICEPIPE_{cloud.section}__BASE_URL" in failed.message


def test_a_200_broken_off_mid_read_says_the_vendor_answered_not_that_it_was_unreachable(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes]
) -> None:
    failed = _failure(cloud, fakes, spoken, cloud.fake(fakes).cut_answer(at=20))

    assert failed.code == "connection_error"
    assert failed.retryable
    assert failed.message.startswith(f"{cloud.vendor} answered")
    assert "broke off mid-read" in failed.message
    assert "could not reach" not in failed.message


# What a proxy or a compatible server in front of the vendor may answer: the request quoted
# back in a page of its own making. The words are the caller's, or the reply said to them.
_ECHOED = "Please call me back about the delivery tomorrow morning"
_ECHO_PAGES = [
    Fault(
        status=400,
        body=f"<html><head><title>400 Bad Request</title></head><body>invalid input: "
        f"{_ECHOED}</body></html>".encode(),
        content_type="text/html",
    ),
    Fault(status=422, body=f"invalid input: {_ECHOED}".encode(), content_type="text/plain"),
    Fault(status=500, body=f'{{"detail": "could not process: {_ECHOED}"}}'.encode()),
    Fault(status=400, body=f'{{"message": "invalid input: {_ECHOED}"}}'.encode()),
]


@pytest.mark.parametrize("page", _ECHO_PAGES, ids=["html", "text", "json-detail", "json-message"])
def test_an_error_page_echoing_the_request_never_reaches_the_jobs_error(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes], page: Fault
) -> None:
    failed = _failure(cloud, fakes, spoken, page)

    assert failed.status == page.status
    assert cloud.vendor in failed.message
    assert "delivery tomorrow" not in failed.message
    assert "invalid input" not in failed.message
    assert "could not process" not in failed.message


# Each vendor's documented error body, holding ``message``.
_DOCUMENTED: dict[str, Callable[[str], dict[str, Any]]] = {
    "OpenAI": lambda m: {"error": {"message": m, "type": "invalid_request_error", "code": None}},
    "Anthropic": lambda m: {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": m},
        "request_id": "req_1",
    },
    "ElevenLabs": lambda m: {"detail": {"status": "invalid_request", "message": m}},
    "Google": lambda m: {"error": {"code": 400, "message": m, "status": "INVALID_ARGUMENT"}},
}


def _documented(cloud: Cloud, message: str) -> Fault:
    return Fault(status=400, body=json.dumps(_DOCUMENTED[cloud.vendor](message)).encode())


def test_the_vendors_own_message_in_its_documented_error_shape_is_kept(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes]
) -> None:
    said = "The request could not be served by this model"

    failed = _failure(cloud, fakes, spoken, _documented(cloud, said))

    assert failed.message.startswith(f"{cloud.vendor} answered 400: {said}")


@pytest.mark.parametrize("cloud", [c for c in CLOUDS if c.stage != Stage.STT], ids=str)
def test_a_documented_message_quoting_the_text_sent_is_withheld(
    cloud: Cloud, fakes: CloudFakes, spoken: tuple[str, bytes]
) -> None:
    sent = spoken[0] if cloud.stage == Stage.LLM else "Thanks for calling, we will ring you back."

    failed = _failure(cloud, fakes, spoken, _documented(cloud, f"Invalid value: '{sent}'"))

    assert (failed.code, failed.status) == ("provider_rejected", 400)
    assert "Invalid value" not in failed.message
    assert "quotes the request (withheld)" in failed.message


@pytest.mark.parametrize("cloud", [c for c in CLOUDS if c.address == "BASE_URL"], ids=str)
def test_a_vendor_at_its_own_address_that_cannot_be_reached_names_the_network_not_a_setting(
    cloud: Cloud, spoken: tuple[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The vendor's own address (no BASE_URL set), reached through a proxy that refuses: the
    # way out is this host's network, not a setting the user never touched.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(
        anthropic={"api_key": "sk-ant-test-key"},
        openai={"api_key": "sk-test"},
        elevenlabs={"api_key": "el-test"},
    )

    failed = _call(cloud, settings, spoken)

    assert (failed.code, failed.retryable) == ("connection_error", True)
    assert failed.message.startswith(f"could not reach {cloud.vendor}")
    assert "network" in failed.message
    assert "proxy" in failed.message
    assert f"check VOICEPIPE_{cloud.section}__BASE_URL" not in failed.message
