"""Sending a submission so that sending it again is safe: its Idempotency-Key, and the
retries that key makes harmless.

Without a key, a submission whose answer never arrived (Ctrl-C once the upload had gone out,
a dropped connection, a read timeout) may or may not have made its batch, and the only way
to find out was to send it again: every recording then ran twice. The key is made from what
is sent (each file's path, name, size and modification time, and the options), so running the
same command again gets the batches already made back from the server and sends only the
rest; a file changed since is another request, as it should be. `--again` adds a fresh
value, for a deliberate second run.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shlex
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import httpx
from tqdm import tqdm

from api.cli.answers import BATCH_TERMINAL, ApiClientError
from api.cli.client import VoicePipeClient
from api.cli.reach import refused, unreachable
from shared.stages import STAGE_ORDER

T = TypeVar("T")
# The flags of options one stage acts on, with that stage.
_STAGE_FLAGS = {
    "llm_provider": ("--llm", "llm"),
    "tts_provider": ("--tts", "tts"),
    "voice": ("--voice", "tts"),
}


def check_stage_flags(options: Mapping[str, str | None]) -> None:
    """Bad usage, said before any file is read: a flag for a stage ``--stages`` leaves out.
    The server refuses it too (option_not_applicable), but only once every file has been
    uploaded, and by the API's field (``tts_provider``) rather than the flag typed."""
    stages = options.get("stages")
    if not stages:
        return
    # As the server reads it (api/options.py), which refuses others only after the upload.
    listed = [part.strip().lower() for part in stages.split(",") if part.strip()]
    taken = [",".join(s.value for s in STAGE_ORDER[:n]) for n in range(1, len(STAGE_ORDER) + 1)]
    if ",".join(listed) not in taken:
        raise click.BadParameter(
            f"{stages!r}: stages are {', '.join(taken[:-1])} or {taken[-1]} (each stage needs "
            "the one before it).",
            param_hint="'--stages'",
        )
    named = set(listed)
    for option, (flag, stage) in _STAGE_FLAGS.items():
        if options.get(option) and stage not in named:
            raise click.UsageError(
                f"{flag} is for the {stage} stage, which --stages {stages} leaves out: drop "
                f"{flag}, or add {stage} to --stages."
            )


# The flag of each provider option, with its stage.
_PROVIDER_FLAGS = {
    "stt_provider": ("--stt", "stt"),
    "llm_provider": ("--llm", "llm"),
    "tts_provider": ("--tts", "tts"),
}


def check_providers(client: VoicePipeClient, options: Mapping[str, str | None]) -> None:
    """Bad usage, said before any file is uploaded: a provider the server does not run for
    that stage, by the engines it lists. The server refuses it too (unknown_provider), but
    only once every recording has been sent."""
    asked = {o: options.get(o) for o in _PROVIDER_FLAGS if options.get(o)}
    engines = client.engines() if asked else None
    if not engines:
        return
    for option, name in asked.items():
        flag, stage = _PROVIDER_FLAGS[option]
        runs = [engine for engine, stages in engines.items() if stage in stages]
        if name not in runs:
            raise click.BadParameter(
                f"this server runs no {stage} provider {name!r} (it runs "
                f"{', '.join(runs) or 'none'}): nothing was uploaded. Choose one of those, or "
                f"leave {flag} out for the server's default.",
                param_hint=f"'{flag}'",
            )


# Waits before each retry: about a minute in all, past a broker or API restart.
RETRY_WAITS_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# 409 idempotency_in_progress: the first request with the key is still being recorded.
RETRYABLE_STATUS = {409, 429, 502, 503, 504}
MAX_RETRY_AFTER_S = 60.0
CONNECTING = (httpx.ConnectError, httpx.UnsupportedProtocol)
# A server's own limits of one batch request, lower than this machine's settings planned for.
SPLIT_CODES = {"too_many_parts", "too_large"}


def request_key(
    files: Sequence[Path], names: Mapping[Path, str], options: Mapping[str, Any], again: bool
) -> str:
    described = [
        [str(path.resolve()), names.get(path, path.name), stat.st_size, stat.st_mtime_ns]
        for path in files
        for stat in (path.stat(),)
    ]
    salt = secrets.token_hex(8) if again else ""
    text = json.dumps([described, sorted((k, str(v)) for k, v in options.items() if v), salt])
    return f"voicepipe-cli-{hashlib.sha256(text.encode()).hexdigest()}"


