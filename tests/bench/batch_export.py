"""Streaming a batch's results while the API's memory is watched (the batches bench's
export point): each export in a fresh, warmed API process."""

from __future__ import annotations

import csv
import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.bench.process_memory import RssSampler, proc_kb, reset_peak, settled_rss_kb
from tests.integration.conftest import RunningStack

# The first pages lift RSS to its working level (allocator arenas); after that it stays.
# Measured 1.44-1.53x here run to run, so 1.5 would be a coin flip: twice, for ten times
# the rows, and the second half's growth below is the stricter check of flatness.
EXPORT_GOAL_RATIO = 2.0
# Growth while the second half of the body streams: a bounded working set adds nothing.
EXPORT_SECOND_HALF_MB = 0.25
EXPORT_GOAL_MB = 4.0
# A small export's growth below this counts as this much in the ratio: RSS moves in
# allocator arenas, and twice almost nothing is not a meaningful bound.
EXPORT_FLOOR_MB = 0.5


@dataclass
class Export:
    items: int
    fmt: str
    before_kb: int
    sampled_growth_kb: int
    hwm_growth_kb: int | None  # from VmHWM, exact, when the kernel let us reset it
    # Sampled growth by the time a quarter and half of the body had arrived: a flat
    # export reaches its peak within the first pages, a buffering one climbs to the end.
    growth_by_kb: dict[float, int]
    seconds: float
    size: int
    rows: int
    samples: int

    @property
    def growth_kb(self) -> int:
        return max(self.sampled_growth_kb, self.hwm_growth_kb or 0)

    @property
    def growth_mb(self) -> float:
        return self.growth_kb / 1024

    @property
    def rows_per_s(self) -> float:
        return self.items / self.seconds

    @property
    def rows_ok(self) -> bool:
        # CSV: a header and one row per item; JSONL: one line per item.
        return self.rows == self.items + (1 if self.fmt == "csv" else 0)

    def line(self) -> str:
        hwm = "n/a" if self.hwm_growth_kb is None else f"+{self.hwm_growth_kb / 1024:.2f} MB"
        by = ", ".join(f"{q:.0%} +{kb / 1024:.2f}" for q, kb in self.growth_by_kb.items())
        return (
            f"  export {self.fmt:5s} {self.items:6d} items: RSS {self.before_kb / 1024:.1f} MB, "
            f"peak +{self.sampled_growth_kb / 1024:.2f} MB sampled ({self.samples} samples; "
            f"by {by} MB of the body), VmHWM {hwm}; {self.seconds:.2f} s, "
            f"{self.rows_per_s:,.0f} rows/s, {self.size:,} bytes, {self.rows} parsed rows "
            f"({'ok' if self.rows_ok else 'WRONG'})"
        )


def export(http: httpx.Client, pid: int, batch_id: str, items: int, fmt: str, out: Path) -> Export:
    """Stream one export to ``out`` while the API's RSS is sampled; then count its rows."""
    before = settled_rss_kb(pid)
    exact = reset_peak(pid)
    received: list[tuple[float, int]] = []
    size = 0
    url = f"/v1/batches/{batch_id}/results"
    started_at = time.perf_counter()
    with (
        RssSampler(pid) as sampler,
        out.open("wb") as handle,
        http.stream("GET", url, params={"format": fmt}) as response,
    ):
        if response.status_code != 200:
            raise RuntimeError(f"export answered {response.status_code}")
        for piece in response.iter_bytes():
            handle.write(piece)
            size += len(piece)
            received.append((time.perf_counter(), size))
    seconds = time.perf_counter() - started_at
    hwm = proc_kb(pid, "VmHWM") - before if exact else None
    by: dict[float, int] = {}
    for share in (0.25, 0.5):
        moment = next((at for at, got in received if got >= share * size), started_at)
        by[share] = max(0, sampler.peak_until(moment) - before)
    if fmt == "csv":
        with out.open(newline="", encoding="utf-8-sig") as handle:
            rows = sum(1 for _ in csv.reader(handle))
    else:
        with out.open(encoding="utf-8") as handle:
            rows = sum(1 for line in handle if json.loads(line))
    return Export(
        items=items,
        fmt=fmt,
        before_kb=before,
        sampled_growth_kb=max(0, sampler.peak_until(time.perf_counter()) - before),
        hwm_growth_kb=None if hwm is None else max(0, hwm),
        growth_by_kb=by,
        seconds=seconds,
        size=size,
        rows=rows,
        samples=len(sampler.readings),
    )


def export_ok(big: Export, small: Export) -> bool:
    floor = EXPORT_FLOOR_MB * 1024
    within_ratio = big.growth_kb <= EXPORT_GOAL_RATIO * max(small.growth_kb, floor)
    return within_ratio and big.growth_mb < EXPORT_GOAL_MB


def second_half_mb(big: Export) -> float:
    return (big.growth_kb - big.growth_by_kb[0.5]) / 1024


def restart_api(stack: RunningStack, timeout_s: float = 60.0) -> int:
    """Stop the API process and let the stack start a fresh one; its pid once ready."""
    child = stack.stack.child("api")
    old = child.process
    assert old is not None
    old.send_signal(signal.SIGTERM)
    old.wait(30)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.process is not old and child.process is not None:
            try:
                if httpx.get(f"{stack.settings.api.base_url}/readyz", timeout=2).is_success:
                    return child.process.pid
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise RuntimeError("the API did not come back after its restart")


def fresh_export(
    stack: RunningStack,
    http: httpx.Client,
    warm: tuple[str, int],
    batch_id: str,
    items: int,
    fmt: str,
) -> Export:
    """One export measured in a fresh API process, after an unmeasured export of the same
    format of the small ``warm`` batch (its id and size). Fresh: an earlier request (the
    10,000-item POST, another export) leaves the heap grown, and an export that reuses that
    freed memory shows no growth however much it holds. Warmed: the first request of a kind
    pays for imports and first-use allocations, which are not the export's."""
    pid = restart_api(stack)
    out = stack.settings.data_dir / "exports"
    out.mkdir(exist_ok=True)
    warm_id, warm_items = warm
    export(http, pid, warm_id, warm_items, fmt, out / f"warm.{fmt}")
    return export(http, pid, batch_id, items, fmt, out / f"{items}.{fmt}")
