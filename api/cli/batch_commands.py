"""`voicepipe submit` of many files and `voicepipe batch …` (`voicepipe fetch`: fetch_command)."""

from __future__ import annotations

import glob
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import httpx
from tqdm import tqdm

from api.cli.answers import BATCH_TERMINAL, ApiClientError, stages_done
from api.cli.client import VoicePipeClient
from api.cli.ids import BATCH_ID
from api.cli.progress import combine, eta_text, summarize, summary_lines, watch_batches
from api.cli.reach import refused, unreachable
from api.cli.submitting import (
    already_submitted,
    check_readable,
    request_key,
    resume_command,
    say_left_out,
    sending,
    stopped_uploading,
    upload,
)

# Multipart boundary and part headers around each file; 3x the name covers its escaping.
PART_OVERHEAD = 256
MAX_NAME_CHARS = 255
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


def expand_paths(args: Sequence[str], left_out: list[str] | None = None) -> dict[Path, str]:
    """Files as given, folders as their audio files, and patterns the shell left unexpanded
    (quoted, or from Windows) as whatever they match; each file once (however it is
    reached: another spelling of its path, a link to it), in the order found,
    with the name it is sent by: its path inside the folder given (dup/a/x.wav and
    dup/b/x.wav are a/x.wav and b/x.wav, told apart in the export), else its own name.
    A folder's files not named as audio go to ``left_out`` by their path inside it, hidden
    ones (.DS_Store, .git/) but for."""
    from api.cli import _collect

    found: dict[Path, str] = {}
    # By the file itself: ./x.wav and /abs/x.wav, or a link and its target, are one
    # recording, which would otherwise run twice.
    seen: set[Path] = set()
    for arg in args:
        if Path(arg).exists():
            matches = [Path(arg)]
        elif any(char in arg for char in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(arg, recursive=True))]
            if not matches:
                raise click.BadParameter(f"nothing matches {arg!r}", param_hint="PATHS")
        else:
            raise click.BadParameter(f"{arg!r} does not exist", param_hint="PATHS")
        for match in matches:
            skipped: list[Path] = []
            collected = _collect((match,), skipped)
            if left_out is not None:
                shown = (p.relative_to(match) for p in skipped)
                left_out.extend(
                    p.as_posix() for p in shown if not any(x.startswith(".") for x in p.parts)
                )
            for path in collected:
                name = path.relative_to(match).as_posix() if match.is_dir() else path.name
                if path.resolve() in seen:
                    continue
                seen.add(path.resolve())
                # A part name is at most 255 characters, shown by its last 200: the end
                # (the folder and the file) tells them apart.
                found[path] = name[-MAX_NAME_CHARS:]
    return found


def plan_batches(
    files: Sequence[Path],
    max_parts: int,
    max_bytes: int,
    reserved: int = 4096,
    names: Mapping[Path, str] | None = None,
) -> list[list[Path]]:
    """Consecutive runs of files, each within the server's limits of one request. Filling
    each batch before starting the next keeps the order and makes the fewest batches that
    any order-keeping split can."""
    budget = max_bytes - reserved
    named = names or {}
    too_big = [f for f in files if _part_bytes(f, named.get(f, f.name)) > budget]
    if too_big:
        listed = ", ".join(str(f) for f in too_big[:5])
        raise click.ClickException(
            f"{len(too_big)} file(s) are larger than one batch request may be "
            f"({max_bytes / 1048576:g} MB): {listed}. Compress them or send them by URL."
        )
    batches: list[list[Path]] = []
    used = 0
    for path in files:
        cost = _part_bytes(path, named.get(path, path.name))
        if not batches or len(batches[-1]) >= max_parts or used + cost > budget:
            batches.append([])
            used = 0
        batches[-1].append(path)
        used += cost
    return batches


def _part_bytes(path: Path, name: str) -> int:
    return path.stat().st_size + PART_OVERHEAD + 3 * len(name.encode())


