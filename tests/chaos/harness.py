"""One scenario's stack: settings, submitting its batch of jobs, and reading what became of them."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.cli.stack import Stack
from shared.errors import JobNotFound
from shared.jobstore import JobStore
from shared.models import Job, StageStatus
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.chaos.fakes import ChaosFakes
from tests.integration.conftest import stack_settings


def chaos_settings(data_dir: Path, fakes: ChaosFakes, **overrides: Any) -> Settings:
    """Cloud providers on the fakes (I/O bound, fast) and a sweeper that acts in seconds."""
    timeout_s = overrides.pop("timeout_s", 5.0)
    options: dict[str, Any] = {
        "providers": {"stt": "whisper", "llm": "claude", "tts": "openai", "output_format": "wav"},
        "retries": {"max_attempts": 5, "base_delay_s": 0.2, "max_delay_s": 1.0},
        # Limits far above a healthy stage (well under 1 s here) but low enough that the
        # sweeper's deadlines (limit + grace) fall inside a scenario.
        "workers": {
            stage: {"soft_time_limit_s": 15, "time_limit_s": 20} for stage in ("stt", "llm", "tts")
        },
        "sweeper": {"interval_s": 1.0, "grace_s": 2.0, "queue_wait_s": 60.0, "max_redrives": 1},
        **fakes.settings(timeout_s=timeout_s),
    }
    options.update(overrides)
    return stack_settings(data_dir, **options)


@dataclass
class Submitted:
    n: int  # the job's marker (see tests.chaos.fakes)
    job_id: str
    at: float


class ChaosStack:
    """A whole VoicePipe on free ports in a temporary directory, with its own fakes."""

    def __init__(self, name: str, fakes: ChaosFakes, **overrides: Any) -> None:
        self.name = name
        self.fakes = fakes.start()
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"vp-chaos-{name}-"))
        self.settings = chaos_settings(self.data_dir, fakes, **overrides)
        self.stack = Stack(self.settings, flower=False)
        self.http = httpx.Client(base_url=self.settings.api.base_url, timeout=30)
        self.jobs = JobStore.from_url(self.settings.broker.url)
        self.storage = LocalStorage(self.settings.objects_dir)
        self.submitted: list[Submitted] = []
        # Answers to submissions other than 202 and 503 (a 500 in an outage is a finding).
        self.refused: Counter[int] = Counter()
        # Set when the scenario failed (its logs are worth reading), or by CHAOS_KEEP=1.
        self.keep = os.environ.get("CHAOS_KEEP") == "1"

    def __enter__(self) -> ChaosStack:
        try:
            self.stack.start(timeout_s=120)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        # Hung vendor calls first, or a threads worker's warm shutdown would wait on them.
        self.fakes.anthropic.release_hung()
        self.stack.stop()
        self.http.close()
        self.jobs.redis.close()
        self.fakes.stop()
        if self.keep:
            print(f"chaos {self.name}: data and logs kept in {self.data_dir}", flush=True)
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- submitting ---------------------------------------------------------------------------
    def submit(self, n: int, **form: str) -> Submitted | None:
        """POST job ``n``; None when the API refused it as unavailable (503)."""
        audio = self.fakes.openai.register(n)
        try:
            response = self.http.post(
                "/v1/jobs", files={"file": (f"vm{n}.wav", audio, "audio/wav")}, data=form
            )
        except httpx.HTTPError:
            return None  # never answered: not accepted, so not counted as submitted
        if response.status_code == 503:
            return None
        if response.status_code != 202:
            self.refused[response.status_code] += 1
            return None
        entry = Submitted(n, response.json()["id"], time.monotonic())
        self.submitted.append(entry)
        return entry

    def submit_batch(self, numbers: Iterable[int], **form: str) -> list[Submitted]:
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda n: self.submit(n, **form), numbers))
        return [r for r in results if r is not None]

    # -- reading ------------------------------------------------------------------------------
    def job(self, job_id: str) -> Job | None:
        try:
            return self.jobs.get(job_id)
        except JobNotFound:
            return None

    def wait_terminal(
        self,
        entries: Iterable[Submitted],
        timeout_s: float,
        until: Callable[[], None] = lambda: None,
    ) -> dict[str, float]:
        """Seconds from submission to a terminal state per job id; missing ones never ended.

        ``until`` runs every poll, so a scenario can act (kill, cancel) while jobs move.
        """
        pending = {e.job_id: e for e in entries}
        done: dict[str, float] = {}
        deadline = time.monotonic() + timeout_s
        while pending and time.monotonic() < deadline:
            until()
            for job_id, entry in list(pending.items()):
                job = self.job(job_id)
                if job is not None and job.status.terminal:
                    done[job_id] = time.monotonic() - entry.at
                    del pending[job_id]
            time.sleep(0.2)
        return done

    def objects_problem(self, job: Job) -> str | None:
        """Outputs stored for ``job`` must be its input plus one object per finished stage."""
        expected = {job.input.key} | {
            rec.output_key
            for rec in job.stages.values()
            if rec.status == StageStatus.SUCCEEDED and rec.output_key
        }
        found = set(self.storage.list(job.object_key("")))
        if found == expected:
            return None
        extra, missing = sorted(found - expected), sorted(expected - found)
        return f"{job.id}: objects extra {extra} missing {missing}"

    def late_writes(self, job: Job) -> list[str]:
        """Recorded outputs (re)written after the job ended: a stage wrote its output again."""
        if job.finished_at is None:
            return []
        ended = job.finished_at.timestamp()
        late = []
        for rec in job.stages.values():
            key = rec.output_key
            if rec.status != StageStatus.SUCCEEDED or not key:
                continue
            try:
                written = Path(self.storage.path_hint(key)).stat().st_mtime
            except FileNotFoundError:
                continue  # reported as missing by objects_problem
            if written > ended:
                late.append(key.rsplit("/", 1)[-1])
        return late
