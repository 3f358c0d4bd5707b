"""A process's resident memory, read from /proc: now, its peak, sampled on a thread, and for
every process of a stack (the batches bench's memory points)."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from pathlib import Path

SAMPLE_EVERY_S = 0.02
RSS_EVERY_S = 0.5


def proc_kb(pid: int, name: str) -> int:
    """A size from /proc/<pid>/status (VmRSS: resident now, VmHWM: its peak)."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {name} for pid {pid}")


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its RSS now (Linux clear_refs); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssSampler:
    """The RSS of a process, read every ``SAMPLE_EVERY_S`` on a thread: (time, kB)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.readings: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _read(self) -> None:
        self.readings.append((time.perf_counter(), proc_kb(self.pid, "VmRSS")))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self._read()

    def peak_until(self, moment: float) -> int:
        return max((kb for at, kb in self.readings if at <= moment), default=0)

    def __enter__(self) -> RssSampler:
        self._read()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()


class FleetRss:
    """Each process's settled RSS after warm-up, and its peak while the big batch runs."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.warm = {name: settled_rss_kb(pid) for name, pid in pids.items()}
        self.peak = dict(self.warm)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fleet-rss", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(RSS_EVERY_S):
            for name, pid in self.pids.items():
                # A restarted child: its figure so far stands.
                with contextlib.suppress(OSError, RuntimeError):
                    self.peak[name] = max(self.peak[name], proc_kb(pid, "VmRSS"))

    def stop(self) -> dict[str, float]:
        """Growth of each process, as a share of its warm RSS."""
        self._stop.set()
        self._thread.join()
        return {name: self.peak[name] / self.warm[name] - 1 for name in self.pids}


def settled_rss_kb(pid: int, seconds: float = 0.4) -> int:
    """The process's RSS at rest: the median of a few readings."""
    readings = []
    for _ in range(max(1, int(seconds / SAMPLE_EVERY_S))):
        readings.append(proc_kb(pid, "VmRSS"))
        time.sleep(SAMPLE_EVERY_S)
    return int(statistics.median(readings))
