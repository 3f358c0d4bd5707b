"""The usage ledger: what each job's record says it consumed, priced by the table."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from shared import job_transitions as transitions
from shared.models import JobResults, JobStatus, Stage, StageStatus, Usage, utcnow
from shared.settings import Settings
from shared.usage import Tally, UsageFigures, UsageLine, job_usage, unit_price
from shared.usage_report import latency, percentile, summarise
from tests.usage_factories import finished_job

SONNET = "claude-sonnet-4-6"


def _lines(usage_lines: list[UsageLine], meter: str) -> list[UsageLine]:
    return [line for line in usage_lines if line.meter == meter]


def test_an_offline_job_meters_its_audio_characters_and_every_stages_cpu_at_no_cost() -> None:
    job = finished_job(audio_s=42.5, reply="Call you back soon.", cpu_s=(2.0, 0.25, 1.5))

    usage = job_usage(job, Settings())

    assert usage.totals.audio_s == 42.5
    assert usage.totals.characters == len("Call you back soon.")
    assert usage.totals.cpu_s == 3.75
    assert [(line.stage, line.quantity) for line in _lines(usage.lines, "cpu_s")] == [
        (Stage.STT, 2.0),
        (Stage.LLM, 0.25),
        (Stage.TTS, 1.5),
    ]
    assert usage.totals.cost == 0.0
    assert all(line.unit_price == 0.0 for line in usage.lines), "offline: priced, at 0"


def test_an_engine_named_by_its_own_name_is_metered_under_the_provider_that_ran_it() -> None:
    job = finished_job(transcription={"engine": "faster-whisper"})

    (line,) = _lines(job_usage(job, Settings()).lines, "audio_s")

    assert (line.engine, line.unit_price) == ("local", 0.0)


def test_cpu_seconds_are_charged_at_the_tables_cpu_hour_price() -> None:
    job = finished_job(cpu_s=(1800.0, 900.0, 900.0))

    usage = job_usage(job, Settings(prices={"cpu_per_hour": 0.04}))

    assert usage.totals.cost == pytest.approx(3600 / 3600 * 0.04)


def test_whisper_is_charged_per_audio_minute_of_the_model_it_named() -> None:
    job = finished_job(
        audio_s=90.0,
        providers=("whisper", "local", "local"),
        transcription={"engine": "whisper", "model": "gpt-4o-mini-transcribe"},
    )

    (line,) = _lines(job_usage(job, Settings()).lines, "audio_s")

    assert (line.engine, line.model, line.unit_price) == (
        "whisper",
        "gpt-4o-mini-transcribe",
        0.003,
    )
    assert line.cost == pytest.approx(1.5 * 0.003)


def test_a_hybrid_transcription_meters_the_audio_once_per_engine_that_heard_it() -> None:
    job = finished_job(
        audio_s=30.0,
        providers=("hybrid", "local", "local"),
        transcription={"mode": "hybrid", "engine": "hybrid", "engines_used": ["whisper", "local"]},
    )

    usage = job_usage(job, Settings(openai={"stt_model": "whisper-1"}))
    audio = _lines(usage.lines, "audio_s")

    assert [(line.engine, line.model, line.quantity) for line in audio] == [
        ("whisper", "whisper-1", 30.0),
        ("local", None, 30.0),
    ]
    assert usage.totals.audio_s == 60.0
    assert usage.totals.cost == pytest.approx(0.5 * 0.006)
    assert _lines(usage.lines, "cpu_s")[0].engine == "hybrid"


def test_claude_hearing_audio_is_charged_by_its_tokens_and_a_fallback_by_its_engine() -> None:
    heard = finished_job(
        providers=("claude", "local", "local"),
        transcription={
            "engine": "claude",
            "model": SONNET,
            "usage": {"input_tokens": 2000, "output_tokens": 100},
        },
    )
    fell_back = finished_job(
        audio_s=120.0,
        providers=("claude", "local", "local"),
        transcription={"engine": "whisper", "engine_details": {"model": "whisper-1"}},
    )

    claude = job_usage(heard, Settings())
    whisper = job_usage(fell_back, Settings())

    assert (claude.totals.input_tokens, claude.totals.output_tokens) == (2000, 100)
    assert claude.totals.cost == pytest.approx(2000 / 1e6 * 3 + 100 / 1e6 * 15)
    assert [(line.engine, line.model) for line in _lines(whisper.lines, "audio_s")] == [
        ("whisper", "whisper-1")
    ]
    assert whisper.totals.cost == pytest.approx(2 * 0.006)


def test_reply_tokens_are_charged_at_the_model_that_answered() -> None:
    job = finished_job(
        providers=("local", "claude", "local"),
        usage=Usage(input_tokens=1000, output_tokens=500, model="claude-haiku-4-5"),
    )

    usage = job_usage(job, Settings())

    assert {line.model for line in _lines(usage.lines, "input_tokens")} == {"claude-haiku-4-5"}
    assert usage.totals.cost == pytest.approx(1000 / 1e6 * 1 + 500 / 1e6 * 5)


def test_prices_follow_the_table_a_changed_price_changes_the_cost_and_keeps_the_others() -> None:
    job = finished_job(
        providers=("whisper", "claude", "openai"),
        transcription={"engine": "whisper", "model": "whisper-1"},
        usage=Usage(input_tokens=1_000_000, output_tokens=0, model=SONNET),
        reply="x" * 1000,
        audio_s=60.0,
    )
    default = job_usage(job, Settings())
    dearer = job_usage(job, Settings(prices={"input_per_mtok": {SONNET: 6.0}}))

    assert default.totals.cost == pytest.approx(0.006 + 3.0 + 1000 / 1e6 * 15)
    assert dearer.totals.cost == pytest.approx(default.totals.cost + 3.0)
    assert (
        Settings(prices={"input_per_mtok": {SONNET: 6.0}}).prices.input_per_mtok["claude-haiku-4-5"]
        == 1.0
    ), "entries given are merged over the defaults"


def test_a_meter_the_table_has_no_price_for_shows_as_unpriced_and_costs_nothing() -> None:
    job = finished_job(
        providers=("local", "claude", "local"),
        usage=Usage(input_tokens=10, output_tokens=10, model="claude-next-9"),
    )

    tokens = _lines(job_usage(job, Settings()).lines, "input_tokens")

    assert [(line.unit_price, line.cost) for line in tokens] == [(None, 0.0)]


def test_voices_are_priced_per_vendor_model_or_google_voice_family() -> None:
    studio = finished_job(providers=("local", "local", "google"), reply="x" * 10_000)
    studio.options.voice = "en-US-Studio-O"
    eleven = finished_job(providers=("local", "local", "elevenlabs"), reply="x" * 10_000)
    settings = Settings(elevenlabs={"model_id": "eleven_flash_v2_5"})

    assert job_usage(studio, settings).totals.cost == pytest.approx(10_000 / 1e6 * 160)
    assert job_usage(eleven, settings).totals.cost == pytest.approx(10_000 / 1e6 * 50)
    assert unit_price(settings, "characters", "google", "Neural2") == 16.0


def test_only_stages_that_succeeded_count() -> None:
    job = finished_job(failed_at=Stage.TTS)

    usage = job_usage(job, Settings())

    assert usage.totals.characters == 0
    assert {line.stage for line in usage.lines} == {Stage.STT, Stage.LLM}


def test_a_job_made_from_text_has_no_audio_to_meter() -> None:
    job = finished_job(audio_s=0.0)
    del job.stages[Stage.STT]
    job.options.stages = [Stage.LLM, Stage.TTS]

    usage = job_usage(job, Settings())

    assert usage.totals.audio_s == 0
    assert usage.totals.characters > 0


def test_text_spoken_as_given_is_metered_by_the_characters_the_voice_was_sent() -> None:
    job = finished_job(providers=("local", "local", "openai"), reply="")
    for stage in (Stage.STT, Stage.LLM):
        del job.stages[stage]
    job.options.stages = [Stage.TTS]
    job.input.kind, job.input.size_bytes = "text", 2600
    job.results.spoken_characters = 2000

    usage = job_usage(job, Settings())

    assert usage.totals.characters == 2000
    assert usage.totals.cost == pytest.approx(2000 / 1e6 * 15)


def test_a_finished_run_records_its_cpu_and_a_later_run_replaces_it_never_adds() -> None:
    job = finished_job()
    record = job.stages[Stage.TTS]
    record.status, record.task_id = StageStatus.RUNNING, "second"
    job.status = JobStatus.SYNTHESIZING

    def keep(results: JobResults, key: str) -> None:
        return None

    transitions.finish(job, Stage.TTS, "second", "k", 1.0, keep, cpu_s=0.123456)

    assert job.stages[Stage.TTS].cpu_s == 0.1235
    assert job_usage(job, Settings()).totals.cpu_s == 2.0 + 0.5 + 0.1235


def test_a_tally_is_exact_and_the_same_in_any_order() -> None:
    rng = random.Random(7)
    parts = [
        UsageFigures(jobs=1, audio_s=rng.randint(1, 10**6) / 1000, cost=rng.randint(1, 10**7) / 1e6)
        for _ in range(500)
    ]
    forward, backward = Tally(), Tally()
    for figures in parts:
        forward.add(figures)
    for figures in reversed(parts):
        backward.add(figures)

    assert forward.figures() == backward.figures()
    assert forward.figures().jobs == 500
    expected_ms = sum(round(p.audio_s * 1000) for p in parts)
    assert forward.figures().audio_s == expected_ms / 1000


def test_grouped_by_provider_the_rows_add_up_to_the_total() -> None:
    usages = [
        job_usage(finished_job(providers=("whisper", "claude", "openai"), usage=Usage(
            input_tokens=100 * i, output_tokens=10 * i, model=SONNET)), Settings())
        for i in range(1, 6)
    ]  # fmt: skip

    summary = summarise(usages, "provider")
    tally = Tally()
    for row in summary.rows:
        tally.add(row.model_copy(update={"jobs": 0}))

    assert summary.totals.jobs == 5
    assert tally.figures().model_copy(update={"jobs": 5}) == summary.totals
    assert {(r.stage, r.engine) for r in summary.rows} >= {("stt", "whisper"), ("tts", "openai")}


def test_percentiles_interpolate_between_the_runs_seen() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]

    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.9) == pytest.approx(4.6)
    assert percentile([7.0], 0.99) == 7.0


def test_latency_is_reported_per_stage_provider_and_phase() -> None:
    jobs = [finished_job(run_s=(float(i), 0.2, 1.0)) for i in range(1, 11)]

    count, rows = latency(jobs)
    stt = next(r for r in rows if (r.stage, r.phase) == ("stt", "run"))

    assert count == 10
    assert (stt.provider, stt.count, stt.max_s, stt.p50_s) == ("local", 10, 10.0, 5.5)
    assert next(r for r in rows if (r.stage, r.phase) == ("llm", "wait")).p99_s == 0.1


def test_a_stage_a_retry_queued_again_waited_from_the_retry_not_from_before_the_cancel() -> None:
    # Before, a job canceled while queued and retried an hour later reported an hour of stt
    # queue wait: the wait was counted from the job's creation.
    job = finished_job(created_at=utcnow() - timedelta(hours=1))
    for record in job.stages.values():
        record.status, record.attempts, record.started_at = StageStatus.PENDING, 0, None
    job.status = JobStatus.QUEUED
    transitions.cancel(job)
    assert transitions.resume(job) == Stage.STT
    stt = job.stages[Stage.STT]
    stt.status, stt.attempts = StageStatus.SUCCEEDED, 1
    stt.started_at = (stt.resumed_at or utcnow()) + timedelta(seconds=0.5)
    stt.finished_at = stt.started_at + timedelta(seconds=3)

    _, rows = latency([job])

    wait = next(r for r in rows if (r.stage, r.phase) == ("stt", "wait"))
    assert wait.max_s == 0.5


def test_claude_as_a_hybrids_engine_and_as_its_reconciler_is_charged_by_its_tokens() -> None:
    job = finished_job(
        audio_s=30.0,
        providers=("hybrid", "local", "local"),
        transcription={
            "mode": "hybrid",
            "engine": "hybrid",
            "engines_used": ["local", "claude"],
            "engine_usage": {
                "claude": {"input_tokens": 2000, "output_tokens": 100, "model": SONNET}
            },
            "reconciled_by": "claude",
            "reconcile_usage": {
                "input_tokens": 300,
                "output_tokens": 50,
                "model": "claude-haiku-4-5",
            },
        },
    )

    usage = job_usage(job, Settings())

    tokens = [
        (line.engine, line.model, line.meter, line.quantity)
        for line in usage.lines
        if line.meter in ("input_tokens", "output_tokens")
    ]
    assert tokens == [
        ("claude", SONNET, "input_tokens", 2000),
        ("claude", "claude-haiku-4-5", "input_tokens", 300),
        ("claude", SONNET, "output_tokens", 100),
        ("claude", "claude-haiku-4-5", "output_tokens", 50),
    ]
    assert (usage.totals.input_tokens, usage.totals.output_tokens) == (2300, 150)
    assert usage.totals.cost == pytest.approx(
        2000 / 1e6 * 3 + 100 / 1e6 * 15 + 300 / 1e6 * 1 + 50 / 1e6 * 5
    )


def test_characters_a_voice_billed_a_run_the_job_did_not_take_are_read_from_the_record() -> None:
    job = finished_job(providers=("local", "local", "openai"), failed_at=Stage.TTS)
    record = job.model_dump(mode="json")
    record["stages"]["tts"]["billed"] = [{"engine": "openai", "model": "tts-1", "characters": 500}]

    usage = job_usage(type(job).model_validate(record), Settings())

    (line,) = _lines(usage.lines, "characters")
    assert (line.engine, line.quantity, line.cost) == ("openai", 500, pytest.approx(0.0075))
