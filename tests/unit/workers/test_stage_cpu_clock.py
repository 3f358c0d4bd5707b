"""A stage run's CPU seconds are read from the clock that charges it its own work only."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from workers.stage_metrics import task_cpu_clock


def test_a_task_on_the_main_thread_is_charged_its_whole_process() -> None:
    # Prefork and solo pools run one task at a time on the main thread: the engine's own
    # threads (ONNX Runtime's, a hybrid's two engines) are part of the task's cost.
    assert task_cpu_clock() is time.process_time


def test_a_task_on_a_pool_thread_is_charged_its_own_thread_only() -> None:
    chosen: list[Callable[[], float]] = []
    worker = threading.Thread(target=lambda: chosen.append(task_cpu_clock()))
    worker.start()
    worker.join()

    assert chosen == [time.thread_time]
