"""Recordings given twice under two names (`call.wav` and `call (copy).wav`, a USB stick's
duplicates): each is a file of its own and is sent, but the user is told, since each copy
is transcribed, replied to and billed again."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import click

from api.cli.submitting import vanished

CHUNK = 1 << 20
SHOWN = 10


def same_content(names: Mapping[Path, str]) -> list[list[str]]:
    """The names of files whose bytes are the same, in groups of two or more. Only files of
    one size are read: a folder of recordings has few such, so the rest cost a stat."""
    by_size: dict[int, list[Path]] = defaultdict(list)
    for path in names:
        try:
            size = path.stat().st_size
        except OSError as exc:  # gone since it was listed: nothing is sent, as before reading
            raise vanished(path, exc) from None
        if size:  # empty files are all alike, and refused for being empty
            by_size[size].append(path)
    groups: list[list[str]] = []
    for paths in by_size.values():
        if len(paths) < 2:
            continue
        by_digest: dict[bytes, list[str]] = defaultdict(list)
        for path in paths:
            try:
                by_digest[_digest(path)].append(names[path])
            except OSError as exc:
                raise vanished(path, exc) from None
        groups.extend(sorted(group) for group in by_digest.values() if len(group) > 1)
    return sorted(groups)


def _digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.digest()


def say_copies(names: Mapping[Path, str]) -> None:
    groups = same_content(names)
    if not groups:
        return
    copies = sum(len(group) - 1 for group in groups)
    listed = "; ".join(" = ".join(group) for group in groups[:SHOWN])
    more = " ..." if len(groups) > SHOWN else ""
    click.echo(
        f"{copies} file{'s are copies' if copies > 1 else ' is a copy'} of another given "
        f"(the same bytes), sent and run as {'their' if copies > 1 else 'its'} own "
        f"item{'s' if copies > 1 else ''}: {listed}{more}. Leave copies out to run each "
        "recording once.",
        err=True,
    )
