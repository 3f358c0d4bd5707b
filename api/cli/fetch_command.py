"""`voicepipe fetch`: one job's transcript in every format, its reply text and reply audio."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from api.cli import batch_commands
from api.cli.answers import ApiClientError
from api.cli.batch_commands import A_DIR, api_errors, client_options, writing
from api.cli.client import VoicePipeClient
from api.cli.ids import JOB_ID
from api.cli.job_commands import job_command

TRANSCRIPT_FORMATS = ("txt", "json", "srt", "vtt")
# The API's own sentences name its routes and polling, for HTTP clients; here, what to type.
API_RETRY = re.compile(r"POST /v1/jobs/\S+/retry")
API_POLL = "Poll the job until it has succeeded."
DEFAULT_WAIT_S = 3600.0


@click.command()
@click.argument("job_id", type=JOB_ID)
@click.option("-o", "--output", "out_dir", type=A_DIR, help="Folder (default: ./JOB_ID).")
@click.option("--wait", is_flag=True, help="Wait for a job still running to end, then fetch.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_WAIT_S,
    show_default=True,
    help="Seconds --wait waits.",
)
@client_options
def fetch(
    job_id: str,
    out_dir: Path | None,
    wait: bool,
    timeout: float,
    url: str | None,
    api_key: str | None,
) -> None:
    """Download a job's transcript (txt, json, srt, vtt), reply text and reply audio."""
    # Looked up on its module when called, where a test puts its own client.
    with (
        api_errors(),
        said_for_cli(job_id, url),
        batch_commands.open_client(url, api_key) as client,
    ):
        job = _waited(client, job_id, timeout, out_dir, url) if wait else client.job(job_id)
        # Everything is read before anything is written: no half-filled folder on an error.
        try:
            files = _downloaded(client, job_id, job)
        except KeyboardInterrupt:
            _stopped(job_id, out_dir, url, "downloading", [], [])
    target = out_dir or Path(job_id)
    with writing(target):
        target.mkdir(parents=True, exist_ok=True)
    names = list(files)
    for done, name in enumerate(names):
        try:
            with writing(target / name):
                (target / name).write_bytes(files[name])
        except KeyboardInterrupt:
            # A file cut short is no output: removed, and named among those not saved.
            (target / name).unlink(missing_ok=True)
            _stopped(job_id, out_dir, url, "writing", names[:done], names[done:])
        click.echo(f"wrote {target / name} ({len(files[name])} bytes)")


def _downloaded(client: VoicePipeClient, job_id: str, job: dict[str, Any]) -> dict[str, bytes]:
    files = {f"transcript.{fmt}": client.transcript(job_id, fmt) for fmt in TRANSCRIPT_FORMATS}
    results = job["results"]
    if results.get("reply") is not None:
        files["reply.txt"] = (results["reply"] + "\n").encode()
    if results.get("reply_audio_key"):
        files[f"reply.{_extension(results['reply_audio_key'])}"] = client.reply_audio(job_id)
    return files


def _stopped(
    job_id: str,
    out_dir: Path | None,
    url: str | None,
    doing: str,
    saved: list[str],
    not_saved: list[str],
) -> NoReturn:
    """Ctrl-C once the job had ended: what is on disk, and the command that fetches it all
    again (no --wait: there is nothing left to wait for)."""
    target = out_dir or Path(job_id)
    if saved:
        said = f"saved {', '.join(saved)} in {target}; not saved: {', '.join(not_saved)}"
    else:
        said = "nothing was saved"
    click.echo(f"\nStopped {doing} job {job_id}'s outputs: {said}. Fetch them with:", err=True)
    again = ["-o", str(out_dir)] if out_dir else []
    click.echo(f"  {job_command('fetch', job_id, url, *again)}", err=True)
    raise click.exceptions.Exit(130)


def _waited(
    client: VoicePipeClient, job_id: str, timeout: float, out_dir: Path | None, url: str | None
) -> dict[str, Any]:
    try:
        return client.wait([job_id], timeout_s=timeout)[job_id]
    except KeyboardInterrupt:
        # The job runs on without us: the same command picks the wait up again.
        again = ["--wait"] + (["-o", str(out_dir)] if out_dir else [])
        again += ["--timeout", f"{timeout:g}"] if timeout != DEFAULT_WAIT_S else []
        click.echo(f"\nStopped waiting. Job {job_id} keeps running; wait again with:", err=True)
        click.echo(f"  {job_command('fetch', job_id, url, *again)}", err=True)
        raise click.exceptions.Exit(130) from None
    except TimeoutError:
        status = client.job(job_id)["status"]
        raise click.ClickException(
            f"{job_id} has not ended after {timeout:g} s (status: {status}); fetch it later, "
            "or wait longer with --timeout."
        ) from None


@contextmanager
def said_for_cli(job_id: str, url: str | None) -> Iterator[None]:
    """The API's refusals of a job with no outputs, naming the command that helps."""
    try:
        yield
    except ApiClientError as exc:
        if exc.code in {"job_failed", "job_canceled"}:
            retry = f"`{job_command('retry', job_id, url)}`"
            message = API_RETRY.sub(retry, exc.message)
            exc.message = message if message != exc.message else f"{message} {retry} retries it."
        elif exc.code == "not_ready":
            wait = f"`{job_command('fetch', job_id, url, '--wait')}` waits for it to end."
            exc.message = f"{exc.message.replace(API_POLL, '').rstrip()} {wait}"
        raise


def _extension(key: object) -> str:
    """The reply file's extension as the key names it (mp3, ogg, wav), or ``bin``: a key
    from a server at --url is no path to follow ("x./../../name" wrote outside the folder)."""
    ext = str(key).rsplit(".", 1)[-1]
    return ext if re.fullmatch(r"[A-Za-z0-9]{1,8}", ext) else "bin"
