"""Goal 1 of `make bench` for batches: `POST /v1/batches` with a multipart body of
recordings, next to a bare endpoint, as the intake part measures `POST /v1/jobs`.

Each request carries ten copies of the 60 s mp3 voicemail (~4.7 MB), posted by `wrk` over
16 connections on loopback. Ours is the real API: the form parsed, each recording staged in
storage, the batch and its items recorded and its planning task queued (the ingest workers,
not running here, validate each recording later as a single upload is validated). The bare
endpoint (tests/bench/bare_intake.py) accepts the same form and writes each file to the
same storage. Both run under uvicorn with the same flags and number of processes; rounds
alternate which side goes first, each after the machine is quiet, and the medians of
recordings/s are compared: at least 0.5 of the bare rate. A request carries ten times an
upload's bytes, so its p99 is reported next to the bare endpoint's rather than held to
intake's 150 ms.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from shared.settings import Settings
from tests.bench.intake import Run, run_wrk, serve, voicemail_mp3, wait_up
from tests.bench.machine import ROUNDS
from tests.bench.results import record
from tests.conftest import ValkeyProcess, free_port

FILES = 10
GOAL_RATIO = 0.5
BOUNDARY = "voicepipebenchbatchboundary"


def batch_script(folder: Path, audio: bytes, files: int = FILES) -> Path:
    parts = b"".join(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="vm{n:02d}.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n'
        ).encode()
        + audio
        + b"\r\n"
        for n in range(files)
    )
    (folder / "batch.bin").write_bytes(parts + f"--{BOUNDARY}--\r\n".encode())
    script = folder / "batch.lua"
    script.write_text(
        f'local f = io.open("{folder / "batch.bin"}", "rb")\n'
        "wrk.body = f:read('*all')\nf:close()\n"
        'wrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "multipart/form-data; boundary={BOUNDARY}"\n'
    )
    return script


def main() -> int:
    if shutil.which("wrk") is None:
        print("batch upload: wrk is missing; install it with `apt-get install wrk`")
        return 2
    processes = int(os.environ.get("BENCH_API_PROCESSES", "0")) or Settings().api.processes
    audio = voicemail_mp3()
    print(
        f"batch upload: {FILES} x {len(audio) / 1024:.0f} KB 60 s mp3 a request, wrk 16 "
        f"connections, {processes} uvicorn process(es) per side, {ROUNDS} rounds"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        script = batch_script(folder, audio)
        valkey = ValkeyProcess(folder / "valkey")
        valkey.start()
        try:
            results = _rounds(folder, valkey, processes, script)
        finally:
            valkey.stop()
    return report(results)


def _rounds(
    folder: Path, valkey: ValkeyProcess, processes: int, script: Path
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
                run = run_wrk(f"{settings.api.base_url}/v1/batches", script)
            finally:
                server.terminate()
                server.wait(30)
                shutil.rmtree(objects, ignore_errors=True)
            results[side].append(run)
            print(
                f"  round {round_no + 1} {side:4}: {run.per_s * FILES:7.1f} recordings/s, p99 "
                f"{run.p99_ms:6.1f} ms, {run.requests} requests ({run.refused} not 2xx), "
                f"cpu idle before {run.idle:.0%}"
            )
    return results


def report(results: dict[str, list[Run]]) -> int:
    ours = statistics.median(r.per_s for r in results["ours"]) * FILES
    bare = statistics.median(r.per_s for r in results["bare"]) * FILES
    p99 = statistics.median(r.p99_ms for r in results["ours"])
    bare_p99 = statistics.median(r.p99_ms for r in results["bare"])
    refused = sum(r.refused for side in results.values() for r in side)
    ratio_ok = ours / bare >= GOAL_RATIO
    print(
        f"  batch upload recordings/s  ours {ours:7.1f}  bare {bare:7.1f}  ratio "
        f"{ours / bare:.3f}  goal >= {GOAL_RATIO}  {'PASS' if ratio_ok else 'FAIL'}"
    )
    print(f"  batch upload p99  ours {p99:6.1f} ms  bare {bare_p99:6.1f} ms  (reported)")
    record(
        "batch_upload",
        "1 POST /v1/batches recordings/s",
        f"{ours:.1f}/s",
        f">= {GOAL_RATIO} of bare",
        ratio_ok,
        bare=f"{bare:.1f}/s",
        ratio=ours / bare,
    )
    record(
        "batch_upload",
        f"1 POST /v1/batches p99 ({FILES} files)",
        f"{p99:.1f} ms",
        "(reported)",
        None,
        bare=f"{bare_p99:.1f} ms",
        ratio=p99 / bare_p99,
    )
    record("batch_upload", "1 responses not 2xx", str(refused), "0", refused == 0)
    return 0 if ratio_ok and refused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
