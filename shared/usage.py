"""The usage ledger: what a job consumed and what it cost, read from its record alone.

No counter is kept beside the job records: a job's figures are a pure function of its
record and the price table, and every report (a job's, a batch's, a tenant's window) sums
those. Nothing can drift from the jobs, and a job can be counted only as often as it is
read, which each report does once. A stage counts once it has succeeded: its record then
holds the run whose output counts (a retried or redelivered run replaces it, never adds).

What is metered, per stage:

- stt: seconds of the input transcribed, per engine that heard it (both of a hybrid's,
  the fallback's when Claude refused the audio, as the provider or as a hybrid's engine:
  ``engine_fallbacks``), and Claude's tokens when it heard it
  (as the provider or as a hybrid's engine) and when it reconciled a hybrid's two, also
  when it refused or cut off its answer and the stage went on without it; the seconds or
  characters a hybrid's failed engine was billed beside the kept transcript (``engine_billed``);
- llm: tokens in and out of the model that answered (``results.usage``);
- every stage: tokens the vendor billed for answers its failed runs could not use (a
  refusal, an answer cut at max_tokens: ``StageRecord.billed``), whether or not the stage
  succeeded after, once per run; a discarded or stale run adds its tokens, the audio seconds
  of a cloud transcriber and the characters of a cloud voice (``shared.run_billing``);
- tts: characters of the reply text sent to the voice;
- every stage: CPU seconds of its run (``StageRecord.cpu_s``, measured by workers.stage).

Models the record does not name (whisper inside a hybrid, the voice models) are taken from
the settings as they are now. Costs are always at the table's current prices
(shared/settings/usage.py), so a changed price changes every figure priced with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from shared.metered_details import stt_billed, stt_engines, stt_tokens, voice_model
from shared.models import (
    STAGE_ORDER,
    Billed,
    Job,
    JobStatus,
    Stage,
    StageRecord,
    StageStatus,
)
from shared.settings import Settings

Meter = Literal["audio_s", "input_tokens", "output_tokens", "characters", "cpu_s"]
METERS: tuple[Meter, ...] = ("audio_s", "input_tokens", "output_tokens", "characters", "cpu_s")

# Each meter's price: the table's field, and how many of the meter's units a price is for.
_PRICED_PER: dict[Meter, tuple[str, float, str]] = {
    "audio_s": ("audio_per_minute", 60.0, "audio minute"),
    "input_tokens": ("input_per_mtok", 1e6, "million input tokens"),
    "output_tokens": ("output_per_mtok", 1e6, "million output tokens"),
    "characters": ("characters_per_million", 1e6, "million characters"),
    "cpu_s": ("cpu_per_hour", 3600.0, "CPU-hour"),
}
# Sums are kept as whole numbers of these fractions, so that a total is exact and the same
# whatever order its parts were added in (a batch's total is exactly its jobs' sum).
SCALE: dict[str, int] = {
    "audio_s": 1_000,
    "input_tokens": 1,
    "output_tokens": 1,
    "characters": 1,
    "cpu_s": 10_000,
    "cost": 1_000_000,
}


class UsageLine(BaseModel):
    stage: Stage
    # The stage's provider as the job chose it; ``engine`` is who did the metered work
    # (a hybrid's engines, Claude's fallback), ``model`` what its price depends on.
    provider: str
    engine: str
    model: str | None
    meter: Meter
    quantity: int | float
    unit_price: float | None
    price_unit: str
    cost: float


class UsageFigures(BaseModel):
    jobs: int = 0
    audio_s: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    characters: int = 0
    cpu_s: float = 0.0
    cost: float = 0.0


FIGURES: tuple[str, ...] = tuple(UsageFigures.model_fields)


class JobUsage(BaseModel):
    job_id: str
    tenant: str
    batch_id: str | None
    status: JobStatus
    created_at: datetime
    currency: str
    totals: UsageFigures
    lines: list[UsageLine]


class Tally:
    """Figures added up exactly (whole numbers of each figure's smallest step)."""

    def __init__(self) -> None:
        self.units: Counter[str] = Counter()

    def add(self, figures: UsageFigures) -> None:
        self.units["jobs"] += figures.jobs
        for name, scale in SCALE.items():
            self.units[name] += round(getattr(figures, name) * scale)

    def add_line(self, line: UsageLine) -> None:
        self.units[line.meter] += round(line.quantity * SCALE[line.meter])
        self.units["cost"] += round(line.cost * SCALE["cost"])

    def figures(self) -> UsageFigures:
        values: dict[str, Any] = {"jobs": self.units["jobs"]}
        for name, scale in SCALE.items():
            values[name] = self.units[name] if scale == 1 else self.units[name] / scale
        return UsageFigures(**values)


def figures_of(lines: Iterable[UsageLine], jobs: int = 1) -> UsageFigures:
    tally = Tally()
    tally.units["jobs"] = jobs
    for line in lines:
        tally.add_line(line)
    return tally.figures()


def job_usage(job: Job, settings: Settings) -> JobUsage:
    lines = [*_stt_lines(job, settings), *_llm_lines(job, settings), *_tts_lines(job, settings)]
    for stage, record in _succeeded(job):
        if record.cpu_s is not None:
            provider = record.provider or "unknown"
            lines.append(
                priced_line(settings, stage, provider, provider, None, "cpu_s", record.cpu_s)
            )
    lines = _merged(settings, [*lines, *_billed_lines(job, settings)])
    lines.sort(key=lambda line: (STAGE_ORDER.index(line.stage), METERS.index(line.meter)))
    return JobUsage(
        job_id=job.id,
        tenant=job.tenant,
        batch_id=job.batch_id,
        status=job.status,
        created_at=job.created_at,
        currency=settings.prices.currency,
        totals=figures_of(lines),
        lines=lines,
    )


def _succeeded(job: Job) -> list[tuple[Stage, StageRecord]]:
    return [(s, r) for s, r in job.stages.items() if r.status == StageStatus.SUCCEEDED]


def _record(job: Job, stage: Stage) -> StageRecord | None:
    record = job.stages.get(stage)
    return record if record is not None and record.status == StageStatus.SUCCEEDED else None


def _stt_lines(job: Job, settings: Settings) -> list[UsageLine]:
    record = _record(job, Stage.STT)
    if record is None or job.input.duration_s <= 0:
        return []
    provider = record.provider or "unknown"
    details = job.results.transcription
    lines = []
    # Without the engines that answered silence without calling a vendor (stt_engines).
    for engine, model in stt_engines(details, provider, settings):
        seconds = round(job.input.duration_s, 3)
        lines.append(priced_line(settings, Stage.STT, provider, engine, model, "audio_s", seconds))
    for engine, spent, model in stt_tokens(details, settings):
        for meter in ("input_tokens", "output_tokens"):
            count = int(spent.get(meter) or 0)
            lines.append(priced_line(settings, Stage.STT, provider, engine, model, meter, count))
    for charge in stt_billed(details):
        for meter, billed, engine, model in _billed(Stage.STT, record, charge, settings):
            lines.append(priced_line(settings, Stage.STT, provider, engine, model, meter, billed))
    return lines


def _llm_lines(job: Job, settings: Settings) -> list[UsageLine]:
    record = _record(job, Stage.LLM)
    usage = job.results.usage
    if record is None or usage is None or not (usage.input_tokens or usage.output_tokens):
        return []
    provider = record.provider or "unknown"
    # Replies recorded before the model was kept: the model the settings name now.
    fallback = settings.anthropic.model if provider == "claude" else None
    model = usage.model or fallback
    return [
        priced_line(
            settings, Stage.LLM, provider, provider, model, "input_tokens", usage.input_tokens
        ),
        priced_line(
            settings, Stage.LLM, provider, provider, model, "output_tokens", usage.output_tokens
        ),
    ]


def _billed_lines(job: Job, settings: Settings) -> list[UsageLine]:
    """What vendors billed runs whose answer the job did not take (``StageRecord.billed``)."""
    return [
        priced_line(settings, stage, record.provider or "unknown", engine, model, meter, count)
        for stage, record in job.stages.items()
        for spent in record.billed
        for meter, count, engine, model in _billed(stage, record, spent, settings)
    ]


def _billed(
    stage: Stage, record: StageRecord, spent: Billed, settings: Settings
) -> list[tuple[Meter, float, str, str | None]]:
    # Tokens are Claude's; seconds and characters name who billed them (whisper, a voice).
    found: list[tuple[Meter, float, str, str | None]] = []
    provider = record.provider or "unknown"
    if spent.input_tokens or spent.output_tokens:
        engine = spent.engine or (provider if stage == Stage.LLM else "claude")
        model = spent.model or settings.anthropic.model
        found += [(m, getattr(spent, m), engine, model) for m in ("input_tokens", "output_tokens")]
    by: tuple[tuple[Meter, float], ...] = (
        ("audio_s", spent.audio_s),
        ("characters", spent.characters),
    )
    found += [(m, n, spent.engine or provider, spent.model) for m, n in by if n]
    return found


def _merged(settings: Settings, lines: list[UsageLine]) -> list[UsageLine]:
    """One line per stage, provider, engine, model and meter: a failed run's tokens and the
    succeeded run's of the same model are one quantity, priced once."""
    totals: dict[tuple[Stage, str, str, str | None, Meter], float] = {}
    for line in lines:
        key = (line.stage, line.provider, line.engine, line.model, line.meter)
        totals[key] = totals.get(key, 0) + line.quantity
    if len(totals) == len(lines):
        return lines
    return [priced_line(settings, *key, quantity) for key, quantity in totals.items()]


def _tts_lines(job: Job, settings: Settings) -> list[UsageLine]:
    record = _record(job, Stage.TTS)
    if record is None:
        return []
    # What the voice was sent, as the tts stage counted it (the reply, or a speech-only
    # job's text after redaction); records from before it counted are the reply's length.
    count = job.results.spoken_characters
    if count is None:
        count = len(job.results.reply or "")
    if not count:
        return []
    provider = record.provider or "unknown"
    model = voice_model(job, provider, settings)
    return [priced_line(settings, Stage.TTS, provider, provider, model, "characters", count)]


def unit_price(settings: Settings, meter: Meter, engine: str, model: str | None) -> float | None:
    """The table's price of one unit of ``meter`` by ``engine`` and ``model``; None when
    the table has no entry (the line then costs 0 and says it was not priced)."""
    field, _, _ = _PRICED_PER[meter]
    table: float | dict[str, float] = getattr(settings.prices, field)
    if isinstance(table, float):
        return table
    for key in (f"{engine}:{model}" if model else None, model, engine):
        if key is not None and key in table:
            return table[key]
    return None


def priced_line(
    settings: Settings,
    stage: Stage,
    provider: str,
    engine: str,
    model: str | None,
    meter: Meter,
    quantity: float,
) -> UsageLine:
    price = unit_price(settings, meter, engine, model)
    _, per, unit = _PRICED_PER[meter]
    cost = 0.0 if price is None else round(quantity / per * price, 6)
    return UsageLine(
        stage=stage,
        provider=provider,
        engine=engine,
        model=model,
        meter=meter,
        quantity=quantity,
        unit_price=price,
        price_unit=unit,
        cost=cost,
    )
