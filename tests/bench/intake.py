"""Goal 1 of `make bench`: `POST /v1/jobs` uploads/s next to a bare endpoint.

The upload is a 60 s mp3 voicemail (~480 KB), posted by `wrk` (a separate process) over 16
connections on loopback. Ours is the real API (validation, storage, job record, queue) on a
real Valkey with local storage and no workers; the bare endpoint (tests/bench/bare_intake.py)
accepts the same multipart upload and writes it to the same storage. Both run under uvicorn
with the same flags and the same number of processes. Rounds alternate which side goes
first, each after the machine is quiet, and the medians are compared: at least 0.5 of the
bare rate, and our p99 under 150 ms.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from api.cli.child_env import child_env
from shared.audio import encode_pcm
from shared.audio.offline_voice import speak
from shared.settings import Settings
from tests.bench.machine import ROUNDS, wait_quiet
from tests.bench.results import record
from tests.conftest import ValkeyProcess, free_port

CONNECTIONS = 16
DURATION_S = int(os.environ.get("BENCH_INTAKE_SECONDS", "5"))
GOAL_RATIO = 0.5
GOAL_P99_MS = 150.0
SCRIPT = (
    "Hello, this is Dana from Northwind. I am calling about the invoice we received last "
    "week, it shows the wrong amount. Please call me back at five five five, one two three, "
    "four five six seven, any time tomorrow morning. Thank you."
)


@dataclass(frozen=True)
class Run:
    per_s: float
    p99_ms: float
    requests: int
    refused: int
    idle: float


def voicemail_mp3(seconds: float = 60.0) -> bytes:
    """The offline voice reading a message over and over: a 60 s mp3 like a real voicemail."""
    pcm, rate = speak(SCRIPT, noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0)
    whole = np.tile(pcm, int(seconds * rate / len(pcm)) + 1)[: int(seconds * rate)]
    return encode_pcm(whole, rate, "mp3")


def wrk_script(folder: Path, audio: bytes) -> Path:
    boundary = "voicepipebenchboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="vm.mp3"\r\n'
            "Content-Type: audio/mpeg\r\n\r\n"
        ).encode()
        + audio
        + f"\r\n--{boundary}--\r\n".encode()
    )
    (folder / "body.bin").write_bytes(body)
    script = folder / "post.lua"
    script.write_text(
        f'local f = io.open("{folder / "body.bin"}", "rb")\n'
        "wrk.body = f:read('*all')\nf:close()\n"
        'wrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "multipart/form-data; boundary={boundary}"\n'
    )
    return script


def serve(factory: str, settings: Settings, processes: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "--factory", factory,
        "--host", "127.0.0.1", "--port", str(settings.api.port),
        "--no-access-log", "--workers", str(processes),
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(command, env=child_env(settings), stdout=out, stderr=out)


def wait_up(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on {url}")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, script: Path) -> Run:
    idle = wait_quiet()
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    refused_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(refused_match.group(1)) if refused_match else 0
    return Run(per_s, float(value) * _UNITS[unit], requests, refused, idle)


def main() -> int:
    results = side_by_side("intake", "/v1/jobs", wrk_script)
    return 2 if results is None else report(results)


# Writes the wrk script of a request's body (for one recording, given here) into a folder.
Scripted = Callable[[Path, bytes], Path]


def side_by_side(
    part: str, path: str, make_script: Scripted, recordings: int = 1
) -> dict[str, list[Run]] | None:
    """Ours and the bare endpoint at ``path`` under wrk, ``ROUNDS`` rounds each, alternating
    which goes first; None (having said why) when wrk is missing."""
    if shutil.which("wrk") is None:
        print(f"{part}: wrk is missing; install it with `apt-get install wrk` (Debian package)")
        return None
    processes = int(os.environ.get("BENCH_API_PROCESSES", "0")) or Settings().api.processes
    audio = voicemail_mp3()
    print(
        f"{part}: {recordings} x {len(audio) / 1024:.0f} KB 60 s mp3 a request, wrk "
        f"{CONNECTIONS} connections x {DURATION_S} s, {processes} uvicorn process(es) per side, "
        f"{ROUNDS} rounds"
    )
    # In the bench run's folder (tests/bench/scratch.py), on /dev/shm where there is one.
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        script = make_script(folder, audio)
        valkey = ValkeyProcess(folder / "valkey")
        valkey.start()
        try:
            return _rounds(folder, valkey, processes, script, path, recordings)
        finally:
            valkey.stop()


def _rounds(
    folder: Path, valkey: ValkeyProcess, processes: int, script: Path, path: str, recordings: int
) -> dict[str, list[Run]]:
    results: dict[str, list[Run]] = {"ours": [], "bare": []}
    factories = {"ours": "api.main:create_app", "bare": "tests.bench.bare_intake:create_app"}
    for round_no in range(ROUNDS):
        order = ["ours", "bare"] if round_no % 2 == 0 else ["bare", "ours"]
        for side in order:
            objects = folder / "objects" / side
            settings = Settings(
                data_dir=folder / side,
                broker={"url": valkey.url, "embedded": False},
                storage={"backend": "local", "local_dir": objects},
                api={"port": free_port()},
            )
            server = serve(factories[side], settings, processes, folder / f"{side}.log")
            try:
                wait_up(f"{settings.api.base_url}/docs")
                run = run_wrk(f"{settings.api.base_url}{path}", script)
            finally:
                server.terminate()
                server.wait(30)
                shutil.rmtree(objects, ignore_errors=True)
            results[side].append(run)
            print(
                f"  round {round_no + 1} {side:4}: {run.per_s * recordings:7.1f} uploads/s, p99 "
                f"{run.p99_ms:6.1f} ms, {run.requests} requests ({run.refused} not 2xx), "
                f"cpu idle before {run.idle:.0%}"
            )
    return results


def report(results: dict[str, list[Run]]) -> int:
    ours = statistics.median(r.per_s for r in results["ours"])
    bare = statistics.median(r.per_s for r in results["bare"])
    p99 = statistics.median(r.p99_ms for r in results["ours"])
    refused = sum(r.refused for side in results.values() for r in side)
    ratio_ok = ours / bare >= GOAL_RATIO
    p99_ok = p99 < GOAL_P99_MS
    print(
        f"  intake uploads/s   ours {ours:7.1f}  bare {bare:7.1f}  ratio {ours / bare:.3f}  "
        f"goal >= {GOAL_RATIO}  {'PASS' if ratio_ok else 'FAIL'}"
    )
    record(
        "intake",
        "1 POST /v1/jobs uploads/s",
        f"{ours:.1f}/s",
        f">= {GOAL_RATIO} of bare",
        ratio_ok,
        bare=f"{bare:.1f}/s",
        ratio=ours / bare,
    )
    record("intake", "1 POST /v1/jobs p99", f"{p99:.1f} ms", f"< {GOAL_P99_MS:g} ms", p99_ok)
    record("intake", "1 responses not 2xx", str(refused), "0", refused == 0)
    verdict = "PASS" if p99_ok else "FAIL"
    print(f"  intake p99         ours {p99:6.1f} ms  goal < {GOAL_P99_MS:g} ms  {verdict}")
    print(f"  responses not 2xx  {refused}  {'PASS' if refused == 0 else 'FAIL'}")
    return 0 if ratio_ok and p99_ok and refused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
