"""An httpx transport whose every connect, read and write ends by one deadline.

httpx's timeouts are per operation: a server that answers a byte every few seconds, in its
headers or its body, never trips a 15 s read timeout and holds the request for hours. For a
webhook that was worse than slow: the delivery outlived its lease (``WEBHOOKS__LEASE_S``,
meant to be above ``WEBHOOKS__TIMEOUT_S``), so the relay handed the event out again every
minute, each time to another thread of the pool, posting it again to the same receiver;
within the pool's 32 threads, no tenant's events went out. Here each socket operation is
given what is left of the request's time, whatever httpx asked for.
"""

from __future__ import annotations

import ssl
import time
import typing

import httpcore
import httpx


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(self._deadline, timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(self._deadline, timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, left), self._deadline
        )

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, deadline: float) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(self._deadline, timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _left(deadline: float, timeout: float | None, late: type[Exception]) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise late("the request ran past its deadline")
    return left if timeout is None else min(timeout, left)


def deadline_transport(deadline: float) -> httpx.HTTPTransport:
    """A transport (no kept-alive connections) that fails every request still running at
    ``deadline`` (time.monotonic()) with a timeout."""
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    # httpx has no public way to give its connection pool a network backend.
    transport._pool._network_backend = _DeadlineBackend(deadline)
    return transport
