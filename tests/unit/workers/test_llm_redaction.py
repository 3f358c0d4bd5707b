"""The reply stage redacts typed text before anything reads it, and a redelivery (which finds
the stored text redacted already) gives the same result from the sealed original."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.fernet import Fernet

from shared.models import Job, JobOptions, JobResults, Stage
from shared.redaction_policy import JobRedaction, Substitution
from shared.settings import Settings
from shared.storage import LocalStorage
from shared.text_input import validated_text
from workers.llm import respond_job

TYPED = "Hi, this is Maria Lopez, please call me back at 415-555-0192 about my bill."


def _setup(tmp_path: Path) -> tuple[Job, Any]:
    settings = Settings(
        data_dir=tmp_path,
        redaction={
            "hash_key": "k",
            "keep_original": True,
            "original_key": Fernet.generate_key().decode(),
        },
    )
    storage = LocalStorage(tmp_path / "objects")
    meta, data = validated_text(TYPED, 1000)
    redact = JobRedaction(style=Substitution.HASH, send_original_to_llm=True)
    job = Job(input=meta, options=JobOptions(stages=[Stage.LLM], redact=redact))
    job.input.key = job.object_key("input.txt")
    storage.put(job.input.key, data, meta.media_type)
    ctx = SimpleNamespace(settings=settings, storage=storage, jobs=SimpleNamespace(
        thread_before=lambda _job, **_: []
    ))  # fmt: skip
    return job, ctx


def _run(job: Job, ctx: Any) -> JobResults:
    results = JobResults()
    respond_job(job, ctx).record_results(results, "reply.json")
    return results


def test_typed_text_is_stored_redacted_and_its_reply_holds_no_planted_value(
    tmp_path: Path,
) -> None:
    job, ctx = _setup(tmp_path)

    results = _run(job, ctx)

    stored = ctx.storage.get(job.input.key).decode()
    assert "Lopez" not in stored
    assert "0192" not in stored
    assert results.transcript == stored
    assert results.redactions == {"person_name": 1, "phone_number": 1}
    assert results.reply is not None
    assert "Maria" not in results.reply
    assert results.triage is not None
    assert results.triage.callback_number is not None
    assert results.triage.callback_number in stored


def test_a_redelivery_reads_the_sealed_original_and_records_the_same(tmp_path: Path) -> None:
    job, ctx = _setup(tmp_path)
    first = _run(job, ctx)

    again = _run(job, ctx)

    assert again.redactions == first.redactions
    assert again.transcript == first.transcript
    assert again.triage == first.triage
