"""`voicepipe api|worker|sweeper|flower`: one process of the stack, as compose and Kubernetes
run it. Each replaces itself (exec) with the command `voicepipe up` would start, so signals
from the orchestrator reach the server or Celery directly."""

from __future__ import annotations

import os

import click

from api.cli.commands import api_command, flower_command, sweeper_command, worker_command
from shared.queues import QUEUES
from shared.settings import Settings

MIN_FLOWER_PASSWORD = 12


def _exec(command: list[str], env: dict[str, str] | None = None) -> None:
    # argv lists from our settings, no shell.
    os.execve(command[0], command, env if env is not None else dict(os.environ))  # noqa: S606


def _settings() -> Settings:
    from api.cli import _settings as checked

    return checked()


@click.command()
def api() -> None:
    """Serve the HTTP API (VOICEPIPE_API__HOST, __PORT, __PROCESSES)."""
    _exec(api_command(_settings()))


@click.command()
@click.argument("queue", type=click.Choice(QUEUES))
def worker(queue: str) -> None:
    """Run the Celery worker of one queue, its pool sized by the settings."""
    _exec(worker_command(_settings(), queue))


@click.command()
def sweeper() -> None:
    """Run the sweeper: redrives stuck work, ends overdue jobs, deletes expired objects (run
    exactly one; a second is harmless)."""
    _settings()  # refuse invalid settings here, with the CLI's message
    _exec(sweeper_command())


@click.command()
def flower() -> None:
    """Run Flower on VOICEPIPE_FLOWER__HOST/__PORT. Its basic auth is FLOWER_BASIC_AUTH, or
    VOICEPIPE_FLOWER__BASIC_AUTH; it does not start without one."""
    settings = _settings()
    env = dict(os.environ)
    configured = settings.flower.basic_auth
    if "FLOWER_BASIC_AUTH" not in env and configured is not None:
        # Through the environment, not argv, so the password never shows in `ps`.
        env["FLOWER_BASIC_AUTH"] = configured.get_secret_value()
    if not env.get("FLOWER_BASIC_AUTH"):
        raise click.ClickException(
            "Flower shows every task of the deployment: set FLOWER_BASIC_AUTH=user:password "
            "(or VOICEPIPE_FLOWER__BASIC_AUTH) before starting it."
        )
    # Compose and the Kubernetes Secret set Flower's own variable, which the settings never
    # see: held here to the rule they apply to VOICEPIPE_FLOWER__BASIC_AUTH.
    for entry in env["FLOWER_BASIC_AUTH"].split(","):
        user, sep, password = entry.partition(":")
        if not (user and sep and len(password) >= MIN_FLOWER_PASSWORD):
            raise click.ClickException(
                "FLOWER_BASIC_AUTH must be user:password (comma-separated for several), each "
                f"password of {MIN_FLOWER_PASSWORD} characters or more"
            )
    _exec(flower_command(settings), env)


COMMANDS = (api, worker, sweeper, flower)
