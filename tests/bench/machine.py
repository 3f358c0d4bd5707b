"""What every bench part needs from the machine: a quiet moment before each measurement."""

from __future__ import annotations

import os
import time

# Rounds of each side-by-side pair, alternating which goes first; the median of each side
# is compared. Five, not three: single rounds on this 2-core VM moved by 15-40 % within
# one invocation (a pipeline round of 0.38 beside ones of 0.48 and 0.53), and a median of
# three follows one bad round too easily.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return idle, sum(fields)


def wait_quiet(idle_share: float = 0.85, timeout_s: float = 30.0) -> float:
    """Wait until the CPUs were at least ``idle_share`` idle over half a second; the share
    seen last is returned (the bench prints it, so a noisy measurement says so)."""
    deadline = time.monotonic() + timeout_s
    share = 0.0
    while time.monotonic() < deadline:
        idle0, total0 = _cpu_times()
        time.sleep(0.5)
        idle1, total1 = _cpu_times()
        share = (idle1 - idle0) / max(1, total1 - total0)
        if share >= idle_share:
            break
    return share
