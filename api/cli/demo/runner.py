"""`voicepipe demo`: sample voicemails through the whole pipeline, over real HTTP."""

from __future__ import annotations

import json
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from api.cli.client import VoicePipeClient
from api.cli.demo.samples import Sample, load_samples, materialize
from api.cli.progress import watch_batches
from api.cli.stack import Stack
from shared.audio import decode_pcm16k
from shared.settings import Settings
from shared.wer import word_error_rate


def run_demo(settings: Settings, *, json_out: Path | None = None, timeout_s: float = 900) -> int:
    """Run every sample; return the process exit code (non-zero if any job failed)."""
    with ExitStack() as cleanup:
        client = cleanup.enter_context(
            VoicePipeClient(settings.api.base_url, api_key=_key(settings))
        )
        if client.healthy():
            click.echo(f"Using the VoicePipe already running at {settings.api.base_url}")
        else:
            click.echo("Starting the embedded stack (Valkey, API, 5 worker pools, Flower)...")
            stack = Stack(settings)
            cleanup.callback(stack.stop)
            stack.start()
            click.echo(f"Stack up: API {settings.api.base_url}, logs in {stack.logs_dir}")
        samples = load_samples()
        click.echo(f"Speaking {len(samples)} sample voicemails with the offline voice...")
        paths = materialize(samples, settings, settings.data_dir / "samples")
        batch_id = client.submit_batch(paths)["id"]
        click.echo(f"Submitted them as one batch: {batch_id}")
        watch_batches(client, [batch_id], out=sys.stdout, timeout_s=timeout_s, reached=True)
        # Items are numbered in upload order, which is the samples' order.
        jobs = {job["batch_index"]: job for job in client.all_batch_jobs(batch_id)}
        results = [
            _result(client, settings, sample, path, jobs.get(index))
            for index, (sample, path) in enumerate(zip(samples, paths, strict=True))
        ]
        table = settings.data_dir.resolve() / "demo-results.csv"
        table.parent.mkdir(parents=True, exist_ok=True)
        client.export_batch(batch_id, "csv", table)
    _report(results)
    click.echo(f"\nResults table (one row per voicemail): {table}")
    if json_out:
        json_out.write_text(json.dumps(results, indent=2))
    failed = [r for r in results if r["status"] != "succeeded"]
    if failed:
        click.echo(f"{len(failed)} of {len(results)} jobs failed.", err=True)
        return 1
    return 0


def _key(settings: Settings) -> str | None:
    key = settings.client.api_key
    return key.get_secret_value() if key else None


def _result(
    client: VoicePipeClient,
    settings: Settings,
    sample: Sample,
    path: Path,
    job: dict[str, Any] | None,
) -> dict[str, Any]:
    if job is None:  # the batch refused the file: it never became a job
        return _rejected(sample, path)
    results = job["results"]
    out: dict[str, Any] = {
        "sample": sample.id,
        "file": str(path),
        "job_id": job["id"],
        "status": job["status"],
        "error": job.get("error"),
        "script": sample.script,
        "expected_callback": sample.callback_number,
        "transcript": results.get("transcript"),
        "triage": results.get("triage"),
        "reply": results.get("reply"),
        "review": results.get("review_reasons") or [],
        "tone": (results.get("analysis") or {}).get("tone"),
        "timings": {name: rec.get("duration_s") for name, rec in job["stages"].items()},
    }
    if results.get("transcript") is not None:
        out["wer"] = round(word_error_rate(sample.script, results["transcript"]), 3)
    if job["status"] == "succeeded":
        audio = client.reply_audio(job["id"])
        ext = results["reply_audio_key"].rsplit(".", 1)[-1]
        target = settings.data_dir.resolve() / "replies" / f"{job['id']}.{ext}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(audio)
        out["reply_audio"] = str(target)
        out["reply_audio_s"] = round(len(decode_pcm16k(audio)) / 16000, 2)
    return out


def _rejected(sample: Sample, path: Path) -> dict[str, Any]:
    return {
        "sample": sample.id,
        "file": str(path),
        "job_id": None,
        "status": "rejected",
        "error": {"code": "rejected", "message": "the batch refused the file (see the CSV)"},
        "script": sample.script,
        "expected_callback": sample.callback_number,
        "transcript": None,
        "triage": None,
        "reply": None,
        "review": [],
        "tone": None,
        "timings": {},
    }


def _report(results: list[dict[str, Any]]) -> None:
    for r in results:
        click.echo("")
        click.secho(
            f"== {r['sample']}  ({Path(r['file']).name})  job {r['job_id']}: {r['status']}",
            bold=True,
        )
        if r["error"]:
            click.echo(f"   error      : {r['error']['code']}: {r['error']['message']}")
        if r["transcript"] is not None:
            click.echo(f"   transcript : {r['transcript']}")
            click.echo(f"   WER        : {r['wer']:.3f} against the script")
        if r["triage"]:
            t = r["triage"]
            mark = "ok" if t.get("callback_number") == r["expected_callback"] else "MISMATCH"
            click.echo(
                f"   triage     : caller={t.get('caller_name')} "
                f"callback={t.get('callback_number')} ({mark}, script says "
                f"{r['expected_callback']}) intent={t.get('intent')} "
                f"urgency={t.get('urgency')} dates={t.get('dates')}"
            )
        if r["tone"]:
            click.echo(
                f"   tone       : {r['tone']['emotion']} "
                f"(confidence {r['tone']['confidence']:.2f}, estimate)"
            )
        if r["triage"]:
            click.echo(f"   review     : {', '.join(r['review']) or 'not needed'}")
        if r["reply"]:
            click.echo(f"   reply      : {r['reply']}")
        if r.get("reply_audio"):
            click.echo(f"   reply audio: {r['reply_audio']} ({r['reply_audio_s']:.1f} s)")
        timings = ", ".join(f"{k} {v:.2f} s" for k, v in r["timings"].items() if v is not None)
        click.echo(f"   timings    : {timings}")
    _bottleneck(results)


def _bottleneck(results: list[dict[str, Any]]) -> None:
    per_stage: dict[str, list[float]] = {}
    for r in results:
        for stage, seconds in r["timings"].items():
            if seconds is not None:
                per_stage.setdefault(stage, []).append(seconds)
    if not per_stage:
        return
    means = {stage: statistics.fmean(values) for stage, values in per_stage.items()}
    click.echo("")
    click.echo(
        "Per-stage time (mean over jobs): " + ", ".join(f"{s} {m:.2f} s" for s, m in means.items())
    )
    slowest = max(means, key=lambda s: means[s])
    share = means[slowest] / sum(means.values())
    click.echo(
        f"Bottleneck: the {slowest} stage ({share:.0%} of stage time); scale the "
        f"'{slowest}' worker pool first."
    )