def submit_files(
    args: Sequence[str],
    *,
    url: str | None,
    api_key: str | None,
    wait: bool,
    options: dict[str, Any],
    again: bool = False,
) -> NoReturn:
    from api.cli import AUDIO_SUFFIXES, _settings

    left_out: list[str] = []
    names = expand_paths(args, left_out)
    files = list(names)
    say_left_out(left_out)
    if not files:
        raise click.ClickException(
            "no audio files found (by extension) in the given paths; audio files are named "
            f"{' '.join(sorted(AUDIO_SUFFIXES))}"
        )
    check_readable(files)
    with api_errors(), open_client(url, api_key) as client:
        if len(files) == 1:
            _submit_one(client, files[0], names[files[0]], wait, options, url, again)
        cfg = _settings().batches
        reserved = 4096 + sum(len(str(v).encode()) for v in options.values() if v)
        groups = plan_batches(files, cfg.max_parts, cfg.max_total_bytes, reserved, names)
        if len(groups) > 1:
            click.echo(
                f"{len(files)} files are more than one batch request takes (at most "
                f"{cfg.max_parts} files, {cfg.max_total_bytes / 1048576:g} MB): submitting "
                f"them as {len(groups)} batches.",
                err=True,
            )
        ids = upload(client, groups, names, options, again, url)
        if not wait:
            click.echo("\n".join(ids))
            sys.exit(0)
        follow(client, ids, url, reached=True)


def _submit_one(
    client: VoicePipeClient,
    path: Path,
    name: str,
    wait: bool,
    options: dict[str, Any],
    url: str | None,
    again: bool = False,
) -> None:
    key = request_key([path], {path: name}, options, again)
    try:
        # A refusal says why, as a ClickException.
        send = partial(client.submit, path, name=name, idempotency_key=key)
        job = sending(partial(send, **options), "job", reached=False)
    except KeyboardInterrupt:
        stopped_uploading([], url, again)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    if job.get("replayed"):
        click.echo(already_submitted(job), err=True)
    if not wait:
        click.echo(job["id"])
        sys.exit(0)
    try:
        with tqdm(total=len(job["stages"]), desc="stages", unit="stage") as bar:

            def on_change(latest: dict[str, Any]) -> None:
                bar.update(stages_done(latest) - bar.n)

            job = client.wait([job["id"]], on_change=on_change, timeout_s=24 * 3600)[job["id"]]
    except KeyboardInterrupt:
        # At call time: api.cli.job_commands imports this module.
        from api.cli.job_commands import job_command

        # As for a batch: the job runs on without us, and its id is the only handle on it.
        click.echo(f"\nStopped watching. Job {job['id']} keeps running; see it with:", err=True)
        click.echo(f"  {job_command('status', job['id'], url)}", err=True)
        click.echo("and fetch its outputs once it ends with:", err=True)
        click.echo(f"  {job_command('fetch', job['id'], url, '--wait')}", err=True)
        sys.exit(130)
    error = f" {job['error']['code']}: {job['error']['message']}" if job.get("error") else ""
    click.echo(f"{job['id']} {job['status']}{error}")
    sys.exit(0 if job["status"] == "succeeded" else 1)


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
    sys.exit(0 if summarize(views) else 1)


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
        follow(client, list(batch_ids), url)


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
@click.option("-o", "--output", type=A_FILE, help="x.csv or x.jsonl (default: CSV to stdout).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Overrides -o's.")
@client_options
def batch_export(
    batch_id: str, output: Path | None, fmt: str | None, url: str | None, api_key: str | None
) -> None:
    """Download one row per item (job results, or why it was rejected), streamed."""
    fmt = export_format(output, fmt)
    with api_errors(), open_client(url, api_key) as client:
        if output is None:
            with to_stdout():
                sys.stdout.flush()
                client.export_batch(batch_id, fmt, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            return
        with writing(output):
            size = client.export_batch(batch_id, fmt, output)
    click.echo(f"wrote {output} ({size} bytes)", err=True)


@batch.command("cancel")
@click.argument("batch_id", type=BATCH_ID)
@client_options
def batch_cancel(batch_id: str, url: str | None, api_key: str | None) -> None:
    """Skip the items not yet started and cancel the unfinished jobs."""
    # The API refuses a second cancel (409 not_cancelable), and a completed batch's with the
    # same code; the batch's own status tells them apart. Already canceled exits 0, as
    # `voicepipe cancel` of a canceled job does: the batch is as the caller wanted.
    with api_errors(), open_client(url, api_key) as client:
        try:
            client.cancel_batch(batch_id)
        except ApiClientError as exc:
            if (exc.status, exc.code) != (409, "not_cancelable"):
                raise
            if client.batch(batch_id)["status"] != "canceled":
                raise
            click.echo(f"{batch_id} was already canceled: nothing to cancel.")
            return
    click.echo(f"Canceling {batch_id}: unfinished items are being canceled.")


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
    click.echo(f"Follow with: {resume_command([batch_id], None)}")