def sending(
    call: Callable[[], T],
    what: str,
    *,
    reached: bool,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call``, tried again while the server is briefly unable to take it (503, 502, 504,
    429, a key still in progress) or the connection fails; its key makes each try safe. A
    server never ``reached`` in this run that refuses the connection is most likely a wrong
    URL, said at once rather than after a minute of retries."""
    for wait in (*RETRY_WAITS_S, None):
        try:
            return call()
        except ApiClientError as exc:
            if exc.status not in RETRYABLE_STATUS or wait is None:
                raise
            if exc.status == 409 and exc.code != "idempotency_in_progress":
                raise
            reason = f"{exc.status} {exc.code}"
            wait = max(wait, min(exc.retry_after or 0.0, MAX_RETRY_AFTER_S))
        except httpx.TransportError as exc:
            wrong_url = not reached and isinstance(
                exc, httpx.ConnectError | httpx.UnsupportedProtocol
            )
            if wait is None or wrong_url:
                raise
            reason = str(exc) or type(exc).__name__
        click.echo(f"{what}: {reason}; trying again in {wait:g} s...", err=True)
        sleep(wait)
    raise AssertionError("unreachable: the last try raises")


def vanished(path: Path | str, exc: OSError) -> click.ClickException:
    """A file listed and found readable that a later look before the upload (its size, its
    bytes) could not read: removed or changed meanwhile."""
    return click.ClickException(
        f"cannot read {path}: {exc.strerror or exc}, so nothing was sent (it could be read "
        "when the files were listed). Fix it, or leave it out."
    )


def check_readable(files: Sequence[Path], shown: int = 10) -> None:
    """Every file can be opened, before anything is sent: one that cannot (no permission, a
    link to nothing) stopped an upload half-way with a traceback."""
    problems = []
    for path in files:
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            problems.append(f"{path} ({exc.strerror or exc})")
    if problems:
        listed = "; ".join(problems[:shown]) + ("; …" if len(problems) > shown else "")
        raise click.ClickException(
            f"cannot read {len(problems)} of the {len(files)} file(s), so nothing was sent: "
            f"{listed}. Fix them, or leave them out."
        )


def upload(
    client: VoicePipeClient,
    groups: Sequence[Sequence[Path]],
    names: Mapping[Path, str],
    options: dict[str, Any],
    again: bool,
    url: str | None,
) -> list[str]:
    """Each group as one batch, with a key that makes sending it again harmless: a batch the
    server already made for it (an earlier run stopped after its upload) is given back.

    The groups are planned by this machine's settings; a server that takes fewer files or
    bytes in one request (its own BATCHES__MAX_PARTS / MAX_TOTAL_BYTES) refuses the group,
    which is then sent as two halves, as often as needed (the same halves on every run, so
    their keys hold)."""
    ids: list[str] = []
    # The status of each batch an earlier run made, as given back: one may have ended since.
    states: dict[str, str] = {}
    pending = deque(groups)
    while pending:
        group = pending.popleft()
        total = len(ids) + 1 + len(pending)
        named = f"batch {len(ids) + 1} of {total}" if total > 1 else ""
        which = f" ({named})" if named else ""
        try:
            size = sum(p.stat().st_size for p in group)
            files = _counted(len(group), "file")
            click.echo(f"Uploading {files}, {size / 1048576:.1f} MB{which}...", err=True)
            key = request_key(group, names, options, again)
            # Bytes read for sending: a big batch takes minutes to upload, and the server
            # answers only once it has stored every part.
            with tqdm(total=size, unit="B", unit_scale=True, desc="upload", leave=False) as bar:
                send = partial(
                    client.submit_batch, group, names=names, idempotency_key=key, sent=bar.update
                )
                made = sending(
                    partial(_from_the_start, bar, size, partial(send, **options)),
                    f"batch {len(ids) + 1}",
                    reached=bool(ids),
                )
        except KeyboardInterrupt:
            stopped_uploading(ids, url, again, states, named or "the batch")
        except ApiClientError as exc:
            if exc.code in SPLIT_CODES and len(group) > 1:
                click.echo(
                    f"The server takes less in one request ({exc.code}): sending these "
                    f"{len(group)} files as two batches.",
                    err=True,
                )
                half = len(group) // 2
                pending.extendleft([group[half:], group[:half]])
                continue
            alone = f" ({group[0]})" if len(group) == 1 else ""
            raise click.ClickException(f"{refused(exc)}{alone}{_made(ids, again)}") from None
        except httpx.TransportError as exc:
            raise click.ClickException(f"{unreachable(exc)}{_made(ids, again)}") from None
        except OSError as exc:  # a file removed or made unreadable since it was listed
            where = exc.filename or "a file"
            raise click.ClickException(
                f"cannot read {where}: {exc.strerror or exc}{_made(ids, again)}"
            ) from None
        if made.get("replayed"):
            click.echo(already_submitted(made, url), err=True)
            states[made["id"]] = str(made.get("status"))
        ids.append(made["id"])
    return ids


def _from_the_start(bar: tqdm[Any], size: int, send: Callable[[], T]) -> T:
    """``send``, its bar back at 0: a try made again (after a 503, a dropped connection)
    reads every file again from its start, and the bar counted on past 100%."""
    bar.reset(total=size)
    return send()


def already_submitted(made: Mapping[str, Any], url: str | None = None) -> str:
    """What a run says of the batch or job an earlier run with the same key made."""
    said = f"Already submitted as {made['id']} (an earlier run)"
    failed = (made.get("counts") or {}).get("failed", 0)
    if failed and made.get("status") != "canceled":
        # Running the command again is what one tries after failures: it runs nothing.
        retrying = batch_command("retry", [made["id"]], url)
        return (
            f"{said}; {failed} of its jobs failed: `{retrying}` runs them again from the stage "
            "that failed."
        )
    if made.get("status") != "canceled":
        return f"{said}."
    # The same key gives the canceled one back on every run: only a new key runs the files.
    return (
        f"{said}, which was canceled: its files will not run. To run them, submit again "
        "with --again (which sends every file of this command anew)."
    )


def _made(ids: Sequence[str], again: bool) -> str:
    if not ids:
        return ""
    return f". Already submitted: {' '.join(ids)}; {_rerun(again)}"


def _rerun(again: bool) -> str:
    if again:
        # Its key had a fresh value: nothing can find what this run made.
        return (
            "this run used --again, so running it again submits every file once more: "
            "leave out the files of the batches above, or follow those with "
            "`voicepipe batch watch`."
        )
    return (
        # Each batch is known by its files: one added or removed moves the files of every
        # batch after it, which are then new requests.
        "running the same command again, on the same files (none added, removed or changed "
        "since), sends only the rest: what the server already took is not submitted twice "
        "(pass --again to submit everything anew)."
    )


def stopped_uploading(
    ids: Sequence[str],
    url: str | None,
    again: bool,
    states: Mapping[str, str] | None = None,
    under_way: str | None = None,
) -> NoReturn:
    """What was submitted before Ctrl-C: ``states`` has the status of a batch an earlier run
    made, which may have been canceled or have completed since, and so runs nothing now.
    ``under_way`` names the upload Ctrl-C stopped, which the server may have taken whole
    (the answer was awaited): not naming it, the run read as if its files were not sent."""
    click.echo("\nStopped uploading.", err=True)
    known = states or {}
    running = [i for i in ids if known.get(i) not in BATCH_TERMINAL]
    ended = [f"{i} ({known[i]})" for i in ids if i not in running]
    if running:
        click.echo(f"Batches already submitted, which keep running: {' '.join(running)}", err=True)
        click.echo(f"  {resume_command(running, url)}", err=True)
    if ended:
        click.echo(f"Batches already submitted, which have ended: {', '.join(ended)}", err=True)
    if under_way:
        # With --again nothing finds it: its files go again, as _rerun says.
        gets_it = ", and running the same command again gets it back if so"
        found = " (not listed above)" if again else gets_it
        click.echo(
            f"The upload of {under_way} was under way: the server may have made it all the "
            f"same{found}.",
            err=True,
        )
    click.echo(_rerun(again)[0].upper() + _rerun(again)[1:], err=True)
    sys.exit(130)


def resume_command(ids: Sequence[str], url: str | None) -> str:
    return batch_command("watch", ids, url)


def batch_command(verb: str, ids: Sequence[str], url: str | None, *extra: str) -> str:
    """The command line of ``voicepipe batch <verb>``, with the --url the run was given: one
    without it reads the configured server, not the one the batch is on. Never the API key:
    it would land in shell history; the variable still applies."""
    words = ["voicepipe", "batch", verb, *ids, *extra] + (["--url", url] if url else [])
    return shlex.join(words)


def say_left_out(left_out: Sequence[str]) -> None:
    """Name a folder's files not sent: else a folder of 9 files ends "7 items" with no word
    of the other 2."""
    if not left_out:
        return
    listed = ", ".join(sorted(left_out)[:10]) + (" ..." if len(left_out) > 10 else "")
    click.echo(
        f"Left out {len(left_out)} file{'s' if len(left_out) > 1 else ''} not named as "
        f"audio (by extension): {listed}. Send mp3, wav, ogg/opus, webm, flac, "
        "m4a/aac/mp4 or amr/3gp; convert others first.",
        err=True,
    )


def say_left_out_too(hidden: Sequence[str], twice: Sequence[tuple[str, str]]) -> None:
    """Name the audio-named files not sent for another reason than their name: a folder of
    10 recordings that ends "9 items" must say which one and why."""
    if hidden:
        click.echo(
            f"Left out {_counted(len(hidden), 'hidden file')} named as audio (a Mac's ._ copies, "
            f"a trash folder's): {_listed(hidden)}. Give one by its own path to send it.",
            err=True,
        )
    if twice:
        pairs = [a if a == b else f"{a} (the same file as {b})" for a, b in twice]
        click.echo(
            f"Sent once: {_counted(len(twice), 'file')} reached a second time (a link, or "
            f"given twice): {_listed(pairs)}.",
            err=True,
        )


def _counted(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n > 1 else ''}"


def _listed(names: Sequence[str], shown: int = 10) -> str:
    return ", ".join(sorted(names)[:shown]) + (" ..." if len(names) > shown else "")
