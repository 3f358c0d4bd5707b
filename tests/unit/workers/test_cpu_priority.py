"""A worker steps aside for the API: every thread of its process, and those started later."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from workers import cpu_priority

pytestmark = pytest.mark.skipif(
    not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's scheduling policy"
)

# Run in a child: a lowered priority cannot be raised again without privilege, and pytest
# must keep its own. A thread already running when step_down is called, and one started after
# it (which reports its own policy and niceness, as an ended thread can no longer be asked).
#
# A joined thread can still be listed in /proc/self/task for a moment: Python's join returns
# before the kernel has removed it. Asked about then, it raised ProcessLookupError, the probe
# died with its first thread still waiting, and the child never exited: a 300 s timeout in
# two fresh-clone CI runs (once blamed on SCHED_IDLE). So the probe waits for the list to
# settle, skips a thread gone meanwhile, and its waiting thread cannot keep it alive.
PROBE = """
import json, os, sys, threading, time
from workers.cpu_priority import step_down

stop = threading.Event()
before = threading.Thread(target=stop.wait, daemon=True)
before.start()
try:
    step_down(int(sys.argv[1]), False)
    later = []
    thread = threading.Thread(
        target=lambda: later.append((os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0)))
    )
    thread.start()
    thread.join()
    deadline = time.monotonic() + 10
    while len(os.listdir("/proc/self/task")) > 2 and time.monotonic() < deadline:
        time.sleep(0.001)
    policies, nice, tids = {later[0][0]}, {later[0][1]}, 0
    for tid in map(int, os.listdir("/proc/self/task")):
        try:
            policies.add(os.sched_getscheduler(tid))
            nice.add(os.getpriority(os.PRIO_PROCESS, tid))
            tids += 1
        except ProcessLookupError:
            continue
finally:
    stop.set()
print(json.dumps({"threads": tids, "policies": sorted(policies), "nice": sorted(nice)}))
"""


def probe(nice: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(nice)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_every_thread_gets_nicer_including_threads_started_before_and_after() -> None:
    seen = probe(10)

    assert seen["threads"] == 2
    assert seen["nice"] == [max(10, os.nice(0))]
    assert seen["policies"] == [os.sched_getscheduler(0)]


def test_with_sched_idle_each_thread_is_also_set_to_run_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(cpu_priority, "_threads", lambda: [101, 102, 103])
    monkeypatch.setattr(os, "getpriority", lambda which, who: 0)
    monkeypatch.setattr(os, "setpriority", lambda which, who, value: None)
    monkeypatch.setattr(
        os, "sched_setscheduler", lambda tid, policy, param: asked.append((tid, policy))
    )

    cpu_priority.step_down(10, True)

    assert asked == [(101, os.SCHED_IDLE), (102, os.SCHED_IDLE), (103, os.SCHED_IDLE)]


def test_without_sched_idle_no_thread_changes_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    monkeypatch.setattr(cpu_priority, "_threads", lambda: [101, 102])
    monkeypatch.setattr(os, "getpriority", lambda which, who: 0)
    monkeypatch.setattr(os, "setpriority", lambda which, who, value: None)
    monkeypatch.setattr(os, "sched_setscheduler", lambda tid, policy, param: asked.append(tid))

    cpu_priority.step_down(7, False)

    assert asked == []
