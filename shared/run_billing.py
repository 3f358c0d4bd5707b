"""What a vendor billed one run, read from the results it would have recorded: for a run
whose output the job no longer takes (canceled meanwhile, or a stale delivery), charged to
``StageRecord.billed`` all the same (workers.stage)."""

from __future__ import annotations

from shared.metered_details import stt_billed, stt_engines, stt_tokens, voice_model
from shared.models import Billed, Job, JobResults, Stage
from shared.provider_catalog import Work, spec
from shared.settings import Settings


def run_billed(
    job: Job, stage: Stage, provider: str, results: JobResults, settings: Settings
) -> list[Billed]:
    spent = [
        Billed(
            input_tokens=int(used.get("input_tokens") or 0),
            output_tokens=int(used.get("output_tokens") or 0),
            model=model,
        )
        for _, used, model in stt_tokens(results.transcription, settings)
    ]
    if results.usage is not None:
        spent.append(Billed.of(results.usage))
    spent = [used for used in spent if used.input_tokens or used.output_tokens]
    details = results.transcription
    if stage == Stage.STT and details:  # stt_engines leaves out those that made no call
        seconds = round(job.input.duration_s, 3)
        for engine, model in stt_engines(details, provider, settings):
            if seconds > 0 and _cloud(stage, engine):
                spent.append(Billed(engine=engine, model=model, audio_s=seconds))
        spent += stt_billed(details)  # a hybrid's failed engines', billed all the same
    characters = results.spoken_characters
    if stage == Stage.TTS and characters and _cloud(stage, provider):
        model = voice_model(job, provider, settings)
        spent.append(Billed(engine=provider, model=model, characters=characters))
    return spent


def _cloud(stage: Stage, engine: str) -> bool:
    # An offline engine bills nobody: its CPU is the machine's.
    found = spec(stage.value, engine)
    return found is not None and found.work == Work.IO
