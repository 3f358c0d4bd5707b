"""What the deployment files may name, checked against the code: `voicepipe` commands the
image really has, and settings that really exist.

Every container runs a `voicepipe` command (`api`, `worker QUEUE`, `sweeper`, `flower`), the
same entry points `voicepipe up` uses for its children (api/cli/commands.py). A command is
resolved the way click parses it, without running it.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points

import click

from shared.settings import Settings
from shared.settings.names import PREFIX, sections_of, unknown_variables


def is_setting(name: str) -> bool:
    """Whether ``name`` is read by the settings object (``VOICEPIPE_<SECTION>__<FIELD>``):
    the check ``Settings()`` makes of the whole environment at start-up, for one name."""
    return name.startswith(PREFIX) and not unknown_variables([name], sections_of(Settings))


def command_problem(argv: Sequence[str]) -> str | None:
    """Why ``argv`` is not a `voicepipe` command of the image, or None when it is."""
    if not argv:
        return "empty command"
    program, args = argv[0], list(argv[1:])
    if program != "voicepipe":
        return f"{program}: not a voicepipe command (run what `voicepipe up` runs)"
    scripts = {entry.name for entry in entry_points(group="console_scripts")}
    if program not in scripts:
        return f"{program}: no such console script is installed"
    from api.cli import main

    try:
        _resolve(main, program, args)
    except click.ClickException as exc:
        return f"{' '.join(argv)}: {exc.format_message()}"
    return None


def _resolve(
    command: click.Command, name: str, args: list[str], parent: click.Context | None = None
) -> tuple[click.Context, click.Command]:
    """Parse ``args`` down to the leaf command, as click would before invoking it."""
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=name, parent=parent)
        # The group's own options; what is left starts with the subcommand's name.
        rest = click.Command.parse_args(command, ctx, args)
        if not rest:
            raise click.UsageError("missing command", ctx)
        sub_name, sub, sub_args = command.resolve_command(ctx, rest)
        assert sub is not None
        assert sub_name is not None
        return _resolve(sub, sub_name, sub_args, ctx)
    return command.make_context(name, args, parent=parent), command
