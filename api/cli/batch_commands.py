"""`voicepipe batch …` (status, watch, export, cancel, retry), following batches to their end,
and the plumbing every client command shares: --url/--api-key, the client, API errors and writing
to a file or standard output as one line, never a traceback. `voicepipe submit`'s files:
file_submission; `voicepipe fetch`: fetch_command."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import httpx

from api.cli.answers import BATCH_TERMINAL, ApiClientError
from api.cli.client import VoicePipeClient
from api.cli.ids import BATCH_ID
from api.cli.progress import combine, eta_text, summarize, summary_lines, watch_batches
from api.cli.reach import refused, unreachable
from api.cli.submitting import batch_command, resume_command

EXPORT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
A_FILE = click.Path(dir_okay=False, path_type=Path)
A_DIR = click.Path(file_okay=False, path_type=Path)

F = TypeVar("F", bound=Callable[..., Any])


def client_options(command: F) -> F:
    """--url and --api-key, as the commands of api.cli take them (that module imports this
    one, so its option objects cannot be imported here)."""
    command = click.option(
        "--api-key",
        help="API key to send (default: VOICEPIPE_CLIENT__API_KEY, which stays out of ps).",
    )(command)
    return click.option("--url", help="API base URL (default: the configured one).")(command)


def open_client(url: str | None, api_key: str | None) -> VoicePipeClient:
    from api.cli import _api_key, _settings  # at call time: api.cli imports this module

    return VoicePipeClient(url or _settings().api.base_url, api_key=_api_key(api_key))


@contextmanager
def api_errors() -> Iterator[None]:
    try:
        yield
    except ApiClientError as exc:
        raise click.ClickException(refused(exc)) from None
    except httpx.TransportError as exc:
        raise click.ClickException(unreachable(exc)) from None


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """A file or folder that cannot be written (no such folder, no permission, read-only) is
    a message naming it, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


# What a shell reports for a tool that SIGPIPE ended (128 + 13), as `yes | head` does.
READER_GONE = 141


