"""A worker steps aside for the API: every thread of its process, and those started later."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's scheduling policy"
)

# Run in a child: the policy cannot be undone without privilege, and pytest must keep its own.
# A thread already running when step_down is called, and one started after it (which reports
# its own policy and niceness, as an ended thread can no longer be asked).
PROBE = """
import json, os, sys, threading
from workers.cpu_priority import step_down

stop = threading.Event()
before = threading.Thread(target=stop.wait)
before.start()
step_down(int(sys.argv[1]), sys.argv[2] == "1")
later = []
thread = threading.Thread(
    target=lambda: later.append((os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0)))
)
thread.start()
thread.join()
tids = [int(t) for t in os.listdir("/proc/self/task")]
policies = {os.sched_getscheduler(t) for t in tids} | {later[0][0]}
nice = {os.getpriority(os.PRIO_PROCESS, t) for t in tids} | {later[0][1]}
stop.set()
print(json.dumps({"threads": len(tids), "policies": sorted(policies), "nice": sorted(nice)}))
"""


def probe(nice: int, sched_idle: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(nice), "1" if sched_idle else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_every_thread_runs_idle_and_nicer_including_threads_started_before_and_after() -> None:
    seen = probe(10, True)

    assert seen["threads"] == 2
    assert seen["policies"] == [os.SCHED_IDLE]
    assert seen["nice"] == [max(10, os.nice(0))]


def test_without_sched_idle_the_threads_keep_their_policy_and_only_get_nicer() -> None:
    seen = probe(7, False)

    assert seen["policies"] == [os.sched_getscheduler(0)]
    assert seen["nice"] == [max(7, os.nice(0))]
