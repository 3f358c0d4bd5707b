"""`make bench`: every performance goal, each measured side by side in this one run.

Parts: ``intake`` (uploads next to a bare endpoint), ``batch_upload`` (the same for a
multipart batch of recordings), ``pipeline`` (three stages with
instant providers next to a bare Celery chain, and the latency they add), ``io`` (the llm
and tts stages next to bare Celery and their ideal), ``batches`` (a 10,000-item batch next to small
ones), ``offline`` (real-time factors of the offline engines), ``inbox`` (a filtered page of a
10,000-job review inbox). ``make bench ONLY=intake``
runs one part. The table at the end has one line per goal; the same goes to
``.voicepipe/bench/<time>.json``. The exit status is non-zero when any goal fails.
Benchmarks are not tests: nothing here runs in ``make test``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench import (
    batch_upload,
    batches,
    inbox,
    intake,
    io_stages,
    offline,
    pipeline,
    scratch,
)
from tests.bench.results import RESULTS

PARTS: dict[str, Callable[[], int]] = {
    "intake": intake.main,
    "batch_upload": batch_upload.main,
    "pipeline": pipeline.main,
    "io": io_stages.main,
    "batches": batches.main,
    "offline": offline.main,
    "inbox": inbox.main,
}
OUT = Path(".voicepipe") / "bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", choices=sorted(PARTS), action="append")
    args = parser.parse_args(argv)
    chosen = args.only or list(PARTS)
    codes: dict[str, int] = {}
    with scratch.folder():
        for name in chosen:
            print(f"\n=== {name} ===", flush=True)
            try:
                codes[name] = PARTS[name]()
            except Exception as exc:  # noqa: BLE001 (one broken part must not hide the others)
                print(f"  {name} did not finish: {exc!r}")
                codes[name] = 2
    print_table()
    path = write_json(codes)
    print(f"\nresults: {path}")
    failed = [name for name, code in codes.items() if code != 0]
    failed += [r.part for r in RESULTS if r.ok is False and r.part not in failed]
    if failed:
        print(f"goals missed or parts failed: {', '.join(sorted(set(failed)))}")
        return 1
    return 0


def print_table() -> None:
    print("\n  part         goal                                  ours             bare          "
          "ratio  target                       result")  # fmt: skip
    for r in RESULTS:
        verdict = "" if r.ok is None else ("PASS" if r.ok else "FAIL")
        print(
            f"  {r.part:12s} {r.goal:37s} {r.ours:16s} {r.bare:13s} {r.ratio:>6s}  "
            f"{r.target:28s} {verdict}"
        )


def write_json(codes: dict[str, int]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / time.strftime("%Y%m%d-%H%M%S.json")
    path.write_text(
        json.dumps({"exit_codes": codes, "results": [r.as_dict() for r in RESULTS]}, indent=2)
    )
    return path


if __name__ == "__main__":
    sys.exit(main())
