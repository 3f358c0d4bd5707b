"""`voicepipe up` as a supervisor that cannot be confused: busy ports refuse at once, its
children never outlive it (even after SIGKILL), and SIGTERM stops the whole stack in time."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.test_up import _wait_ready, wait_announced

pytestmark = pytest.mark.integration


@contextmanager
def _up(voicepipe_bin: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    with log.open("w") as out:
        proc = subprocess.Popen(
            [voicepipe_bin, "up"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)


def _tree(pid: int) -> list[psutil.Process]:
    return [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]


def _gone_within(processes: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """The processes still alive after ``timeout_s``."""
    _, alive = psutil.wait_procs(processes, timeout=timeout_s)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def test_up_refuses_at_once_when_its_ports_are_taken_and_names_the_holder(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    port = int(cli_env["VOICEPIPE_API__PORT"])
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        began = time.monotonic()
        done = subprocess.run(
            [voicepipe_bin, "up"], env=cli_env, capture_output=True, text=True, timeout=30
        )
        took = time.monotonic() - began

    assert done.returncode != 0
    assert took < 5
    message = done.stderr + done.stdout
    assert f"port {port} (API, 127.0.0.1) is held by pid" in message
    assert "Not starting" in message
    assert not (tmp_path / "data" / "logs").exists(), "nothing may start"


def test_a_second_up_on_a_running_stacks_ports_names_that_stacks_data_directory(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    base = f"http://127.0.0.1:{cli_env['VOICEPIPE_API__PORT']}"
    with _up(voicepipe_bin, cli_env, tmp_path / "first.log") as first:
        _wait_ready(base, first)
        second_env = {**cli_env, "VOICEPIPE_DATA_DIR": str(tmp_path / "second")}
        began = time.monotonic()
        done = subprocess.run(
            [voicepipe_bin, "up"], env=second_env, capture_output=True, text=True, timeout=30
        )

        assert done.returncode != 0
        assert time.monotonic() - began < 5
        message = done.stderr + done.stdout
        assert f"VoicePipe stack with its data in {tmp_path / 'data'}" in message
        # The first stack is untouched and still serves.
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200


def test_no_child_outlives_a_supervisor_killed_with_sigkill(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    base = f"http://127.0.0.1:{cli_env['VOICEPIPE_API__PORT']}"
    with _up(voicepipe_bin, cli_env, tmp_path / "up.log") as proc:
        _wait_ready(base, proc)
        family = _tree(proc.pid)[1:]
        assert len(family) >= 7  # valkey, api, five workers (and their pool children)

        proc.kill()
        proc.wait(timeout=10)

        assert _gone_within(family, timeout_s=15) == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz", timeout=2)


def test_sigterm_stops_the_whole_stack_within_its_stop_timeout(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    base = f"http://127.0.0.1:{cli_env['VOICEPIPE_API__PORT']}"
    env = {**cli_env, "VOICEPIPE_SUPERVISOR__STOP_TIMEOUT_S": "10"}
    with _up(voicepipe_bin, env, tmp_path / "up.log") as proc:
        _wait_ready(base, proc)
        wait_announced(tmp_path / "up.log", proc)
        family = _tree(proc.pid)

        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        took = time.monotonic() - began

        assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
        assert took <= 10 + 1.5  # the budget, plus the supervisor's own exit
        assert _gone_within(family, timeout_s=1) == []


def test_ctrl_c_during_start_up_stops_the_stack_without_waiting_for_it_to_be_ready(
    tmp_path: Path, cli_env: dict[str, str], voicepipe_bin: str
) -> None:
    log = tmp_path / "up.log"
    with _up(voicepipe_bin, cli_env, log) as proc:
        deadline = time.monotonic() + 60
        while "started flower" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.05)
        family = _tree(proc.pid)

        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)

    output = log.read_text()
    assert code == 130, output[-3000:]
    assert "VoicePipe is up" not in output
    assert _gone_within(family, timeout_s=1) == []
