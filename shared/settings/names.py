"""Which ``VOICEPIPE_*`` variables of the environment name no setting.

pydantic-settings reads the variables of the fields it knows and passes over every other
one with the prefix without a word: ``VOICEPIPE_STORAGE_BACKEND=s3`` (one underscore) or
``VOICEPIPE_WORKER__STT__CONCURRENCY`` (no such section) would leave the default in force
while the operator believes it changed. A section refuses an unknown field itself
(``extra="forbid"``); these are the names no section ever sees.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping

from pydantic import BaseModel

PREFIX = "VOICEPIPE_"
NESTING = "__"


def _model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def sections_of(settings: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    """The top-level names of ``settings``: a section's model, or None for a plain field."""
    return {name: _model(field.annotation) for name, field in settings.model_fields.items()}


def _leaves(fields: Mapping[str, type[BaseModel] | None], path: str) -> Iterator[str]:
    for name, model in fields.items():
        here = f"{path}{name.upper()}"
        if model is None:
            yield here
        else:
            yield from _leaves(sections_of(model), here + NESTING)


def _names_a_setting(parts: list[str], fields: Mapping[str, type[BaseModel] | None]) -> bool:
    model: type[BaseModel] | None = None
    for depth, part in enumerate(parts):
        if depth:
            assert model is not None
            if part not in model.model_fields:
                return False
            nested = _model(model.model_fields[part].annotation)
        elif part in fields:
            nested = fields[part]
        else:
            return False
        if nested is None:
            # A plain field: its value is what it is (a dict field's keys are its own).
            return True
        model = nested
    return True  # a whole section as one JSON value, as child processes receive them


def unknown_variables(
    environment: Iterable[str], top_level: Mapping[str, type[BaseModel] | None]
) -> list[str]:
    """What is wrong with each prefixed name in ``environment`` that names no setting:
    the name, and the setting it most likely meant where one is close."""
    problems: list[str] = []
    known: list[str] | None = None
    for name in sorted(environment):
        # Read case-insensitively, as pydantic-settings reads them.
        if not name.upper().startswith(PREFIX):
            continue
        parts = name[len(PREFIX) :].lower().split(NESTING)
        if _names_a_setting(parts, top_level):
            continue
        known = known or sorted(_leaves(top_level, PREFIX))
        close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(f"{name} is not a setting{hint}")
    return problems
