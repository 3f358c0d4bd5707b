"""Job and batch ids as command arguments. One the server could never find was sent anyway:
an empty one (an unset shell variable) came back as an HTTP redirect, a path as "not_found:
Not Found", and a batch's id given to `status` as "no job bat_…", none of which says what
to type instead."""

from __future__ import annotations

import re
from typing import Any

import click

# Characters that end or change a URL path segment, and blanks: never in an id we make.
NOT_IN_AN_ID = re.compile(r"[\s/?#%\\]")
# Each kind of id, and the command that reads one.
READER = {"job": "voicepipe status", "batch": "voicepipe batch status"}
PREFIX = {"job": "job_", "batch": "bat_"}
# Commands a job and a batch both have: a batch id given to `voicepipe retry` is pointed at
# `voicepipe batch retry`, not at a command that only shows the batch.
SHARED_VERBS = frozenset({"retry", "cancel"})


class Identifier(click.ParamType[str]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = f"{kind} id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text or NOT_IN_AN_ID.search(text):
            self.fail(
                f"{text!r} is not a {self.kind} id: ids look like {PREFIX[self.kind]}01a2… "
                "(`voicepipe submit` prints them)",
                param,
                ctx,
            )
        for other, prefix in PREFIX.items():
            if other != self.kind and text.startswith(prefix):
                self.fail(
                    f"{text} is a {other} id, not a {self.kind} id: {_instead(other, text, ctx)}",
                    param,
                    ctx,
                )
        return text


def _instead(other: str, text: str, ctx: click.Context | None) -> str:
    """The command that does for an ``other`` id what this one does for its own (retry and
    cancel are both a job's and a batch's); else the one that shows it."""
    see = f"see it with `{READER[other]} {text}`"
    verb = ctx.info_name if ctx is not None else None
    if verb not in SHARED_VERBS:
        return see
    does = f"voicepipe {verb}" if other == "job" else f"voicepipe batch {verb}"
    return f"{verb} it with `{does} {text}` ({see})"


JOB_ID = Identifier("job")
BATCH_ID = Identifier("batch")
