"""A failed fetch's message reaches the person who sent the batch (its rejections, its export):
it says in plain words what went wrong and what to do, any technical detail last, in
parentheses, without errno numbers."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from shared.fetch_address_policy import AddressPolicy, FetchRefused
from shared.safe_fetch import post
from tests.unit.shared.safe_fetch_helpers import DEFAULT, LOCAL, refused


def _lookup_fails(monkeypatch: pytest.MonkeyPatch, errno: int, text: str) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(errno, text)

    monkeypatch.setattr(socket, "getaddrinfo", fail)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def hangs_up() -> Iterator[int]:
    """A port that takes each connection and closes it at once, before any answer."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def _serving(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A port whose every connection is read once, then given to ``handle``."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.recv(4096)
                    handle(conn)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def _reset(conn: socket.socket) -> None:
    # Linger 0: close sends a reset, as a firewall or a server refusing the handshake does.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _silence(conn: socket.socket) -> None:
    conn.settimeout(10)
    while conn.recv(4096):
        pass


def _drip(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(200):
        conn.sendall(b"x")
        time.sleep(0.05)


def _answer_in_http(conn: socket.socket) -> None:
    # A plain-HTTP port, the usual reason an https:// URL fails: it answers the TLS hello in
    # HTTP, then waits for the client to give up (closing first could lose the answer).
    conn.settimeout(5)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    while conn.recv(4096):
        pass


@pytest.fixture
def speaks_http() -> Iterator[int]:
    yield from _serving(_answer_in_http)


@pytest.fixture
def resets() -> Iterator[int]:
    yield from _serving(_reset)


@pytest.fixture
def silent() -> Iterator[int]:
    yield from _serving(_silence)


@pytest.fixture
def drips() -> Iterator[int]:
    yield from _serving(_drip)


def _plain(error: FetchRefused, detail: str) -> None:
    assert "[Errno" not in error.message
    assert "_ssl.c" not in error.message
    assert ".." not in error.message
    # The person's next step comes before the detail, which closes the sentence.
    assert error.message.endswith(f"({detail}).")
    assert "check" in error.message.lower() or "try again" in error.message.lower()


def test_a_host_name_that_does_not_exist_says_to_check_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _lookup_fails(monkeypatch, socket.EAI_NONAME, "Name or service not known")

    error = refused("https://recordings.exmaple.com/a.wav", DEFAULT)

    assert error.code == "download_failed"
    assert "'recordings.exmaple.com' was not found" in error.message
    assert "check the host name" in error.message
    _plain(error, "Name or service not known")


def test_a_lookup_that_fails_for_a_while_says_to_try_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _lookup_fails(monkeypatch, socket.EAI_AGAIN, "Temporary failure in name resolution")

    error = refused("https://recordings.example.com/a.wav", DEFAULT)

    assert "try again later" in error.message
    _plain(error, "Temporary failure in name resolution")


def test_a_server_that_refuses_the_connection_says_to_make_the_url_reachable() -> None:
    error = refused(f"http://127.0.0.1:{_closed_port()}/a.wav")

    assert error.code == "download_failed"
    assert "could not connect" in error.message
    assert "reachable from the VoicePipe server" in error.message
    assert "presigned URL" in error.message
    _plain(error, "Connection refused")


def test_an_https_url_to_a_plain_http_server_says_to_check_the_scheme_and_certificate(
    speaks_http: int,
) -> None:
    error = refused(f"https://127.0.0.1:{speaks_http}/a.wav")

    assert error.code == "download_failed"
    assert "secure (https) connection" in error.message
    assert "certificate" in error.message
    assert error.message.endswith(").")
    _plain(error, error.message.rsplit("(", 1)[1].removesuffix(")."))


def test_a_server_that_hangs_up_without_answering_says_to_try_again(hangs_up: int) -> None:
    error = refused(f"http://127.0.0.1:{hangs_up}/a.wav")

    assert error.code == "download_failed"
    assert "try again" in error.message
    assert error.message.count("(") == 1


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("http://[::1/a.wav", "Invalid port: ':1'"),
        ("http://files.example.com/a\x00.wav", "Invalid non-printable ASCII character in URL"),
    ],
)
def test_a_url_that_cannot_be_read_says_to_check_it_was_copied_whole(url: str, detail: str) -> None:
    with pytest.raises(FetchRefused) as info:
        AddressPolicy().check_url(url)

    assert info.value.code == "url_refused"
    assert "copied whole" in info.value.message
    assert f"({detail}" in info.value.message
    assert info.value.message.endswith(").")
    assert ".." not in info.value.message


def test_a_reset_during_the_https_handshake_is_told_as_a_secure_connection_problem(
    resets: int,
) -> None:
    # Before, it read "could not connect ... reachable from the VoicePipe server": the
    # connection was made; the server (or a firewall before it) refused the https part.
    error = refused(f"https://127.0.0.1:{resets}/a.wav")

    assert error.code == "download_failed"
    assert "could not connect" not in error.message
    assert "secure (https) connection" in error.message
    assert "http://" in error.message  # the scheme to check
    _plain(error, "Connection reset by peer")


@pytest.mark.parametrize(
    ("port", "said"),
    [
        ("silent", "The server did not answer within 0.5 s"),
        ("drips", "The download took over 0.5 s"),
    ],
)
def test_a_download_that_runs_out_of_time_says_where_to_serve_the_file_from(
    port: str, said: str, request: pytest.FixtureRequest
) -> None:
    # Before, "The server did not answer within 30 s." and nothing more (for a server
    # sending the file too slowly as well as for one that never answered).
    error = refused(f"http://127.0.0.1:{request.getfixturevalue(port)}/a.wav", timeout_s=0.5)

    assert error.code == "download_timeout"
    assert error.message.startswith(said)
    assert "presigned URL" in error.message
    assert "VOICEPIPE_FETCH__TIMEOUT_S" in error.message


def test_a_webhook_receiver_that_does_not_answer_in_time_is_told_to_answer_first(
    silent: int,
) -> None:
    with pytest.raises(FetchRefused) as info:
        post(f"http://127.0.0.1:{silent}/hook", LOCAL, body=b"{}", headers={}, timeout_s=0.5)

    assert info.value.code == "download_timeout"
    assert "answer with a 2xx at once" in info.value.message
    assert "VOICEPIPE_WEBHOOKS__TIMEOUT_S" in info.value.message
    assert "presigned" not in info.value.message
