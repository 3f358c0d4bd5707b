"""`voicepipe retry` and `voicepipe cancel` of one job (`voicepipe batch …` for batches)."""

from __future__ import annotations

import shlex

import click

from api.cli import batch_commands
from api.cli.answers import TERMINAL
from api.cli.batch_commands import api_errors, client_options
from api.cli.ids import JOB_ID


def job_command(verb: str, job_id: str, url: str | None, *extra: str) -> str:
    """The command line of ``verb`` for the job, with the --url it was given (never the API
    key: it would land in shell history; the variable still applies)."""
    words = ["voicepipe", verb, job_id, *extra] + (["--url", url] if url else [])
    return shlex.join(words)


@click.command()
@click.argument("job_id", type=JOB_ID)
@client_options
def retry(job_id: str, url: str | None, api_key: str | None) -> None:
    """Run a failed or canceled job again from its first unfinished stage."""
    # Looked up on its module when called, where a test puts its own client.
    with api_errors(), batch_commands.open_client(url, api_key) as client:
        job = client.retry_job(job_id)
    click.echo(f"Retrying {job_id} from its first unfinished stage (now {job['status']}).")
    click.echo(
        f"Fetch its outputs once it ends with: {job_command('fetch', job_id, url, '--wait')}"
    )


@click.command()
@click.argument("job_id", type=JOB_ID)
@client_options
def cancel(job_id: str, url: str | None, api_key: str | None) -> None:
    """Cancel an unfinished job: no further stage starts, a running one's result is dropped."""
    # The API answers every cancel with the job as it is (200, repeatable): a job already
    # canceled reads the same after this call as after the first, so it is looked at first.
    # Exit 0 either way: the job ends up canceled (or ended), as the caller wanted.
    with api_errors(), batch_commands.open_client(url, api_key) as client:
        job = client.job(job_id)
        if job["status"] not in TERMINAL:
            job = client.cancel_job(job_id)
            if job["status"] == "canceled" or job["status"] not in TERMINAL:
                click.echo(f"Canceled {job_id}.")
                return
    if job["status"] == "canceled":
        click.echo(f"{job_id} was already canceled: nothing to cancel.")
    else:
        click.echo(f"{job_id} had already ended ({job['status']}): nothing to cancel.")
