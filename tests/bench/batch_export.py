"""Streaming a batch's results while the API's memory is watched (the batches bench's
export point): each export in a fresh, warmed API process, and the big one then exported
three times more in that process, to show that rows exported leave nothing behind.

Why both. Only a fresh process shows an export that buffers (holds the body, then frees
it: memory freed by earlier requests would hide it), so the peak growth against ten times
fewer rows is measured there. But a fresh process's first big export also fills
pydantic-core's JSON string cache: ``model_validate_json`` keeps up to 16,384 Python
strings of 2-63 characters (record ids, object keys, sources), process-wide, a new one
replacing an old one once it is full. It fills with the distinct strings read, so it is
still filling while the second half of the body streams: the growth there (the check
this replaced, < 0.25 MB) went 0.04-0.48 MB from run to run, failing CSV in one run and
JSONL in another with no change to the export.

Measured in one process over a real Valkey (factory jobs, 10-row warm-up, tracemalloc):
the first 10,000-row export's traced memory climbed 1.49 -> 2.62 MB and kept 1.33 MB after
gc, 1,312 kB of it in exactly 16,384 blocks from ``Job.model_validate_json``; every later
export (10,000, 20,000, 40,000 rows) held 1.1-1.4 MB throughout and kept 0-22 kB. With the
cache filled beforehand the climb was gone; with it off for ``Job``, RSS grew 0.65 MB by
30 % of the rows and 0.01 MB after. RSS over 290,000 more rows in that process (anyio's
thread pool, as Starlette runs the body): +0.1 MB. The real API (uvicorn) over the same
batch: a fresh export grew 0.27-0.32 MB in its second half, seven more 0.00-0.03 MB each.

So flatness is judged on the same batch exported again in the same process: a leak grows
every repeat by as much (one int kept per row: 0.40-0.41 MB per 10,000 rows, FAIL), a
bounded working set and a full cache by nothing (0.01-0.03 MB).
"""

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

# The first pages lift RSS to its working level (allocator arenas, one page of records),
# and the string cache (above) fills, the more the more rows: ~1 MB of the difference.
# Measured 1.36-1.62x here run to run, so 1.5 would be a coin flip: twice, for ten times
# the rows; the repeated exports below are the stricter check of flatness.
EXPORT_GOAL_RATIO = 2.0
EXPORT_GOAL_MB = 4.0
# Exports of the big batch again, in the process that just exported it: 30,000 rows more.
EXPORT_REPEATS = 3
# Their growth per 10,000 rows (sampled peak or settled RSS after, whichever is higher):
# 0.00-0.03 MB an export measured; the largest step seen, ~0.5 MB once in a run, is 0.17
# over three. A leak of 25 bytes a row is 0.25 MB (one int kept a row is ~40).
EXPORT_REPEAT_MB = 0.25
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
    # Sampled growth by the time a quarter and half of the body had arrived: a buffering
    # export climbs to the end; a streaming one reaches its working set within the first
    # pages, and then climbs only as the string cache fills (shown, not judged).
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
    """Growth while the second half of a fresh export's body streamed (shown, not judged:
    the string cache may still be filling then)."""
    return (big.growth_kb - big.growth_by_kb[0.5]) / 1024


@dataclass
class Repeats:
    """The same batch exported ``times`` more in one process: RSS before, and the highest
    of every export's peak and the settled RSS after the last."""

    items: int
    times: int
    before_kb: int
    peak_kb: int
    rows_ok: bool

    @property
    def growth_mb(self) -> float:
        return max(0, self.peak_kb - self.before_kb) / 1024

    @property
    def per_10k_mb(self) -> float:
        return self.growth_mb / (self.times * self.items / 10_000)

    @property
    def ok(self) -> bool:
        return self.per_10k_mb < EXPORT_REPEAT_MB

    def line(self) -> str:
        return (
            f"  export again x{self.times} in that process ({self.times * self.items:,} rows): "
            f"RSS {self.before_kb / 1024:.1f} MB, +{self.growth_mb:.2f} MB in all, "
            f"+{self.per_10k_mb:.2f} MB per 10,000 rows"
        )


def repeat_exports(
    http: httpx.Client, pid: int, batch_id: str, items: int, fmt: str, out: Path, times: int
) -> Repeats:
    before = settled_rss_kb(pid)
    peak, rows_ok = before, True
    for _ in range(times):
        again = export(http, pid, batch_id, items, fmt, out)
        peak = max(peak, again.before_kb + again.growth_kb)
        rows_ok = rows_ok and again.rows_ok
    peak = max(peak, settled_rss_kb(pid))
    return Repeats(items, times, before, peak, rows_ok)


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
) -> tuple[Export, int]:
    """One export measured in a fresh API process, after an unmeasured export of the same
    format of the small ``warm`` batch (its id and size); the export and that process's pid.
    Fresh: an earlier request (the 10,000-item POST, another export) leaves the heap grown,
    and an export that reuses that freed memory shows no growth however much it holds.
    Warmed: the first request of a kind pays for imports and first-use allocations, which
    are not the export's."""
    pid = restart_api(stack)
    warm_id, warm_items = warm
    export(http, pid, warm_id, warm_items, fmt, export_path(stack, "warm", fmt))
    return export(http, pid, batch_id, items, fmt, export_path(stack, str(items), fmt)), pid


def export_path(stack: RunningStack, name: str, fmt: str) -> Path:
    out = stack.settings.data_dir / "exports"
    out.mkdir(exist_ok=True)
    return out / f"{name}.{fmt}"
