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

import statistics
import sys
from pathlib import Path

from tests.bench.intake import Run, side_by_side
from tests.bench.results import record

FILES = 10
GOAL_RATIO = 0.5
BOUNDARY = "voicepipebenchbatchboundary"


def batch_script(folder: Path, audio: bytes) -> Path:
    parts = b"".join(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="vm{n:02d}.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n'
        ).encode()
        + audio
        + b"\r\n"
        for n in range(FILES)
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
    results = side_by_side("batch upload", "/v1/batches", batch_script, FILES)
    return 2 if results is None else report(results)


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
