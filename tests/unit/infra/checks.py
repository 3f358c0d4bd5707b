"""What the deployment files may name, checked against the code: commands the image really
has, and settings that really exist.

A command is resolved the way its own program parses it, without running it: `voicepipe`,
`celery` (with Flower's options) and `uvicorn` through their click commands; the modules
they load (`-A`, `-m`, the app factory) are found on disk and read, not imported, so no
worker or app code runs in the test process.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

import click
from pydantic import BaseModel

from shared.settings import Settings

PREFIX = "VOICEPIPE_"


def is_setting(name: str) -> bool:
    """Whether ``name`` is read by the settings object (``VOICEPIPE_<SECTION>__<FIELD>``).

    Needed beside ``Settings()`` itself: it refuses a misspelled field inside a section, but
    silently ignores an unknown top-level ``VOICEPIPE_*`` variable.
    """
    if not name.startswith(PREFIX):
        return False
    model: type[BaseModel] = Settings
    parts = name.removeprefix(PREFIX).lower().split("__")
    for depth, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        if depth == len(parts) - 1:
            return True
        annotation = field.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return False
        model = annotation
    return False


def command_problem(argv: Sequence[str]) -> str | None:
    """Why ``argv`` is not a command of the image, or None when it is."""
    if not argv:
        return "empty command"
    program, args = argv[0], list(argv[1:])
    if program in {"python", "python3"}:
        return _python_problem(args)
    scripts = {entry.name for entry in entry_points(group="console_scripts")}
    if program not in scripts:
        return f"{program}: no such console script is installed"
    try:
        if program == "voicepipe":
            from api.cli import main

            _resolve(main, program, args)
            return None
        if program == "celery":
            return _celery_problem(args)
        if program == "uvicorn":
            return _uvicorn_problem(args)
    except click.ClickException as exc:
        return f"{' '.join(argv)}: {exc.format_message()}"
    return f"{program}: no check for this program"


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


def _celery_problem(args: list[str]) -> str | None:
    from celery.bin.celery import celery

    ctx, command = _resolve(celery, "celery", args)
    app = ctx.find_root().params.get("app")
    if not app:
        return "celery: no -A application"
    module, _, attribute = str(app).partition(":")
    if problem := _module_defines(module, attribute or "app"):
        return f"celery -A {app}: {problem}"
    if command.name == "flower":
        import flower.options  # noqa: F401 - defines Flower's options
        import tornado.options

        for arg in ctx.params["tornado_argv"]:
            option = arg.removeprefix("--").partition("=")[0]
            if not arg.startswith("--") or option not in tornado.options.options:
                return f"celery flower: {arg!r} is not a Flower option"
    return None


def _uvicorn_problem(args: list[str]) -> str | None:
    ctx = importlib.import_module("uvicorn.main").main.make_context("uvicorn", args)
    module, _, attribute = str(ctx.params["app"]).partition(":")
    if not attribute:
        return "uvicorn: the app must be module:attribute"
    if problem := _module_defines(module, attribute):
        return f"uvicorn {ctx.params['app']}: {problem}"
    if ctx.params["factory"] and attribute not in _functions(module):
        return f"uvicorn --factory {ctx.params['app']}: not a function"
    return None


def _python_problem(args: list[str]) -> str | None:
    if len(args) < 2 or args[0] != "-m":
        return "python: only `python -m MODULE` is checked"
    tree = _parse(args[1])
    if tree is None:
        return f"python -m {args[1]}: no such module"
    if not any(_is_main_guard(node) for node in tree.body):
        return f"python -m {args[1]}: the module does nothing when run"
    return None


def _parse(module: str) -> ast.Module | None:
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return ast.parse(Path(spec.origin).read_text())


def _module_defines(module: str, name: str) -> str | None:
    tree = _parse(module)
    if tree is None:
        return f"no module {module}"
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return None
    if name in _functions(module):
        return None
    return f"{module} defines no {name}"


def _functions(module: str) -> set[str]:
    tree = _parse(module)
    return {
        node.name
        for node in (tree.body if tree else [])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _is_main_guard(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
        and any(
            isinstance(c, ast.Constant) and c.value == "__main__" for c in node.test.comparators
        )
    )
