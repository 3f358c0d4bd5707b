"""`voicepipe fetch`: one job's transcript in every format, its reply text and reply audio."""

from __future__ import annotations

import re
from pathlib import Path

import click

from api.cli import batch_commands
from api.cli.batch_commands import A_DIR, api_errors, client_options, writing
from api.cli.ids import JOB_ID

TRANSCRIPT_FORMATS = ("txt", "json", "srt", "vtt")


@click.command()
@click.argument("job_id", type=JOB_ID)
@click.option("-o", "--output", "out_dir", type=A_DIR, help="Folder (default: ./JOB_ID).")
@client_options
def fetch(job_id: str, out_dir: Path | None, url: str | None, api_key: str | None) -> None:
    """Download a job's transcript (txt, json, srt, vtt), reply text and reply audio."""
    # Looked up on its module when called, where a test puts its own client.
    with api_errors(), batch_commands.open_client(url, api_key) as client:
        job = client.job(job_id)
        # Everything is read before anything is written: no half-filled folder on an error.
        files = {f"transcript.{fmt}": client.transcript(job_id, fmt) for fmt in TRANSCRIPT_FORMATS}
        results = job["results"]
        if results.get("reply") is not None:
            files["reply.txt"] = (results["reply"] + "\n").encode()
        if results.get("reply_audio_key"):
            files[f"reply.{_extension(results['reply_audio_key'])}"] = client.reply_audio(job_id)
    target = out_dir or Path(job_id)
    with writing(target):
        target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        with writing(target / name):
            (target / name).write_bytes(data)
        click.echo(f"wrote {target / name} ({len(data)} bytes)")


def _extension(key: object) -> str:
    """The reply file's extension as the key names it (mp3, ogg, wav), or ``bin``: a key
    from a server at --url is no path to follow ("x./../../name" wrote outside the folder)."""
    ext = str(key).rsplit(".", 1)[-1]
    return ext if re.fullmatch(r"[A-Za-z0-9]{1,8}", ext) else "bin"
