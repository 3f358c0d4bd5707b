"""How `voicepipe up` waits for the stack it starts: the broker answering (and being our own
Valkey), the API serving on our port, every worker consuming its queue; and how Ctrl-C or
SIGTERM cuts those waits short."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import redis
from kombu.exceptions import OperationalError

from api.cli.ports import PortsTaken, TakenPort, api_listening, holder, refusal
from api.cli.processes import Child
from shared.settings import Settings
from shared.settings.services import without_password

log = logging.getLogger("voicepipe.stack")


class StartInterrupted(Exception):
    """Ctrl-C or SIGTERM came while the stack was starting: it gives up waiting at once."""


class StackReadiness:
    """The waits of api.cli.stack.Stack's start, on the state its ``__init__`` sets."""

    settings: Settings
    children: list[Child]
    logs_dir: Path
    failed: str | None
    _interrupted: threading.Event
    _worker_names: set[str]

    def interrupt(self) -> None:
        """Make a start under way (now or later) raise StartInterrupted instead of waiting
        out its timeout: the start-up waits ignored Ctrl-C for as long as they lasted."""
        self._interrupted.set()

    def _check_interrupted(self) -> None:
        if self._interrupted.is_set():
            raise StartInterrupted("start-up interrupted")

    def _wait_broker(self, timeout_s: float, server: Child | None = None) -> None:
        """Until the broker answers; with ``server`` (the embedded Valkey), until it is that
        process which answers: another started on the same port at the same moment passes
        the port check, and the workers would then run on the other stack's broker."""
        client = redis.Redis.from_url(self.settings.broker.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout_s
        while True:
            self._check_interrupted()
            if server is not None and server.process is not None:
                code = server.process.poll()
                if code is not None:
                    msg = f"the broker exited with {code}; see {server.log_path}"
                    raise RuntimeError(msg)
            try:
                client.ping()
                if server is not None and server.process is not None:
                    self._check_broker_is(server.process.pid, client)
                return
            except (redis.AuthenticationError, redis.ResponseError) as exc:
                # It runs but refuses us (a password it does not know, say): no wait helps.
                # (redis-py's AuthenticationError is a ConnectionError: caught first.)
                url = without_password(self.settings.broker.url)
                raise RuntimeError(f"broker at {url}: {exc}") from exc
            except redis.ConnectionError as exc:
                if time.monotonic() > deadline:
                    msg = f"broker did not start; see {self.logs_dir}/valkey.log"
                    raise RuntimeError(msg) from exc
                time.sleep(0.1)
            finally:
                client.close()

    def _check_broker_is(self, pid: int, client: redis.Redis) -> None:
        answering = int(client.info("server")["process_id"])
        if answering != pid:
            host, port = self.settings.broker.host, self.settings.broker.port
            raise PortsTaken(refusal([TakenPort("broker", host, port, holder(port))]))

    def _api_serving(self) -> bool:
        """Whether our API listens on its port; PortsTaken while another process does: a
        stack started at the same moment won the race (ours exits, or with several uvicorn
        processes waits on nothing), whose API answered our /readyz as if it were ours."""
        api = next((c for c in self.children if c.name == "api"), None)
        if api is None or api.process is None:
            return True  # no API of ours to wait for
        return api_listening(api.process.pid, self.settings.api.host, self.settings.api.port)

    def workers_missing(self, replies: Iterable[Mapping[str, object]]) -> set[str]:
        """The worker processes (Celery names without the host: ``llm``, ``llm-2``) that no
        reply to a control ping came from."""
        answered = {name.split("@")[0] for reply in replies for name in reply}
        return self._worker_names - answered

    def wait_ready(self, timeout_s: float = 90.0) -> None:
        """Block until the API answers ready and every worker process consumes its queue."""
        from shared.celery_app import create_celery

        deadline = time.monotonic() + timeout_s
        url = f"{self.settings.api.base_url}/readyz"
        app = create_celery(self.settings)
        try:
            while time.monotonic() < deadline:
                self._check_interrupted()
                if self.failed:
                    raise RuntimeError(self.failed)
                try:
                    api_ok = self._api_serving() and httpx.get(url, timeout=2).status_code == 200
                except httpx.HTTPError:
                    api_ok = False
                try:
                    replies = app.control.ping(timeout=1.0) if api_ok else []
                except (redis.RedisError, OSError, OperationalError) as exc:
                    # The broker may still be loading its AOF after a restart.
                    log.debug("control ping failed: %s", exc)
                    replies = []
                if api_ok and not self.workers_missing(replies):
                    log.info(
                        "stack ready: api %s, workers %s",
                        self.settings.api.base_url,
                        sorted(self._worker_names),
                    )
                    return
                time.sleep(0.3)
        finally:
            app.close()
        raise RuntimeError(f"stack not ready after {timeout_s:.0f} s; logs in {self.logs_dir}")
