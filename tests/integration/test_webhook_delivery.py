"""Webhook delivery end to end: a real Valkey, a real webhooks worker, a real receiver.

Events are made the way production makes them (a job with a callback URL reaching a
terminal status); the receiver checks every request with the Standard Webhooks verifier.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import SecretStr
from standardwebhooks import Webhook, WebhookVerificationError

from api.cli.child_env import child_env
from api.cli.commands import worker_command
from shared.jobstore import JobStore
from shared.models import Job, JobOptions, JobStatus
from shared.settings import Settings
from shared.webhook_models import DUE, WebhookDelivery, delivery_key, disabled_key
from shared.webhook_signing import new_secret
from shared.webhook_store import WebhookStore
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

pytestmark = pytest.mark.integration

SECRET = new_secret()
LEASE_S = 3.0


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    sleep_s: float = 0.0


@dataclass(frozen=True)
class Seen:
    path: str
    webhook_id: str
    verified: bool
    status: int
    at: float


class Receiver:
    """Answers each path from its plan (the last answer repeats) and records every request."""

    def __init__(self) -> None:
        self.plans: dict[str, list[Answer]] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    Webhook(SECRET).verify(body, dict(self.headers.items()))
                    verified = True
                except WebhookVerificationError:
                    verified = False
                answer = receiver.answer(self.path, self.headers.get("webhook-id", ""), verified)
                time.sleep(answer.sleep_s)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender died while we slept (the kill test)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, webhook_id: str, verified: bool) -> Answer:
        with self.lock:
            plan = self.plans.get(path, [Answer()])
            answer = plan.pop(0) if len(plan) > 1 else plan[0]
            self.seen.append(Seen(path, webhook_id, verified, answer.status, time.monotonic()))
            return answer

    def endpoint(self, *answers: Answer) -> str:
        path = f"/hook/{uuid.uuid4().hex}"
        self.plans[path] = list(answers) or [Answer()]
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def requests(self, url: str) -> list[Seen]:
        path = "/" + url.split("/", 3)[3]
        with self.lock:
            return [s for s in self.seen if s.path == path]


class Worker:
    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                worker_command(self.settings, "webhooks"),
                env=child_env(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


@dataclass(frozen=True)
class Env:
    store: JobStore
    deliveries: WebhookStore
    receiver: Receiver
    worker: Worker


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    data = tmp_path_factory.mktemp("webhooks")
    valkey = ValkeyProcess(data / "valkey")
    valkey.start()
    settings = Settings(
        data_dir=data,
        broker={"url": valkey.url},
        fetch={"allow_ranges": ["127.0.0.1/32"]},
        webhooks={
            "secrets": [SecretStr(f"default:{SECRET}")],
            "schedule_s": [0, 0.5, 0.5, 0.5],
            "timeout_s": 2.0,
            "lease_s": LEASE_S,
            "poll_interval_s": 0.1,
        },
    )
    worker = Worker(settings, data / "worker.log")
    worker.start()
    store = JobStore.from_url(valkey.url)
    try:
        yield Env(store, WebhookStore(store.redis), Receiver(), worker)
    finally:
        worker.stop()
        valkey.stop()


def finished_job(env: Env, url: str, tenant: str = "default") -> str:
    """A job with ``url`` as its callback, taken to succeeded: that commits its event."""
    job = Job(tenant=tenant, input=wav_input_meta(), options=JobOptions(callback_url=url))
    env.store.create(job)
    env.store.update(job.id, lambda j: setattr(j, "status", JobStatus.SUCCEEDED))
    return job.id


def wait_for(
    env: Env, job_id: str, done: Callable[[WebhookDelivery], bool], timeout_s: float = 15
) -> WebhookDelivery:
    deadline = time.monotonic() + timeout_s
    while True:
        records = env.deliveries.deliveries_of_job(job_id)
        if records and done(records[0]):
            return records[0]
        assert time.monotonic() < deadline, f"delivery of job {job_id} is {records}"
        time.sleep(0.05)


def ended(record: WebhookDelivery) -> bool:
    return record.state != "pending"


def test_every_event_is_signed_so_that_the_receiver_verifies_it(env: Env) -> None:
    url = env.receiver.endpoint(Answer(200))
    jobs = [finished_job(env, url) for _ in range(3)]

    records = [wait_for(env, job_id, ended) for job_id in jobs]

    assert [r.state for r in records] == ["delivered"] * 3
    seen = env.receiver.requests(url)
    assert sorted(s.webhook_id for s in seen) == sorted(r.id for r in records)
    assert all(s.verified for s in seen)
    # An ended event's record is kept for a while for the API, then expires.
    assert all(0 < env.store.redis.ttl(delivery_key(r.id)) <= 30 * 86400 for r in records)


def test_a_500_then_200_is_two_attempts_under_one_id_accepted_once(env: Env) -> None:
    url = env.receiver.endpoint(Answer(500), Answer(200))

    record = wait_for(env, finished_job(env, url), ended)

    seen = env.receiver.requests(url)
    assert [s.status for s in seen] == [500, 200]
    assert {s.webhook_id for s in seen} == {record.id}
    assert all(s.verified for s in seen)
    assert record.state == "delivered"
    assert [a.status_code for a in record.attempts] == [500, 200]
    assert [a.error for a in record.attempts] == ["HTTP 500", None]
    assert all(a.latency_ms is not None and a.latency_ms >= 0 for a in record.attempts)


def test_retry_after_is_a_floor_for_the_next_attempt(env: Env) -> None:
    # The schedule alone would retry after 0.5 s.
    url = env.receiver.endpoint(Answer(429, {"Retry-After": "1"}), Answer(200))

    record = wait_for(env, finished_job(env, url), ended)

    first, second = env.receiver.requests(url)
    assert record.state == "delivered"
    assert second.at - first.at >= 1.0


def test_a_410_disables_the_endpoint_and_later_events_to_it_are_not_posted(env: Env) -> None:
    url = env.receiver.endpoint(Answer(410))

    first = wait_for(env, finished_job(env, url), ended)
    later = wait_for(env, finished_job(env, url), ended)

    assert first.state == "disabled"
    assert later.state == "disabled"
    assert len(env.receiver.requests(url)) == 1
    assert env.store.redis.sismember(disabled_key("default"), url)
    assert later.attempts[0].status_code is None
    assert "410" in (later.attempts[0].error or "")


def test_a_400_fails_after_one_attempt_without_retries(env: Env) -> None:
    url = env.receiver.endpoint(Answer(400))

    record = wait_for(env, finished_job(env, url), ended)
    time.sleep(1.0)  # twice the scheduled wait: a retry would have come

    assert record.state == "failed"
    assert [a.status_code for a in record.attempts] == [400]
    assert len(env.receiver.requests(url)) == 1
    assert env.store.redis.zscore(DUE, record.id) is None


def test_a_callback_to_a_private_address_is_refused_before_any_connection(env: Env) -> None:
    record = wait_for(env, finished_job(env, "http://10.0.0.1/hook"), ended)

    assert record.state == "failed"
    assert len(record.attempts) == 1
    assert record.attempts[0].status_code is None
    assert (record.attempts[0].error or "").startswith("url_refused")


def test_a_tenant_without_a_signing_secret_gets_no_unsigned_post(env: Env) -> None:
    url = env.receiver.endpoint(Answer(200))

    record = wait_for(env, finished_job(env, url, tenant="acme"), ended)

    assert record.state == "failed"
    assert "no webhook signing secret" in (record.attempts[0].error or "")
    assert env.receiver.requests(url) == []


def test_a_worker_killed_mid_delivery_leaves_the_event_to_its_restart_under_the_same_id(
    env: Env,
) -> None:
    url = env.receiver.endpoint(Answer(200, sleep_s=1.5), Answer(200))
    job_id = finished_job(env, url)
    deadline = time.monotonic() + 15
    while not env.receiver.requests(url):
        assert time.monotonic() < deadline, "the first attempt never arrived"
        time.sleep(0.02)

    env.worker.kill()
    env.worker.start()
    record = wait_for(env, job_id, ended, timeout_s=20)

    first, second = env.receiver.requests(url)
    assert first.webhook_id == second.webhook_id == record.id
    assert second.verified
    assert record.state == "delivered"
    # The killed attempt was never recorded: only the one after the lease ran out is.
    assert [a.status_code for a in record.attempts] == [200]
