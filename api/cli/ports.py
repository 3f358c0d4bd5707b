"""Before a stack starts anything: are its ports free, and if not, who holds them?

A second `voicepipe up` on ports another stack holds used to restart its Valkey and API in a
loop, print "stack ready" anyway (it was the other stack answering), and start workers on the
other stack's broker with a different storage directory. Now it refuses at once and names the
holder, and the holder's data directory when the holder is a VoicePipe stack. Its data
directory is held too (``hold_data_dir``): a second stack on the same directory but other
ports would run a second Valkey on the first one's AOF and RDB files.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import psutil

from shared.settings import Settings


class PortsTaken(RuntimeError):
    """The stack's ports are held by something else; nothing was started."""


@dataclass(frozen=True)
class TakenPort:
    role: str
    host: str
    port: int
    holder: str

    def describe(self) -> str:
        return f"port {self.port} ({self.role}, {self.host}) is held by {self.holder}"


def stack_ports(settings: Settings, flower: bool) -> list[tuple[str, str, int]]:
    ports = []
    if settings.broker.embedded:
        ports.append(("broker", settings.broker.host, settings.broker.port))
    ports.append(("API", settings.api.host, settings.api.port))
    if flower:
        ports.append(("Flower", settings.flower.host, settings.flower.port))
    return ports


# The setting that moves each of the stack's ports.
PORT_SETTINGS = {
    "broker": "VOICEPIPE_BROKER__URL",
    "API": "VOICEPIPE_API__PORT",
    "Flower": "VOICEPIPE_FLOWER__PORT",
}


def clashing_ports(settings: Settings, flower: bool) -> str | None:
    """Why the stack's own servers would fight over a port, or None. Only the embedded
    stack runs them side by side: in compose or Kubernetes each has a container (and an
    address) of its own, so the settings themselves may repeat a number."""
    roles: dict[int, list[str]] = {}
    for role, _, port in stack_ports(settings, flower):
        roles.setdefault(port, []).append(role)
    for port, sharing in roles.items():
        if len(sharing) > 1:
            names = " and ".join(PORT_SETTINGS[role] for role in sharing)
            return (
                f"Not starting: {names} both give port {port}; each server of the stack "
                "needs a port of its own."
            )
    return None


def taken_ports(settings: Settings, flower: bool) -> list[TakenPort]:
    return [
        TakenPort(role, host, port, holder(port))
        for role, host, port in stack_ports(settings, flower)
        if _in_use(host, port)
    ]


def refusal(taken: list[TakenPort]) -> str:
    lines = ["Not starting: the stack's ports are taken."]
    lines += [f"  {t.describe()}" for t in taken]
    lines.append(
        "Stop what holds them (another `voicepipe up`: Ctrl-C in its terminal), or give this "
        "stack other ports (VOICEPIPE_API__PORT, VOICEPIPE_BROKER__URL, VOICEPIPE_FLOWER__PORT)."
    )
    return "\n".join(lines)


def _in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # What the servers themselves set: a port left in TIME_WAIT is free to them too.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            # EADDRNOTAVAIL above all: a host that is no address of this machine.
            raise PortsTaken(
                f"Not starting: cannot listen on {host}:{port}: {exc.strerror}"
            ) from None
    return False


def listeners(port: int) -> list[int | None] | None:
    """The pids of the processes listening on ``port``, None for one the system will not
    name (another user's, or a socket opened while this looked); None for all where it will
    not list sockets (macOS without root)."""
    try:
        return [
            c.pid
            for c in psutil.net_connections(kind="inet")
            if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
        ]
    except psutil.Error:
        return None


FOREIGN_LOOKS = 3
FOREIGN_LOOK_GAP_S = 0.2


def api_listening(pid: int, host: str, port: int) -> bool:
    """Whether the API process ``pid`` (or one of its uvicorn workers) listens on ``port``;
    PortsTaken while another process does (a stack started at the same moment won the race,
    and its API would answer our /readyz as if it were ours); True where the system will not
    list sockets, leaving the answer on the port to decide."""
    # Each look decides alone: ours may begin listening between two looks (it did, and was
    # refused). A socket opened while psutil reads /proc is listed without its process, so
    # only a process named is judged, and only one seen on every look of FOREIGN_LOOKS is
    # another's: ours, starting, was twice refused in CI on a single look naming no process
    # of ours.
    for look in range(FOREIGN_LOOKS):
        if look:
            time.sleep(FOREIGN_LOOK_GAP_S)
        held = listeners(port)
        if held is None:
            return True
        named = [p for p in held if p is not None]
        if not named or _among(pid, named):
            return bool(named)
    raise PortsTaken(refusal([TakenPort("API", host, port, holder(port))]))


def _among(pid: int, held: list[int]) -> bool:
    """Whether the process ``pid`` or one of its children (uvicorn's workers) is among
    ``held``, the listeners of a port (``listeners``)."""
    mine = {pid}
    with contextlib.suppress(psutil.Error):
        mine |= {p.pid for p in psutil.Process(pid).children(recursive=True)}
    return not mine.isdisjoint(held)


def holder(port: int) -> str:
    """The listening process, as a person would recognise it; "an unknown process" when the
    system will not say (another user's process, or no permission to list sockets)."""
    pid = _eldest([pid for pid in listeners(port) or [] if pid])
    if pid is None:
        return "an unknown process"
    try:
        process = psutil.Process(pid)
        command = " ".join(process.cmdline()[:4]) or process.name()
        data_dir = process.environ().get("VOICEPIPE_DATA_DIR")
    except psutil.Error:
        return f"pid {pid}"
    described = f"pid {pid} ({command})"
    if data_dir:
        described += f", part of a VoicePipe stack with its data in {data_dir}"
    return described


def _eldest(held: list[int]) -> int | None:
    """Of the processes holding one listening socket, the one whose parent does not hold
    it. uvicorn's workers share their parent's socket, and a child between fork and exec
    holds all of its parent's descriptors for a moment: a test's refusal once named such a
    child (a lower pid than its parent's, pids having wrapped) instead of the server."""
    for pid in held:
        with contextlib.suppress(psutil.Error):
            if psutil.Process(pid).ppid() not in held:
                return pid
    return held[0] if held else None


LOCK_FILE = "stack.lock"


def hold_data_dir(data_dir: Path) -> TextIO:
    """An exclusive lock on ``data_dir`` for as long as the returned file stays open (the
    kernel drops it when the supervisor dies, however); raises PortsTaken naming the
    holder's pid when another stack holds it. Children do not inherit it (Popen closes
    their other descriptors), so a child outliving a killed supervisor holds nothing."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise PortsTaken(
            f"Another VoicePipe stack (supervisor pid {holder}) runs on the data directory "
            f"{data_dir}: two stacks there would run two Valkey servers on the same files. "
            "Stop it, or give this one another VOICEPIPE_DATA_DIR."
        ) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
