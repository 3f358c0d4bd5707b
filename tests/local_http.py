"""Small HTTP servers on 127.0.0.1 for tests: a file server and a webhook receiver.

Only ever bound to 127.0.0.1; the stacks under test are allowed to reach that one address.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

# path -> (status, headers, body)
Route = tuple[int, dict[str, str], bytes]


class LocalServer:
    """Serves fixed answers by path; ``answer`` may be replaced to decide per request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.answer: Callable[[str, str, dict[str, str], bytes], Route] = self._route
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if len(body) < length:
                    # The client went away mid-request (a sender killed between its headers
                    # and its body): a real server never hands such a request to its app.
                    self.close_connection = True
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((self.command, self.path, headers, body))
                status, out_headers, out = outer.answer(self.command, self.path, headers, body)
                self.send_response(status)
                for name, value in out_headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in out_headers:
                    self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _route(self, _method: str, path: str, _h: dict[str, str], _b: bytes) -> Route:
        return self.routes.get(path, (404, {}, b"not found"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Received:
    webhook_id: str
    verified: bool
    event: dict[str, Any] | None
    status: int


@dataclass
class WebhookReceiver:
    """Verifies every POST with the ``standardwebhooks`` package, as a client would, and
    answers each with the next status of ``statuses`` (then 200)."""

    secret: str
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def answer(self, _method: str, _path: str, headers: dict[str, str], body: bytes) -> Route:
        try:
            event = Webhook(self.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            event, verified = None, False
        status = self.statuses.pop(0) if self.statuses else 200
        if not verified:
            status = 400
        self.received.append(Received(headers.get("webhook-id", ""), verified, event, status))
        return status, {}, b""

    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.verified and 200 <= r.status < 300]
