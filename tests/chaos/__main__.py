"""`make chaos`: every scenario on its own stack, then one table; non-zero exit on any failure.

``python -m tests.chaos`` runs them all; ``python -m tests.chaos 1 4`` runs only those.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable

from tests.chaos import (
    s1_worker_kill,
    s2_broker_restart,
    s3_flaky_providers,
    s4_hung_worker,
    s5_cancel_retry,
    s6_duplicate_delivery,
    s7_batch_kills,
    s8_supervisor_kill,
)
from tests.chaos.report import render
from tests.chaos.tally import Row

SCENARIOS: dict[str, Callable[[], list[Row]]] = {
    "1": lambda: [s1_worker_kill.run()],
    "2": s2_broker_restart.run,
    "3": s3_flaky_providers.run,
    "4": s4_hung_worker.run,
    "5": s5_cancel_retry.run,
    "6": s6_duplicate_delivery.run,
    "7": lambda: [s7_batch_kills.run()],
    "8": lambda: [s8_supervisor_kill.run()],
}


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    chosen = argv or list(SCENARIOS)
    started = time.monotonic()
    rows: list[Row] = []
    for key in chosen:
        begun = time.monotonic()
        print(f"scenario {key} …", file=sys.stderr, flush=True)
        try:
            rows.extend(SCENARIOS[key]())
        except Exception as exc:  # noqa: BLE001 - a crashed scenario is a FAIL row; go on
            traceback.print_exc()
            rows.append(Row(f"{key} (crashed)", problems=[f"{type(exc).__name__}: {exc}"]))
        print(f"scenario {key} took {time.monotonic() - begun:.0f} s", file=sys.stderr, flush=True)
    print(render(rows))
    print(f"wall time {time.monotonic() - started:.0f} s")
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
