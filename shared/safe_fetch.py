"""Every outbound HTTP request made on a client's behalf: URL items and webhook callbacks.

A client chooses these URLs, so each hop is checked against address rules before any
connection is made (shared.fetch_address_policy), and the connection goes to the very address
that was checked.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from shared import fetch_messages
from shared.deadline_transport import deadline_transport
from shared.fetch_address_policy import AddressPolicy, FetchRefused

USER_AGENT = "VoicePipe/0.1"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Fetched:
    data: bytes
    final_url: str
    content_type: str | None


@dataclass(frozen=True)
class PostResult:
    status: int
    headers: dict[str, str]
    elapsed_s: float
    body_prefix: str


def _pinned(
    client: httpx.Client,
    policy: AddressPolicy,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[httpx.URL, httpx.Request]:
    parsed = policy._parse(url)
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    ip = policy.resolve(host, port)
    extensions = {"sni_hostname": host.rstrip(".")} if parsed.scheme == "https" else {}
    sent = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
    # The Host header and the TLS name stay the real ones; only the socket goes to ``ip``.
    sent["Host"] = parsed.netloc.decode("ascii")
    method = "GET" if body is None else "POST"
    pinned = parsed.copy_with(host=ip)
    request = client.build_request(
        method, pinned, content=body, headers=sent, extensions=extensions
    )
    return parsed, request


@contextmanager
def _client(timeout_s: float, hint: str, too_slow: str) -> Iterator[httpx.Client]:
    # No environment proxies (they would defeat pinning) and no kept-alive connections: a
    # pooled TLS connection keyed by IP could be reused for a different host name.
    # The whole exchange, redirects included, ends within timeout_s: a server dripping its
    # headers or body never trips a per-read timeout (shared/deadline_transport.py).
    client = httpx.Client(
        timeout=timeout_s,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
        transport=deadline_transport(time.monotonic() + timeout_s),
    )
    try:
        yield client
    except httpx.TimeoutException:
        raise FetchRefused(
            "download_timeout", fetch_messages.no_answer(timeout_s, too_slow)
        ) from None
    except httpx.HTTPError as exc:
        raise FetchRefused("download_failed", fetch_messages.failed(exc, hint)) from None
    except httpx.InvalidURL as exc:  # a Location header that is not a URL
        raise FetchRefused("url_refused", fetch_messages.bad_redirect(exc)) from None
    finally:
        client.close()


class _Unpacker:
    """A download's bytes as sent, unpacked from gzip or deflate a bounded piece at a time:
    httpx inflates each read whole, ~64 MB from 64 KiB of a gzip bomb, before any size check."""

    def __init__(self, encoding: str, limit: int, too_large: FetchRefused) -> None:
        self._encoding = encoding.strip().lower()
        self._inflater: zlib._Decompress | None = None
        self._limit = limit
        self._too_large = too_large
        self.size = 0
        if self._encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(31)
        elif self._encoding not in ("", "identity", "deflate"):
            raise FetchRefused(
                "download_failed",
                f"The server sent the file encoded as {encoding!r}, which VoicePipe does not "
                "unpack; serve it uncompressed (or gzip).",
            )

    def feed(self, raw: bytes) -> bytes:
        if self._encoding == "deflate" and self._inflater is None and raw:
            # "deflate" is meant to be zlib-wrapped; some servers send it bare, as httpx allows.
            wrapped = len(raw) > 1 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0
            self._inflater = zlib.decompressobj(15 if wrapped else -15)
        if self._inflater is None:
            return self._count(raw)
        try:
            out = self._inflater.decompress(raw, self._limit - self.size + 1)
            self._count(out)
            while self._inflater.unconsumed_tail:
                tail = self._inflater.unconsumed_tail
                out += self._count(self._inflater.decompress(tail, self._limit - self.size + 1))
        except zlib.error as exc:
            raise FetchRefused(
                "download_failed", f"The server's {self._encoding} data is damaged ({exc})."
            ) from None
        return out

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self._limit:
            raise self._too_large
        return data


def fetch(
    url: str, policy: AddressPolicy, *, max_bytes: int, timeout_s: float, max_redirects: int
) -> Fetched:
    """GET ``url``, following redirects by hand so that every hop passes the address rules."""
    # httpx's timeout is per read; this deadline also stops a server that drips bytes.
    deadline = time.monotonic() + timeout_s
    too_large = FetchRefused("too_large", f"The download is over the limit of {max_bytes} bytes.")
    with _client(timeout_s, fetch_messages.FILE_HINT, fetch_messages.FILE_TOO_SLOW) as client:
        for hop in range(max_redirects + 1):
            # Asked uncompressed (audio gains nothing from gzip); a server that compresses
            # anyway is unpacked within the limit.
            parsed, request = _pinned(client, policy, url, headers={"Accept-Encoding": "identity"})
            response = client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    url = str(parsed.join(response.headers["location"]))
                    continue
                if not response.is_success:
                    # The URL is not repeated: the item shows its source (redacted if the
                    # batch redacts), and a path or query may hold a number or a signature.
                    where = f" at {parsed.host}, where the URL redirected" if hop else ""
                    raise FetchRefused(
                        "download_failed",
                        f"The server answered {response.status_code} "
                        f"{response.reason_phrase}{where}.",
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise too_large
                chunks: list[bytes] = []
                unpacker = _Unpacker(
                    response.headers.get("content-encoding", ""), max_bytes, too_large
                )
                slow = FetchRefused("download_timeout", fetch_messages.too_slow(timeout_s))
                try:
                    for chunk in response.iter_raw():
                        chunks.append(unpacker.feed(chunk))
                        if time.monotonic() > deadline:
                            raise slow
                except httpx.TimeoutException:
                    raise slow from None  # the answer came; its body did not in time
                return Fetched(b"".join(chunks), str(parsed), response.headers.get("content-type"))
            finally:
                response.close()
        raise FetchRefused(
            "download_failed",
            f"The URL led through more than {max_redirects} redirects, the most VoicePipe follows.",
        )


def post(
    url: str, policy: AddressPolicy, *, body: bytes, headers: dict[str, str], timeout_s: float
) -> PostResult:
    """POST once; a 3xx is reported as a status, never followed."""
    started = time.monotonic()
    # Asked uncompressed and read as it comes (iter_raw, never inflated): of the answer only
    # its first bytes are kept, and inflating a receiver's gzip to keep them cost ~64 MB per
    # 64 KiB read (a small "bomb" answer took 150 MB per attempt, the webhooks pool runs 32).
    sent = {**headers, "Accept-Encoding": "identity"}
    with _client(timeout_s, "", fetch_messages.RECEIVER_TOO_SLOW) as client:
        _parsed, request = _pinned(client, policy, url, body, sent)
        response = client.send(request, stream=True)
        try:
            # The answer is only logged, so a little of it is enough.
            prefix = b""
            try:
                for chunk in response.iter_raw():
                    prefix += chunk
                    if len(prefix) >= 1024:
                        break
            except httpx.TransportError:
                # The status came in time and decides; the body is only logged. A body that
                # breaks off (the receiver closed early) or is still coming at the deadline
                # leaves the status the receiver's answer: a 200 so was taken for a failure
                # (a timeout, "did not answer") and the event sent again on every attempt.
                pass
            text = prefix.decode("utf-8", errors="replace")
        finally:
            response.close()
    return PostResult(
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
        elapsed_s=time.monotonic() - started,
        body_prefix=text[:200],
    )
