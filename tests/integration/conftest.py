"""A whole running VoicePipe (Valkey, API, three worker pools, Flower) for the session."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.cli.stack import Stack
from shared.celery_app import create_celery
from shared.jobstore import JobStore
from shared.settings import ApiSettings, BrokerSettings, FlowerSettings, Settings
from shared.storage import LocalStorage
from tests.conftest import free_port


def stack_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        broker=BrokerSettings(url=f"redis://127.0.0.1:{free_port()}/0"),
        # One API process: tests (and the bench) restart it and read its memory by pid.
        api=ApiSettings(port=free_port(), processes=1),
        flower=FlowerSettings(port=free_port()),
        **overrides,  # type: ignore[arg-type]
    )


class RunningStack:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.settings = stack.settings
        self.http = httpx.Client(base_url=self.settings.api.base_url, timeout=60)
        self.jobs = JobStore.from_url(self.settings.broker.url)
        self.storage = LocalStorage(self.settings.objects_dir)

    def wait(self, job_id: str, timeout_s: float = 120) -> dict[str, object]:
        import time

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job: dict[str, object] = self.http.get(f"/v1/jobs/{job_id}").json()
            if job["status"] in {"succeeded", "failed", "canceled"}:
                return job
            time.sleep(0.2)
        raise TimeoutError(f"job {job_id} did not finish in {timeout_s} s")


def stack_pids(stack: RunningStack) -> dict[str, int]:
    """The API's and every worker's process, with a prefork pool's children."""
    pids: dict[str, int] = {}
    for child in stack.stack.children:
        if child.process is None or not child.name.startswith(("api", "worker")):
            continue
        pid = child.process.pid
        pids[child.name] = pid
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for kid in kids:
            pids[f"{child.name}/child {kid}"] = int(kid)
    return pids


@contextmanager
def started(stack: Stack) -> Iterator[RunningStack]:
    """``stack`` up for a fixture's lifetime, stopped (children included) whatever happens."""
    try:
        stack.start(timeout_s=120)
        running = RunningStack(stack)
        yield running
        running.http.close()
    finally:
        stack.stop()


# The session stack signs webhooks for tenant "default" with this secret, and may reach
# 127.0.0.1 itself (only that address: other loopback addresses stay refused), where the
# tests run their webhook receivers and file servers.
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"voicepipe-test-secret-32-bytes!!").decode()


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    settings = stack_settings(
        tmp_path_factory.mktemp("stack"),
        webhooks={"secrets": [f"default:{WEBHOOK_SECRET}"], "schedule_s": [0, 0.5, 1, 1]},
        fetch={"allow_ranges": ["127.0.0.1/32"]},
    )
    with started(Stack(settings, flower=True)) as running:
        yield running


@pytest.fixture(scope="session")
def light_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The running stack on the light offline speech engine (pocketsphinx), for tests of
    what happens around transcription (batches, control, metrics, usage), not of it.

    Their recordings are synthetic tones, which often send Whisper base into a loop that
    its decoding then retries: 6.6-10.9 s of a worker's CPU for one second of tone on the
    default engine (measured on this 2-core machine), against a fraction of a second here;
    test_batches.py alone went from 163 s to 21 s. The default engine keeps its own tests
    on ``running_stack`` (test_pipeline, test_openai_compat, test_local_engine_wer, the
    demo's end-to-end test).
    """
    settings = stack_settings(
        tmp_path_factory.mktemp("light_stack"),
        webhooks={"secrets": [f"default:{WEBHOOK_SECRET}"], "schedule_s": [0, 0.5, 1, 1]},
        fetch={"allow_ranges": ["127.0.0.1/32"]},
        providers={"stt": "pocketsphinx"},
    )
    with started(Stack(settings, flower=False)) as running:
        yield running


@contextmanager
def paused_pool(stack: RunningStack, queue: str) -> Iterator[None]:
    """The queue's workers stop taking messages meanwhile (Celery's remote control), then
    take them again: work queued in between waits, as behind a pool that is down."""
    app = create_celery(stack.settings)
    names = [name for reply in app.control.ping(timeout=2.0) for name in reply]
    workers = [name for name in names if name.startswith(f"{queue}@")]
    assert workers, names
    app.control.cancel_consumer(queue, destination=workers, reply=True)
    try:
        yield
    finally:
        app.control.add_consumer(queue, destination=workers, reply=True)
        app.close()
