"""How a worker process steps aside for the API and the broker on a host they share.

Applied to every thread of the worker's main process before its pool starts (threads and
forked children made later inherit it):

- ``nice`` (on by default): a smaller share of the CPU while something else wants it. On
  Linux it ranks a thread only against the threads of its own scheduling group. ``voicepipe
  up`` starts every child in a session of its own, and where the kernel groups by session
  (autogroup, on in Debian's kernels) or by container, the API and Valkey are in other
  groups: there the level ranks the worker's threads among themselves only.
- ``SCHED_IDLE`` (a setting, off by default): Linux lets any other task that wakes take the
  CPU from an idle-policy task at once ("idle tasks are by definition preempted by non-idle
  tasks", in the scheduler's wake-up check), across groups, while the worker's group keeps
  its share of CPU time. The price, measured, is in WorkerSettings.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("voicepipe.worker")


def step_down(nice: int, sched_idle: bool) -> None:
    for tid in _threads():
        try:
            if nice > os.getpriority(os.PRIO_PROCESS, tid):
                os.setpriority(os.PRIO_PROCESS, tid, nice)
            if sched_idle and hasattr(os, "SCHED_IDLE"):
                os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        except ProcessLookupError:
            continue  # a thread that ended meanwhile
        except PermissionError:
            log.warning("could not lower the priority of thread %s; running as it is", tid)


def _threads() -> list[int]:
    """The process's threads: setpriority and sched_setscheduler act on one thread each."""
    try:
        return [int(tid) for tid in os.listdir("/proc/self/task")]
    except FileNotFoundError:  # not Linux: the calling thread, through the process's id
        return [os.getpid()]
