"""An exception no one expected from a vendor call (here httpx's DecodingError, which is no
transport failure) fails the job without its text: neither the job's error nor the worker's
log may hold the words being spoken or a credential that text quotes."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.models import InputMeta, Job, JobOptions, JobStatus, Stage
from shared.settings.providers import ElevenLabsSettings
from tests.conftest import ValkeyProcess
from tests.fakes.elevenlabs import API_KEY, ElevenLabsFake
from tests.worker_context import local_worker_context
from workers import context, tts
from workers.context import WorkerContext
from workers.providers import registry

SPOKEN = "Hello Maria, we have your message about your mother's prescription."
OTHER_KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c"  # a credential no setting of ours holds


@pytest.fixture
def voiced(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    with ElevenLabsFake() as fake:
        made = local_worker_context(valkey.url, tmp_path)
        update = {"elevenlabs": ElevenLabsSettings(api_key=API_KEY, base_url=fake.base_url)}
        made = dataclasses.replace(made, settings=made.settings.model_copy(update=update))
        monkeypatch.setattr(context, "_context", made)
        registry.clear_instances()
        yield made
        made.jobs.redis.close()
    registry.clear_instances()


def _breaking_speech(monkeypatch: pytest.MonkeyPatch) -> None:
    send = httpx.Client.send

    def broken(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if request.url.path.startswith("/v1/text-to-speech"):
            said = request.read().decode()
            raise httpx.DecodingError(f"cannot decode answer to {said} ({OTHER_KEY}, {API_KEY})")
        return send(client, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", broken)


def test_an_unexpected_vendor_exception_leaves_no_words_or_keys_in_the_job_or_the_log(
    voiced: WorkerContext, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _breaking_speech(monkeypatch)
    caplog.set_level(logging.DEBUG)
    data = SPOKEN.encode()
    meta = InputMeta(
        kind="text", media_type="text/plain", container="txt", codec="utf-8",
        size_bytes=len(data), duration_s=0, sample_rate=0, channels=0, key="pending",
    )  # fmt: skip
    job = Job(options=JobOptions(stages=[Stage.TTS], tts_provider="elevenlabs"), input=meta)
    job.input.key = job.object_key("input.txt")
    voiced.storage.put(job.input.key, data)
    voiced.jobs.create(job)

    tts.synthesize.apply(args=[job.id])
    after = voiced.jobs.get(job.id)

    assert after.status == JobStatus.FAILED
    assert after.error is not None
    assert after.error.code == "tts.malformed_response"
    assert "ElevenLabs" in after.error.message
    assert "DecodingError" in after.error.message
    logged = "\n".join([caplog.text, *(str(r.exc_info[1]) for r in caplog.records if r.exc_info)])
    for told in (after.error.message, logged):
        assert "prescription" not in told
        assert "Maria" not in told
        assert OTHER_KEY not in told
        assert API_KEY not in told
