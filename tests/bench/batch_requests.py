"""Timed requests against the batches API, for the batches bench: posting a manifest, reading
a status back to back while it is taken in, waiting for a batch, interleaved status reads."""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

TERMINAL = {"completed", "canceled"}


@dataclass
class Posted:
    batch: dict[str, Any]
    began: float
    seconds: float


def post(http: httpx.Client, body: bytes) -> Posted:
    """One POST /v1/batches (its body serialized beforehand), timed."""
    began = time.perf_counter()
    response = http.post("/v1/batches", content=body, headers={"content-type": "application/json"})
    seconds = time.perf_counter() - began
    if response.status_code != 202:
        raise RuntimeError(f"POST /v1/batches answered {response.status_code}: {response.text}")
    return Posted(response.json(), began, seconds)


class Prober:
    """Reads one batch's status back to back on a thread, keeping each read's interval:
    shows whether the API answers other requests while it takes a manifest in."""

    def __init__(self, base_url: str, batch_id: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=120)
        self.batch_id = batch_id
        self.reads: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prober", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.perf_counter()
            self.http.get(f"/v1/batches/{self.batch_id}")
            self.reads.append((began, time.perf_counter()))

    def slowest_during(self, posted: Posted) -> float:
        end = posted.began + posted.seconds
        overlapping = [b - a for a, b in self.reads if a < end and b > posted.began]
        return max(overlapping, default=0.0)

    def typical(self) -> float:
        return statistics.median(b - a for a, b in self.reads)

    def __enter__(self) -> Prober:
        self._thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.http.close()


def status(http: httpx.Client, batch_id: str) -> dict[str, Any]:
    batch: dict[str, Any] = http.get(f"/v1/batches/{batch_id}").json()
    return batch


def wait_batch(
    http: httpx.Client, batch_id: str, timeout_s: float, every_s: float = 0.5
) -> tuple[dict[str, Any], bool]:
    """The batch once completed (True), or as it is when ``timeout_s`` ran out (False)."""
    deadline = time.monotonic() + timeout_s
    next_note = time.monotonic() + 15
    while True:
        batch = status(http, batch_id)
        if batch["status"] in TERMINAL:
            return batch, True
        if time.monotonic() > deadline:
            return batch, False
        if time.monotonic() > next_note:
            next_note += 15
            print(f"    ... {describe(batch)}", flush=True)
        time.sleep(every_s)


def describe(batch: dict[str, Any]) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in batch["counts"].items() if v)
    return (
        f"{batch['status']}: created {batch['created']}/{batch['items']}, "
        f"rejected {batch['rejected']}, {counts or 'no jobs'}"
    )


def time_status(
    http: httpx.Client, ids: list[str], reads: int, pause_s: float
) -> list[list[float]]:
    """``reads`` GETs of each batch, interleaved (and alternating which goes first), so
    every batch is read under the same load, ``pause_s`` between rounds; seconds per
    request, per batch."""
    times: list[list[float]] = [[] for _ in ids]
    for r in range(reads):
        if r:
            time.sleep(pause_s)
        order = list(range(len(ids)))
        if r % 2:
            order.reverse()
        for i in order:
            started_at = time.perf_counter()
            response = http.get(f"/v1/batches/{ids[i]}")
            times[i].append(time.perf_counter() - started_at)
            if response.status_code != 200:
                raise RuntimeError(f"GET batch answered {response.status_code}")
    return times


def time_status_apart(
    base_url: str, ids: list[str], reads: int, pause_s: float
) -> list[list[float]]:
    """``time_status`` from a client process of its own, as a real client reads.

    This process serves the vendor fakes on threads (thousands of stage calls while the big
    batch runs), and a timer sharing their GIL measured its own wait for it: p50 2.6 ms but
    p95 18 ms on the big and the small batch alike, the tail of the GIL's 5 ms switch
    interval among busy threads, not the API's.
    """
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        return pool.submit(_time_status_in_child, base_url, ids, reads, pause_s).result()


def _time_status_in_child(
    base_url: str, ids: list[str], reads: int, pause_s: float
) -> list[list[float]]:
    with httpx.Client(base_url=base_url, timeout=120) as http:
        return time_status(http, ids, reads, pause_s)
