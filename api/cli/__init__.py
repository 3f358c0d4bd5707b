"""The `voicepipe` command: run the stack, the demo, and submit audio."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from api.cli.batch_commands import batch
from api.cli.fetch_command import fetch
from api.cli.file_submission import submit_files
from api.cli.ids import JOB_ID
from api.cli.job_commands import cancel, retry
from api.cli.key_commands import keys
from api.cli.process_commands import COMMANDS
from api.cli.review_commands import reviews
from api.cli.webhook_commands import webhooks
from shared.logging import configure_logging
from shared.settings import Settings, get_settings

AUDIO_SUFFIXES = {
    *(".mp3", ".wav", ".ogg", ".opus", ".webm", ".flac", ".m4a", ".aac", ".mp4"),
    # Voicemail from phones and carriers' visual voicemail.
    *(".amr", ".awb", ".3gp", ".3ga"),
}
# Prefer the variable: an option is visible to every user of the machine in `ps`.
api_key_option = click.option(
    "--api-key", help="API key to send (default: VOICEPIPE_CLIENT__API_KEY, which stays out of ps)."
)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors())
        raise click.ClickException(f"invalid settings: {problems}") from None


def _problem(error: ErrorDetails) -> str:
    # A check across settings (a model validator) has no location and names its settings
    # itself; pydantic's "Value error, " prefix says nothing to an operator.
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:
        return message
    return f"VOICEPIPE_{'__'.join(str(p).upper() for p in error['loc'])}: {message}"


def _api_key(option: str | None) -> str | None:
    if option:
        return option
    configured = _settings().client.api_key
    return configured.get_secret_value() if configured else None


class _Interruptible(click.Group):
    """Ctrl-C ends any command with 130, as shells and CI tell an interrupt from a failure;
    click's own answer is "Aborted!" and 1, the code of every failure. Commands that have
    more to say (`submit`, `batch watch`) say it and exit 130 themselves. Standard output
    whose reader has gone (`| head`) ends any command quietly with 141, as `to_stdout`
    does for the commands that print results."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        from api.cli.batch_commands import READER_GONE, quiet_stdout

        # The top level's --help is printed here, before invoke: click's own answer to a
        # closed pipe at this point is 1, the code of every failure.
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            quiet_stdout()
            raise click.exceptions.Exit(READER_GONE) from None

    def invoke(self, ctx: click.Context) -> Any:
        from api.cli.batch_commands import READER_GONE, quiet_stdout

        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            quiet_stdout()
            raise click.exceptions.Exit(READER_GONE) from None


@click.group(cls=_Interruptible)
def main() -> None:
    """VoicePipe: voicemails in, transcripts, replies and spoken replies out."""


main.add_command(keys)
main.add_command(batch)
main.add_command(fetch)
main.add_command(retry)
main.add_command(cancel)
main.add_command(webhooks)
main.add_command(reviews)
for _process in COMMANDS:
    main.add_command(_process)


@main.command()
def up() -> None:
    """Run the whole stack on this machine until Ctrl-C."""
    from api.cli.readiness import StartInterrupted
    from api.cli.stack import Stack

    settings = _with_webhook_secret(_usable(_settings()))
    configure_logging(settings.log_level, settings.log_format)
    stack = Stack(settings)
    stopped = threading.Event()

    def _stop(*_: Any) -> None:
        stopped.set()
        stack.interrupt()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
    except StartInterrupted:
        click.echo("Stopping before the stack was up...")
        stack.stop()
        sys.exit(130)
    except RuntimeError as exc:
        stack.stop()
        raise click.ClickException(str(exc)) from None
    click.echo(f"VoicePipe is up: API {settings.api.base_url}  (docs at /docs)")
    if stack.flower:
        user, _ = stack.flower_credentials()
        where = (
            "VOICEPIPE_FLOWER__BASIC_AUTH"
            if settings.flower.basic_auth
            else settings.data_dir.resolve() / "flower-credentials"
        )
        click.echo(
            f"Flower: http://{settings.flower.host}:{settings.flower.port} "
            f"(user {user}; password in {where})"
        )
    click.echo(f"Data in {settings.data_dir.resolve()}; logs in {stack.logs_dir}. Ctrl-C stops.")
    while not stopped.wait(1.0):
        if stack.failed:
            click.echo(stack.failed, err=True)
            break
    click.echo("Stopping...")
    stack.stop()
    sys.exit(1 if stack.failed else 0)


def _usable(settings: Settings) -> Settings:
    """``settings``, once its data directory is there and writable: the stack writes its
    broker files, objects and logs there, and would fail further in with a traceback."""
    path = settings.data_dir.resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        raise click.ClickException(
            f"cannot use the data directory {path}: {exc.strerror or exc}; "
            "give a writable one in VOICEPIPE_DATA_DIR"
        ) from None
    return settings


