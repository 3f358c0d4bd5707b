"""What a thread's reply is given as history: the replies its caller was actually given."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from shared.jobstore import JobStore
from shared.models import Job, JobOptions, JobStatus, Reply, Stage, StageStatus, Transcript, utcnow
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from workers import llm
from workers.providers.base import LlmProvider, ReplyContext

pytestmark = pytest.mark.integration


class _Recording(LlmProvider):
    name = "recording"

    def __init__(self) -> None:
        self.history: list[tuple[str, str]] = []

    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        self.history = list(context.history)
        return Reply(text="Thanks, we will call you back.", provider=self.name)


def _earlier(store: JobStore, n: int, status: JobStatus) -> None:
    options = JobOptions(stages=[Stage.STT, Stage.LLM, Stage.TTS], thread_id="caller-9")
    job = Job(input=wav_input_meta(), options=options, created_at=utcnow() + timedelta(seconds=n))
    job.status = status
    job.results.transcript = f"voicemail {n}"
    job.results.reply = f"reply {n}"
    store.create(job)


def test_only_replies_of_jobs_that_succeeded_are_history_and_five_of_them_are_given(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JobStore.from_url(valkey.url)
    for n in range(6):
        _earlier(store, n, JobStatus.SUCCEEDED)
    # The caller's latest: the voice failed on one reply, one job was canceled, one is still
    # being spoken. None of those replies reached the caller.
    _earlier(store, 6, JobStatus.FAILED)
    _earlier(store, 7, JobStatus.CANCELED)
    _earlier(store, 8, JobStatus.SYNTHESIZING)
    options = JobOptions(stages=[Stage.STT, Stage.LLM], thread_id="caller-9")
    job = Job(input=wav_input_meta(), options=options, created_at=utcnow() + timedelta(seconds=9))
    store.create(job)
    job.stages[Stage.STT].status = StageStatus.SUCCEEDED
    job.stages[Stage.STT].provider = "whisper"
    job.results.transcript = "voicemail 9"
    provider = _Recording()
    monkeypatch.setattr(llm, "llm_provider", lambda _name, _settings: provider)
    ctx: Any = SimpleNamespace(
        settings=Settings(data_dir=tmp_path),
        storage=LocalStorage(tmp_path / "objects"),
        jobs=store,
    )

    llm.respond_job(job, ctx)

    assert provider.history == [(f"voicemail {n}", f"reply {n}") for n in range(1, 6)]
