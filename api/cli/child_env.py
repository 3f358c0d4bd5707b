"""The environment the supervisor's children start with: exactly the supervisor's settings,
whether read from the environment or built in code (tests, CLI options)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from pydantic import SecretStr

from shared.settings import Settings


def _plain(value: object) -> str:
    # Children need the secrets themselves, not pydantic's masked "**********".
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, date):  # a date or a time, as pydantic reads it back
        return value.isoformat()
    raise TypeError(f"cannot pass {type(value).__name__} to a child process")


def child_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process exactly the supervisor's settings.

    Each section travels as one JSON variable, so settings built in code (tests, CLI
    options) reach the children as well as those read from the environment.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEPIPE_")}
    resolved = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
    sections = {**resolved.model_dump(), **resolved.plugin_section_values()}
    for name, value in sections.items():
        env[f"VOICEPIPE_{name.upper()}"] = (
            json.dumps(value, default=_plain) if isinstance(value, dict) else str(value)
        )
    env["PYTHONUNBUFFERED"] = "1"
    return env
