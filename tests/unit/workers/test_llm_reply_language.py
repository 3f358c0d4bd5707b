"""Claude is told the language the caller spoke, so that its spoken reply is in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from shared.models import Job, JobOptions, JobResults, Stage, StageStatus
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.factories import wav_input_meta
from tests.fakes.anthropic import API_KEY, AnthropicFake
from workers.llm import respond_job
from workers.providers.anthropic_client import forget_verified_models
from workers.providers.registry import clear_instances

FRENCH = "Bonjour, c'est Pierre Martin. Je voudrais annuler mon rendez-vous de mardi. Merci."


@pytest.fixture
def fake() -> Iterator[AnthropicFake]:
    with AnthropicFake() as server:
        forget_verified_models()
        clear_instances()
        yield server
    clear_instances()


def _system_sent(fake: AnthropicFake, tmp_path: Path, language: str | None) -> str:
    return _answered(fake, tmp_path, language)[0]


def _answered(fake: AnthropicFake, tmp_path: Path, language: str | None) -> tuple[str, JobResults]:
    """The system prompt Claude was sent, and the results the reply stage recorded."""
    options = JobOptions(stages=[Stage.STT, Stage.LLM], llm_provider="claude", language=language)
    job = Job(input=wav_input_meta(key="k", size_bytes=10), options=options)
    stt = job.stages[Stage.STT]
    stt.status, stt.provider = StageStatus.SUCCEEDED, "whisper"
    job.results.transcript = FRENCH
    section = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    ctx: Any = SimpleNamespace(
        settings=Settings(data_dir=tmp_path, anthropic=section),
        storage=LocalStorage(tmp_path / "objects"),
        jobs=SimpleNamespace(thread_before=lambda _job, **_: []),
    )
    results = JobResults()
    respond_job(job, ctx).record_results(results, "reply.json")
    (call,) = fake.calls("/v1/messages")
    system = call.json()["system"]
    said = system if isinstance(system, str) else " ".join(b["text"] for b in system)
    return said, results


def test_claude_is_asked_to_reply_in_the_language_the_job_names(
    fake: AnthropicFake, tmp_path: Path
) -> None:
    system = _system_sent(fake, tmp_path, "fr")

    assert "The caller speaks the language 'fr'" in system
    assert "write reply_text in that language" in system


def test_claude_is_told_no_language_when_the_job_names_none(
    fake: AnthropicFake, tmp_path: Path
) -> None:
    assert "The caller speaks" not in _system_sent(fake, tmp_path, None)


@pytest.mark.parametrize("language", ["fr", None])
def test_the_reply_records_the_language_claude_was_asked_to_write_it_in(
    fake: AnthropicFake, tmp_path: Path, language: str | None
) -> None:
    # The tts stage reads it: the English-only local voice refuses a French reply.
    assert _answered(fake, tmp_path, language)[1].reply_language == language
