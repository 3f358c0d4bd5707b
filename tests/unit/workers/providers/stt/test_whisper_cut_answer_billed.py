"""A Whisper answer whose 200 came but whose body broke off mid-read (the connection closed
before its Content-Length) was billed by OpenAI all the same: the failure stays a retryable
connection_error (a new call is likely to be read whole) and carries the recording's
seconds, as an unreadable 200 does, for the stage runner to charge with the retry."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from shared.audio import decode_pcm16k
from shared.models import Billed
from shared.settings import Settings
from workers.providers.base import AudioInput
from workers.providers.errors import ProviderError
from workers.providers.stt.whisper import WhisperStt
from workers.providers.tts.local import PiperTts


def _serve_once(head: bytes, body: bytes) -> Iterator[str]:
    """A server that reads one request, sends ``head`` and ``body``, and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                received += conn.recv(65536)
            header, _, rest = received.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in header.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            while len(rest) < length:
                rest += conn.recv(65536)
            conn.sendall(head + body)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/v1"
    thread.join(timeout=10)
    listener.close()


@pytest.fixture(scope="module")
def spoken() -> AudioInput:
    data = PiperTts().synthesize("Please call me back tomorrow morning.", None, "wav").data
    return AudioInput(data, "audio/wav", "wav", decode_pcm16k(data))


@pytest.mark.parametrize(
    ("status", "charged"), [(200, True), (500, False)], ids=["answered", "error"]
)
def test_an_answer_whose_body_broke_off_carries_the_seconds_only_when_it_was_a_200(
    spoken: AudioInput, status: int, charged: bool
) -> None:
    head = (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
    ).encode()
    for url in _serve_once(head, b'{"text": "call me'):
        settings = Settings(openai={"api_key": "sk-test", "base_url": url, "timeout_s": 10})
        with pytest.raises(ProviderError) as caught:
            WhisperStt(settings.openai).transcribe(spoken)

    seconds = round(len(spoken.pcm16k) / 16_000, 3)
    model = settings.openai.stt_model
    assert caught.value.retryable
    if charged:
        assert caught.value.code == "connection_error"
        assert "broke off" in caught.value.message
        assert caught.value.charges == [Billed(engine="whisper", model=model, audio_s=seconds)]
    else:
        assert caught.value.charges == []
