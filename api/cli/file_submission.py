"""`voicepipe submit` of files: paths, folders and patterns expanded into audio files with the
names they are sent by, planned into batches within the server's limits, and sent as one job or
as batches followed to their end."""

from __future__ import annotations

import glob
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import click
from tqdm import tqdm

from api.cli import batch_commands
from api.cli.answers import stages_done
from api.cli.batch_commands import api_errors
from api.cli.client import VoicePipeClient
from api.cli.copies import say_copies
from api.cli.submitting import (
    already_submitted,
    check_readable,
    request_key,
    say_left_out,
    say_left_out_too,
    sending,
    stopped_uploading,
    upload,
    vanished,
)

# Multipart boundary and part headers around each file; 3x the name covers its escaping.
PART_OVERHEAD = 256
MAX_NAME_CHARS = 255


@dataclass
class LeftOut:
    """What a submission does not send, by the names the user knows them by: a folder's
    files not named as audio, its hidden audio-named ones, and files reached a second time
    with the name sent in their place."""

    not_audio: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    twice: list[tuple[str, str]] = field(default_factory=list)


def expand_paths(args: Sequence[str], left_out: LeftOut | None = None) -> dict[Path, str]:
    """Files as given, folders as their audio files, and patterns the shell left unexpanded
    (quoted, or from Windows) as whatever they match; each file once (however it is
    reached: another spelling of its path, a link to it), in the order found,
    with the name it is sent by: its path inside the folder given (dup/a/x.wav and
    dup/b/x.wav are a/x.wav and b/x.wav, told apart in the export), else its own name.
    A folder's files not sent go to ``left_out`` by their path inside it: those not named
    as audio, hidden ones (.DS_Store, .git/) but for, and hidden ones named as audio (a
    Mac's ._x.wav beside each recording on a USB stick, .Trashes/…), which are no
    recordings of the user's."""
    from api.cli import AUDIO_SUFFIXES, _collect

    told = left_out or LeftOut()
    found: dict[Path, str] = {}
    # By the file itself: ./x.wav and /abs/x.wav, or a link and its target, are one
    # recording, which would otherwise run twice; the name it was first sent by.
    seen: dict[Path, str] = {}
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
            for inside in (p.relative_to(match) for p in skipped):
                if not any(x.startswith(".") for x in inside.parts):
                    told.not_audio.append(inside.as_posix())
                elif inside.suffix.lower() in AUDIO_SUFFIXES:
                    told.hidden.append(inside.as_posix())
            for path in collected:
                name = path.relative_to(match).as_posix() if match.is_dir() else path.name
                if path.resolve() in seen:
                    told.twice.append((name, seen[path.resolve()]))
                    continue
                seen[path.resolve()] = name
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

    left_out = LeftOut()
    names = expand_paths(args, left_out)
    files = list(names)
    say_left_out(left_out.not_audio)
    say_left_out_too(left_out.hidden, left_out.twice)
    if not files:
        raise click.ClickException(
            "no audio files found (by extension) in the given paths; audio files are named "
            f"{' '.join(sorted(AUDIO_SUFFIXES))}"
        )
    check_readable(files)
    say_copies(names)
    # Looked up on its module when called, where a test puts its own client.
    with api_errors(), batch_commands.open_client(url, api_key) as client:
        if len(files) == 1:
            _submit_one(client, files[0], names[files[0]], wait, options, url, again)
        cfg = _settings().batches
        reserved = 4096 + sum(len(str(v).encode()) for v in options.values() if v)
        try:
            groups = plan_batches(files, cfg.max_parts, cfg.max_total_bytes, reserved, names)
        except OSError as exc:  # a file's size, read again
            raise vanished(exc.filename or "a file", exc) from None
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
        batch_commands.follow(client, ids, url, reached=True)


def _submit_one(
    client: VoicePipeClient,
    path: Path,
    name: str,
    wait: bool,
    options: dict[str, Any],
    url: str | None,
    again: bool = False,
) -> None:
    # At call time: api.cli.job_commands imports api.cli, which imports this module.
    from api.cli.job_commands import job_command

    try:
        key = request_key([path], {path: name}, options, again)
    except OSError as exc:
        raise vanished(path, exc) from None
    try:
        # A refusal says why, as a ClickException.
        send = partial(client.submit, path, name=name, idempotency_key=key)
        job = sending(partial(send, **options), "job", reached=False)
    except KeyboardInterrupt:
        stopped_uploading([], url, again, under_way="the recording")
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    if job.get("replayed"):
        click.echo(already_submitted(job, url), err=True)
    if not wait:
        click.echo(job["id"])
        sys.exit(0)
    try:
        with tqdm(total=len(job["stages"]), desc="stages", unit="stage") as bar:

            def on_change(latest: dict[str, Any]) -> None:
                bar.update(stages_done(latest) - bar.n)

            job = client.wait([job["id"]], on_change=on_change, timeout_s=24 * 3600)[job["id"]]
    except KeyboardInterrupt:
        # As for a batch: the job runs on without us, and its id is the only handle on it.
        click.echo(f"\nStopped watching. Job {job['id']} keeps running; see it with:", err=True)
        click.echo(f"  {job_command('status', job['id'], url)}", err=True)
        click.echo("and fetch its outputs once it ends with:", err=True)
        click.echo(f"  {job_command('fetch', job['id'], url, '--wait')}", err=True)
        sys.exit(130)
    error = f" {job['error']['code']}: {job['error']['message']}" if job.get("error") else ""
    click.echo(f"{job['id']} {job['status']}{error}")
    # As a batch's end names its export: "job_… succeeded" alone left the transcript where
    # only the README said how to reach it. On stderr: scripts read the line above.
    if job["status"] == "succeeded":
        fetching = job_command("fetch", job["id"], url, "-o", job["id"])
        click.echo(f"Fetch its outputs with: {fetching}", err=True)
    else:
        retrying = job_command("retry", job["id"], url)
        click.echo(f"To run it again from its first unfinished stage: {retrying}", err=True)
    sys.exit(0 if job["status"] == "succeeded" else 1)