def quiet_stdout() -> None:
    """Send what is still buffered for standard output nowhere: written at the interpreter's
    exit, it would fail again and print an "Exception ignored" after the command's end."""
    # Not a real file (a test runner's buffer): nothing is left to fail.
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@contextmanager
def to_stdout() -> Iterator[None]:
    """Results that standard output cannot take (a full disk, ``> /dev/full``) are one line
    saying so, not a traceback. A reader that has gone (``| head`` has what it wanted) is no
    failure to report: the command ends at once, saying nothing, with 141 as a tool that
    SIGPIPE ends does (0 would say everything was delivered; 1 is every failure's code)."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_stdout()
        raise click.exceptions.Exit(READER_GONE) from None
    except OSError as exc:
        quiet_stdout()
        reason = exc.strerror or exc
        raise click.ClickException(f"cannot write to standard output: {reason}") from None


def follow(
    client: VoicePipeClient, ids: list[str], url: str | None, *, reached: bool = False
) -> NoReturn:
    """Show progress until every batch has finished, then the summary; exit 1 if any item
    failed, was rejected or canceled, 130 on Ctrl-C (the batches keep running)."""
    try:
        views = watch_batches(client, ids, reached=reached)
    except KeyboardInterrupt:
        them = "The batch keeps" if len(ids) == 1 else "The batches keep"
        click.echo(f"\nStopped watching. {them} running; resume with:", err=True)
        click.echo(f"  {resume_command(ids, url)}", err=True)
        sys.exit(130)
    sys.exit(0 if summarize(views, url, client) else 1)


@click.group()
def batch() -> None:
    """Follow, export, cancel and retry batches (`voicepipe submit` of many files makes one)."""


@batch.command("status")
@click.argument("batch_id", type=BATCH_ID)
@click.option("--human", is_flag=True, help="A short summary instead of JSON.")
@client_options
def batch_status(batch_id: str, human: bool, url: str | None, api_key: str | None) -> None:
    """Print a batch as JSON (counts by status, by stage and by failure code, ETA)."""
    with api_errors(), open_client(url, api_key) as client:
        view = client.batch(batch_id)
    with to_stdout():
        if not human:
            click.echo(json.dumps(view, indent=2))
            return
        progress = "?" if view["progress"] is None else f"{view['progress']:.0%}"
        click.echo(f"{batch_id}: {view['status']}, {progress} done")
        click.echo("\n".join(summary_lines(combine([view]))))
        if view["status"] not in BATCH_TERMINAL:
            running = ", ".join(f"{s} {n}" for s, n in view["running_by_stage"].items())
            # A cancel calls off the work the server's estimate is of.
            eta = "" if view["status"] == "canceling" else f"; ETA {eta_text(view['eta_s'])}"
            click.echo(f"running: {running}{eta}")


@batch.command("watch")
@click.argument("batch_ids", nargs=-1, required=True, type=BATCH_ID)
@client_options
def batch_watch(batch_ids: tuple[str, ...], url: str | None, api_key: str | None) -> None:
    """Show the progress of batches until they finish (Ctrl-C stops watching only)."""
    with api_errors(), open_client(url, api_key) as client:
        # Each once: a batch named twice (a pasted resume command, and its id again) was
        # counted twice, its items and its export line.
        follow(client, list(dict.fromkeys(batch_ids)), url)


def export_format(output: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output is None:
        return "csv"
    if output.suffix.lower() in EXPORT_FORMATS:
        return EXPORT_FORMATS[output.suffix.lower()]
    raise click.UsageError(
        f"cannot tell the format from {output.name!r}: name it .csv or .jsonl, or pass --format"
    )


@batch.command("export")
@click.argument("batch_id", type=BATCH_ID)
@click.option(
    "-o",
    "--output",
    type=A_FILE,
    help="x.csv or x.jsonl, replaced if it exists (default: CSV to stdout).",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Overrides -o's.")
@client_options
def batch_export(
    batch_id: str, output: Path | None, fmt: str | None, url: str | None, api_key: str | None
) -> None:
    """Download one row per item (job results, or why it was rejected), streamed."""
    fmt = export_format(output, fmt)
    with api_errors(), open_client(url, api_key) as client:
        # Before the rows are read: a batch that ended by then is exported whole.
        unfinished = _still_running(client, batch_id, url)
        if unfinished:
            click.echo(unfinished, err=True)
        if output is None:
            with to_stdout():
                sys.stdout.flush()
                client.export_batch(batch_id, fmt, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            return
        # Said, not refused: a script exporting to one file on a schedule means to replace it.
        replaced = output.exists()
        with writing(output):
            size = client.export_batch(batch_id, fmt, output)
    over = ", replacing the file that was there" if replaced else ""
    click.echo(f"wrote {output} ({size} bytes){over}", err=True)


def _still_running(client: VoicePipeClient, batch_id: str, url: str | None) -> str | None:
    """What to say of an export of a batch still running, whose unfinished items' rows are
    queued, pending or mid-stage without results: the table alone read as the final one.
    The export itself reports a batch it cannot read, so a view not had here is no error."""
    try:
        view = client.batch(batch_id)
        if view["status"] in BATCH_TERMINAL:
            return None
        counts = view["counts"]
        done = sum(counts.get(s, 0) for s in ("succeeded", "failed", "canceled"))
        done += view.get("rejected", 0)
        items = view["items"]
    except (ApiClientError, httpx.TransportError, KeyError, TypeError):
        return None
    of = f" of {items}" if items is not None else ""
    return (
        f"{batch_id} is still running ({done}{of} items done): the rows of the others have "
        f"no results yet. Wait for it with `{resume_command([batch_id], url)}`, then export "
        "again."
    )


@batch.command("cancel")
@click.argument("batch_id", type=BATCH_ID)
@client_options
def batch_cancel(batch_id: str, url: str | None, api_key: str | None) -> None:
    """Skip the items not yet started and cancel the unfinished jobs."""
    # The API refuses a second cancel (409 not_cancelable), and a completed batch's with the
    # same code; the batch's own status tells them apart. Either exits 0, as `voicepipe
    # cancel` of a canceled or finished job does: nothing of the batch runs any more, as the
    # caller wanted (and a batch that completes just before its cancel is no script's error).
    with api_errors(), open_client(url, api_key) as client:
        try:
            client.cancel_batch(batch_id)
        except ApiClientError as exc:
            if (exc.status, exc.code) != (409, "not_cancelable"):
                raise
            view = client.batch(batch_id)
            if view["status"] == "canceled":
                click.echo(f"{batch_id} was already canceled: nothing to cancel.")
            elif view["status"] == "completed":
                click.echo("\n".join(_completed(batch_id, view, url)))
            else:
                raise
            return
    click.echo(f"Canceling {batch_id}: unfinished items are being canceled.")


def _completed(batch_id: str, view: dict[str, Any], url: str | None) -> list[str]:
    """What a completed batch came to, and what to do with it instead of canceling."""
    counts: dict[str, int] = {**view.get("counts", {}), "rejected": view.get("rejected", 0)}
    told = [
        f"{n} {s}" for s in ("succeeded", "failed", "canceled", "rejected") if (n := counts.get(s))
    ]
    said = f" ({', '.join(told)})" if told else ""
    lines = [f"{batch_id} had already completed{said}: nothing to cancel."]
    failed = counts.get("failed", 0)
    if failed:
        jobs = "job" if failed == 1 else "jobs"
        retrying = batch_command("retry", [batch_id], url)
        lines.append(f"To run its {failed} failed {jobs} again: {retrying}")
    else:
        exporting = batch_command("export", [batch_id], url, "-o", "results.csv")
        lines.append(f"Its results: {exporting}")
    return lines


@batch.command("retry")
@click.argument("batch_id", type=BATCH_ID)
@client_options
def batch_retry(batch_id: str, url: str | None, api_key: str | None) -> None:
    """Run the failed jobs again, each from the stage that failed."""
    with api_errors(), open_client(url, api_key) as client:
        view = client.retry_batch(batch_id)
    click.echo(f"Retrying {view['counts'].get('failed', 0)} failed job(s) of {batch_id}.")
    if view["rejected"]:
        click.echo(f"{view['rejected']} rejected item(s) are not jobs: submit them again.")
    click.echo(f"Follow with: {resume_command([batch_id], url)}")
