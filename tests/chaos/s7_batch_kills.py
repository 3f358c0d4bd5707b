"""7. kill -9 the batch-expansion worker and the webhooks worker while a batch runs.

One JSON manifest of ``ITEMS`` URL items, served slowly by a local file server so the
expansion takes seconds, with a ``callback_url`` on a local receiver that verifies every
delivery's Standard Webhooks signature. While it runs, the whole ``worker-ingest`` process
(threads pool: the master is the pool) is killed once expansion has started and before it
ends, and the whole ``worker-webhooks`` process once some but not all job events were
delivered (each a second time when the moment comes). The supervisor restarts both.

The killed processes' unacknowledged messages would come back only after the broker's
visibility timeout (an hour), so recovery has to come from the backstops: the sweeper
re-plans an expansion that stopped moving (``stalled_after_s``), and the webhook relay hands
a claimed delivery out again once its lease runs out. Every job must end, every job event
and exactly one ``batch.completed`` must arrive signed, and the batch's counters must equal
a recount of its jobs (nothing counted twice). An event accepted twice under the same
``webhook-id`` is at-least-once delivery (a note); two ids for one job event is a failure.
"""

from __future__ import annotations

import base64
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import Celery

from shared.batches import batch_job_id
from shared.celery_app import create_celery
from shared.webhook_models import DUE
from shared.webhook_store import WebhookStore
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack, Submitted
from tests.chaos.procs import busy_pids, kill9
from tests.chaos.tally import Row, expect_status, tally
from tests.local_http import LocalServer, Received, Route, WebhookReceiver

ITEMS = 120
SECRET = "whsec_" + base64.b64encode(b"voicepipe-chaos-7-secret-32-byte").decode()
# Per request of the file server: the expansion lasts seconds, so a kill lands inside it.
FETCH_DELAY_S = (0.05, 0.1)
# Per webhook POST: a delivery is in flight now and then when its worker dies.
HOOK_DELAY_S = 0.03
# The moments to kill, as a fraction of the items made into jobs (ingest) or of the job
# events accepted (webhooks); the first kill of each is required, the second optional.
WINDOWS = {"ingest": [(0.10, 0.70), (0.10, 0.95)], "webhooks": [(0.10, 0.70), (0.75, 0.97)]}
MIN_GAP_S = 4.0  # between two kills of one worker: the restarted one has booted
TIMEOUT_S = 150.0


def run() -> Row:
    row = Row("7 kill -9 ingest + webhooks mid-batch")
    fakes = ChaosFakes()
    receiver = WebhookReceiver(SECRET)
    with (
        LocalServer() as files,
        LocalServer() as hooks,
        ChaosStack(
            "batch",
            fakes,
            webhooks={
                "secrets": [f"default:{SECRET}"],
                "schedule_s": [0, 0.5, 1, 1, 2, 2, 5],
                "lease_s": 3,
                "timeout_s": 2,
                "poll_interval_s": 0.2,
            },
            fetch={"allow_ranges": ["127.0.0.1/32"]},
            batches={"expand_chunk": 5, "stalled_after_s": 3},
            workers={
                stage: {"soft_time_limit_s": 15, "time_limit_s": 20}
                for stage in ("stt", "llm", "tts")
            }
            # Two threads: the expansion takes ~5 s instead of ~1 s, time to kill it.
            | {"ingest": {"pool": "threads", "concurrency": 2}},
        ) as stack,
    ):
        for server in (files, hooks):
            _quiet(server)
        files.answer = _slow(files.answer, FETCH_DELAY_S)
        hooks.answer = _slow(receiver.answer, (HOOK_DELAY_S, HOOK_DELAY_S))
        for n in range(ITEMS):
            audio = stack.fakes.openai.register(n)
            files.routes[f"/vm/{n}.wav"] = (200, {"Content-Type": "audio/wav"}, audio)
        manifest = {
            "items": [
                {"url": f"{files.url}/vm/{n}.wav", "metadata": {"n": n}} for n in range(ITEMS)
            ],
            "callback_url": f"{hooks.url}/hook",
            "stage_events": False,
        }
        posted = time.monotonic()
        response = stack.http.post("/v1/batches", json=manifest)
        if response.status_code != 202:
            row.problems.append(f"POST /v1/batches answered {response.status_code}")
            stack.keep = True
            return row
        batch_id: str = response.json()["id"]
        app = create_celery(stack.settings)
        killer = _Killer(stack, app, batch_id, receiver)
        try:
            batch, took = _wait(stack, batch_id, receiver, killer, posted)
        finally:
            app.close()
        _check(row, stack, batch_id, batch, receiver, killer, posted)
        row.notes.append(
            f"batch {batch.get('status')} in {took:.1f} s"
            if took is not None
            else f"batch still {batch.get('status')} after {TIMEOUT_S:.0f} s"
        )
        stack.keep = stack.keep or not row.ok
    return row


