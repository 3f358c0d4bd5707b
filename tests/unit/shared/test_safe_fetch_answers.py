"""What a POST (a webhook delivery) takes from the receiver's answer: a little, whatever the
receiver sends; and what a GET (a URL item) takes of a compressed download: no more than the
limit. Either server is any URL a tenant names, so its answer is untrusted."""

from __future__ import annotations

import contextlib
import threading
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.fetch_address_policy import FetchRefused
from shared.safe_fetch import fetch, post
from tests.unit.shared.safe_fetch_helpers import LOCAL

# 200 MB of zeros gzipped: about 200 KB on the wire.
BOMB_INFLATED = 200 * 1024 * 1024


def _gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(BOMB_INFLATED // len(block))]
    return b"".join(parts) + packer.flush()


class _Receiver(BaseHTTPRequestHandler):
    bomb = b""
    seen: list[dict[str, str]]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = self.bomb if self.path == "/bomb" else zlib.compress(b"RIFF" * 1000, wbits=31)
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.path.startswith("/cut-short/"):
            # The answer's head says 1,000 bytes; the connection ends after 10.
            status = int(self.path.rsplit("/", 1)[1])
            head = f"HTTP/1.1 {status} X\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"
            self.wfile.write(head.encode() + b"x" * 10)
            self.wfile.flush()
            self.close_connection = True
            return
        # Compressed whatever the request asked for, as a hostile receiver would.
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.bomb)))
        self.end_headers()
        # The client may stop reading early, as it should.
        with contextlib.suppress(OSError):
            self.wfile.write(self.bomb)


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Receiver", (_Receiver,), {"bomb": _gzip_bomb(), "seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


def test_a_compressed_answer_is_not_inflated_into_memory(
    receiver: tuple[str, list[dict[str, str]]],
) -> None:
    # Before, httpx inflated the first 64 KiB read of the answer (about 64 MB here) to keep
    # 1 KB of it: 130 MB of peak per attempt, and the webhooks pool runs 32 at once.
    base, _ = receiver
    tracemalloc.start()
    try:
        result = post(base + "/hook", LOCAL, body=b"{}", headers={}, timeout_s=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.status == 200
    assert peak < 8 * 1024 * 1024
    assert len(result.body_prefix) <= 200


def test_the_post_asks_for_an_answer_without_compression(
    receiver: tuple[str, list[dict[str, str]]],
) -> None:
    base, seen = receiver
    post(base + "/hook", LOCAL, body=b"{}", headers={}, timeout_s=10)

    assert seen[-1]["accept-encoding"] == "identity"


@pytest.mark.parametrize("status", [200, 410, 503])
def test_an_answer_whose_body_breaks_off_keeps_the_status_it_gave(
    receiver: tuple[str, list[dict[str, str]]], status: int
) -> None:
    # The status decides a delivery; the body is only kept for the record. Before, a body
    # cut short was a failed request (download_failed): a receiver that said 200 so was sent
    # the event again, on every attempt of the schedule, then recorded as never reached.
    base, _ = receiver

    result = post(f"{base}/cut-short/{status}", LOCAL, body=b"{}", headers={}, timeout_s=10)

    assert result.status == status
    assert result.body_prefix == "x" * 10


def test_a_compressed_download_is_refused_at_the_limit_without_inflating_past_it(
    receiver: tuple[str, list[dict[str, str]]],
) -> None:
    # Before, httpx inflated each 64 KiB read whole (about 64 MB here) before the size was
    # checked: 150 MB of peak for a 200 KB answer under the 25 MB limit, per ingest thread.
    base, seen = receiver
    tracemalloc.start()
    try:
        with pytest.raises(FetchRefused) as info:
            fetch(base + "/bomb", LOCAL, max_bytes=1024 * 1024, timeout_s=10, max_redirects=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert info.value.code == "too_large"
    assert peak < 8 * 1024 * 1024
    assert seen[-1]["accept-encoding"] == "identity"


def test_a_compressed_download_within_the_limit_is_unpacked(
    receiver: tuple[str, list[dict[str, str]]],
) -> None:
    base, _ = receiver

    got = fetch(base + "/small.wav", LOCAL, max_bytes=1024 * 1024, timeout_s=10, max_redirects=0)

    assert got.data == b"RIFF" * 1000