def _publish_once(path: Path, text: str) -> None:
    """Write ``path`` (0600) whole, unless it appears meanwhile. Two starts at once on a new
    data directory both find it missing (this runs before the directory's lock): written in
    place, the second's exclusive create was a FileExistsError traceback, or it read the
    file empty. A link publishes a finished file or fails, leaving the first one's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)


def _with_webhook_secret(settings: Settings) -> Settings:
    """On an open machine (tenant ``default`` only) with no signing secret configured, one is
    made once and kept in the data folder, so callbacks work out of the box and stay
    verifiable across restarts; with API keys, secrets are the operator's to configure."""
    if settings.webhooks.secrets or not settings.auth.open_access:
        return settings
    from pydantic import SecretStr

    from shared.webhook_signing import new_secret

    path = settings.data_dir.resolve() / "webhook-secret"
    if not path.exists():
        _publish_once(path, new_secret() + "\n")
    entry = SecretStr(f"default:{path.read_text().strip()}")
    click.echo(f"Webhooks are signed with the secret in {path} (tenant default).")
    webhooks = settings.webhooks.model_copy(update={"secrets": [entry]})
    return settings.model_copy(update={"webhooks": webhooks})


@main.command()
@click.option("--json-out", type=click.Path(path_type=Path), help="Also write results as JSON.")
def demo(json_out: Path | None) -> None:
    """Send the sample voicemails through the pipeline and show what came back."""
    from api.cli.batch_commands import api_errors
    from api.cli.demo.runner import run_demo

    settings = _usable(_settings())
    configure_logging("WARNING")
    # A running stack may refuse (it has API keys and VOICEPIPE_CLIENT__API_KEY is unset) or
    # go away mid-way: said as every other command says it.
    with api_errors():
        code = run_demo(settings, json_out=json_out)
    sys.exit(code)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--url", help="API base URL (default: the configured one).")
@click.option("--wait/--no-wait", default=True, help="Follow the job or batch until it ends.")
@click.option("--stages", help="Stages to run: stt, stt,llm or stt,llm,tts (default: all).")
@click.option("--stt", "stt_provider", help="Transcription provider for these jobs.")
@click.option("--llm", "llm_provider", help="Reply provider for these jobs.")
@click.option("--tts", "tts_provider", help="Speech provider for these jobs.")
@click.option("--voice", help="Voice for the spoken reply.")
@click.option(
    "--again",
    is_flag=True,
    help="Submit the files anew even if this same command already submitted them (within "
    "24 h); without it, a repeated run gets back what the server already took.",
)
@api_key_option
def submit(
    paths: tuple[str, ...],
    url: str | None,
    wait: bool,
    again: bool,
    api_key: str | None,
    **options: str,
) -> None:
    """Submit audio files, folders (their audio files) or glob patterns: one file as a job,
    more as one batch (several if over the server's limits), with a progress bar.

    Safe to run again after Ctrl-C or a lost connection, with the same files (none added,
    removed or changed) within 24 h: the batches the server already took are given back,
    not submitted twice, and the rest are sent."""
    from api.cli import batch_commands
    from api.cli.submitting import check_providers, check_stage_flags

    check_stage_flags(options)
    with batch_commands.api_errors(), batch_commands.open_client(url, api_key) as client:
        check_providers(client, options)
    submit_files(paths, url=url, api_key=api_key, wait=wait, options=options, again=again)


def _collect(paths: tuple[Path, ...], left_out: list[Path] | None = None) -> list[Path]:
    """The files given, and a folder's audio files but its hidden ones (a Mac's ._x.wav
    AppleDouble beside each recording on a USB stick, a .Trashes/ folder's deleted ones);
    a folder's other files go to ``left_out``, to be named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            # A folder named like a recording (calls.wav/) is walked, never sent; a link
            # to nothing is kept, to be named as unreadable rather than missed.
            found = sorted(p for p in path.rglob("*") if not p.is_dir())
            sent = [p for p in found if _audio(p) and not _hidden(p.relative_to(path))]
            files.extend(sent)
            if left_out is not None:
                taken = set(sent)
                left_out.extend(p for p in found if p not in taken)
        else:
            files.append(path)
    return files


def _audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES


def _hidden(inside: Path) -> bool:
    return any(part.startswith(".") for part in inside.parts)


@main.command()
@click.argument("job_id", type=JOB_ID)
@click.option("--url", help="API base URL (default: the configured one).")
@api_key_option
def status(job_id: str, url: str | None, api_key: str | None) -> None:
    """Print a job as JSON."""
    import json

    from api.cli.batch_commands import api_errors, open_client, to_stdout

    with api_errors(), open_client(url, api_key) as client:
        job = client.job(job_id)
    with to_stdout():
        click.echo(json.dumps(job, indent=2))


if __name__ == "__main__":
    main()