def _slow(answer: Callable[..., Route], delay: tuple[float, float]) -> Callable[..., Route]:
    def slowly(method: str, path: str, headers: dict[str, str], body: bytes) -> Route:
        time.sleep(random.uniform(*delay))
        return answer(method, path, headers, body)

    return slowly


def _quiet(server: LocalServer) -> None:
    """No traceback for a client that went away mid-answer: a killed worker does that."""
    default = server.server.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            default(request, client_address)

    server.server.handle_error = handle_error  # type: ignore[method-assign]


def _job_events(receiver: WebhookReceiver) -> set[str]:
    return {
        r.webhook_id
        for r in receiver.accepted()
        if r.event and str(r.event.get("type", "")).startswith("job.")
    }


@dataclass
class _Killer:
    """Kills each worker process at its moments; runs every poll of the wait."""

    stack: ChaosStack
    app: Celery
    batch_id: str
    receiver: WebhookReceiver
    made: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def __call__(self, batch: dict[str, Any]) -> None:
        items = batch.get("items") or ITEMS
        self._maybe("ingest", batch["created"] / items, batch["status"] == "expanding")
        delivered = len(_job_events(self.receiver)) / ITEMS
        self._maybe("webhooks", delivered, delivered < 1.0)

    def _maybe(self, worker: str, progress: float, running: bool) -> None:
        done = len(self.made[worker])
        if done >= len(WINDOWS[worker]) or not running:
            return
        low, high = WINDOWS[worker][done]
        if not low <= progress < high:
            return
        if self.at[worker] and time.monotonic() - self.at[worker][-1] < MIN_GAP_S:
            return
        process = self.stack.stack.child(f"worker-{worker}").process
        if process is None or process.poll() is not None:
            return
        # The expansion worker only while it holds a chunk (else the kill proves nothing).
        if worker == "ingest" and process.pid not in busy_pids(self.app, "ingest"):
            return
        if kill9(process.pid):
            self.made[worker].append(f"at {progress:.0%}")
            self.at[worker].append(time.monotonic())


def _wait(
    stack: ChaosStack,
    batch_id: str,
    receiver: WebhookReceiver,
    killer: _Killer,
    posted: float,
) -> tuple[dict[str, Any], float | None]:
    """Until the batch completed, every event was accepted and no delivery is pending."""
    deadline = posted + TIMEOUT_S
    batch: dict[str, Any] = {}
    completed_at: float | None = None
    while time.monotonic() < deadline:
        answer = stack.http.get(f"/v1/batches/{batch_id}")
        if answer.status_code == 200:
            batch = answer.json()
            killer(batch)
            if batch["status"] in {"completed", "canceled"} and completed_at is None:
                completed_at = time.monotonic() - posted
        events = {r.event["type"] for r in receiver.accepted() if r.event}
        if (
            completed_at is not None
            and len(_job_events(receiver)) >= ITEMS
            and "batch.completed" in events
            and not stack.jobs.redis.zcard(DUE)
        ):
            time.sleep(1.0)  # a late copy of a delivery would show in the checks
            return batch, completed_at
        time.sleep(0.2)
    return batch, completed_at


def _listed(stack: ChaosStack, batch_id: str) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    cursor = -1
    while True:
        page = stack.http.get(
            f"/v1/batches/{batch_id}/jobs", params={"limit": 50, "cursor": cursor}
        ).json()
        jobs.extend(page["jobs"])
        if page["next_cursor"] is None:
            return jobs
        cursor = page["next_cursor"]


def _check(
    row: Row,
    stack: ChaosStack,
    batch_id: str,
    batch: dict[str, Any],
    receiver: WebhookReceiver,
    killer: _Killer,
    posted: float,
) -> None:
    if not batch:
        row.problems.append("the batch could not be read")
        return
    if batch["status"] != "completed":
        row.problems.append(f"batch ended {batch['status']}, expected completed")
    counts: dict[str, int] = batch["counts"]
    ended = sum(counts[s] for s in ("succeeded", "failed", "canceled")) + batch["rejected"]
    if batch["items"] != ITEMS or ended != ITEMS:
        row.problems.append(f"batch items {batch['items']}, ended + rejected {ended}, of {ITEMS}")
    if batch["rejected"]:
        row.problems.append(f"valid items rejected: {batch['rejected_by_code']}")

    # Every job listed once, under the id its item fixes, and counted once.
    listed = _listed(stack, batch_id)
    ids = [j["id"] for j in listed]
    if len(set(ids)) != len(ids) or batch["created"] != len(set(ids)):
        row.problems.append(f"created {batch['created']}, listed {len(ids)} ({len(set(ids))} ids)")
    for job in listed:
        if job["id"] != batch_job_id(batch_id, job["batch_index"]):
            row.problems.append(f"{job['id']} is not item {job['batch_index']}'s job id")
    records = [j for j in stack.jobs.get_many(ids) if j is not None]
    recount = Counter(j.status.value for j in records)
    if {s: c for s, c in counts.items() if c} != dict(recount):
        row.duplicates += abs(sum(counts.values()) - len(records))
        row.problems.append(f"batch counts {counts} but the jobs are {dict(recount)}")
    codes = Counter(j.error.code for j in records if j.status.value == "failed" and j.error)
    if batch["failed_by_code"] != dict(codes):
        row.problems.append(f"failed_by_code {batch['failed_by_code']}, jobs {dict(codes)}")

    # The pipeline: each job's audio is its item's marker n (= its index).
    entries = [Submitted(j["batch_index"], j["id"], posted) for j in listed]
    jobs = tally(row, stack, entries)
    expect_status(row, jobs, "succeeded")
    missing = ITEMS - len(entries)
    if missing > 0:
        row.submitted += missing
        row.lost += missing
        row.problems.append(f"{missing} items never became a job nor a rejection")

    _check_events(row, stack, batch, receiver, {j.id: j.status.value for j in records})

    for worker, windows in WINDOWS.items():
        if not killer.made[worker]:
            low, high = windows[0]
            row.problems.append(f"kill not made: worker-{worker} ({low:.0%}-{high:.0%})")
    replans = _log_count(stack, "sweeper.log", f"batch {batch_id}: expansion stalled")
    rerun = _log_count(stack, "worker-ingest.log", rf"batch {batch_id} chunk \d+: .*'done'")
    row.notes.append(
        f"kills ingest {killer.made['ingest']}, webhooks {killer.made['webhooks']}; "
        f"expansion re-planned by the sweeper {replans}x, chunks that found items done {rerun}"
    )


def _check_events(
    row: Row,
    stack: ChaosStack,
    batch: dict[str, Any],
    receiver: WebhookReceiver,
    statuses: dict[str, str],
) -> None:
    unverified = [r for r in receiver.received if not r.verified]
    if unverified:
        row.problems.append(f"{len(unverified)} deliveries failed signature verification")
    accepted = receiver.accepted()
    times = Counter(r.webhook_id for r in accepted)
    again = {i: c for i, c in times.items() if c > 1}
    # job id, event type -> the distinct webhook ids that delivered it.
    by_event: dict[tuple[str, str], set[str]] = defaultdict(set)
    completed: list[Received] = []
    for r in accepted:
        assert r.event is not None
        kind, data = str(r.event.get("type")), r.event.get("data") or {}
        if kind == "batch.completed":
            if r.webhook_id not in {c.webhook_id for c in completed}:
                completed.append(r)
            continue
        job_id = str(data.get("job_id"))
        if job_id not in statuses:
            row.problems.append(f"event {kind} for {job_id}, not a job of the batch")
        by_event[(job_id, kind)].add(r.webhook_id)
    for job_id, status in statuses.items():
        got = by_event.get((job_id, f"job.{status}"), set())
        if not got:
            row.problems.append(f"{job_id}: its job.{status} event was never accepted")
        others = sorted(k for (j, k), v in by_event.items() if j == job_id and v)
        if others != [f"job.{status}"] and got:
            row.problems.append(f"{job_id} ended {status}, events {others}")
    for (job_id, kind), webhook_ids in sorted(by_event.items()):
        if len(webhook_ids) > 1:
            row.duplicates += len(webhook_ids) - 1
            row.problems.append(f"{job_id}: {kind} sent as {len(webhook_ids)} different events")
    if len(completed) != 1:
        row.problems.append(f"batch.completed accepted as {len(completed)} different events")
    for event in completed[:1]:
        assert event.event is not None
        data = event.event["data"]
        expected = {
            "succeeded": batch["counts"]["succeeded"],
            "failed": batch["counts"]["failed"],
            "canceled": batch["counts"]["canceled"],
            "rejected": batch["rejected"],
            "items": batch["items"],
        }
        if {k: data.get(k) for k in expected} != expected:
            row.problems.append(f"batch.completed says {data}, the batch {expected}")
    pending = _unfinished_deliveries(stack, list(statuses))
    if pending:
        row.problems.append(f"{len(pending)} job deliveries not delivered: {pending[:3]}")
    repeats = len(receiver.received) - len({r.webhook_id for r in receiver.received})
    row.notes.append(
        f"webhooks: {len(times)} events accepted, {len(again)} of them twice or more under "
        f"one id (at-least-once; {repeats} repeat POSTs in all), "
        f"{len(receiver.received)} POSTs"
    )


def _unfinished_deliveries(stack: ChaosStack, job_ids: list[str]) -> list[str]:
    store = WebhookStore(stack.jobs.redis)
    return [
        f"{d.id} {d.state}"
        for job_id in job_ids
        for d in store.deliveries_of_job(job_id)
        if d.state != "delivered"
    ]


def _log_count(stack: ChaosStack, log: str, pattern: str) -> int:
    try:
        text = (stack.stack.logs_dir / log).read_text(errors="replace")
    except FileNotFoundError:
        return 0
    return len(re.findall(pattern, text))
