"""The files of a batch upload: counted as httpx reads them (for the progress bar), their
form fields written as the API reads them, and the open-file limit they need."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO


class Counted:
    """A file that tells ``sent`` how much of it httpx has read, for an upload's progress
    bar; its length still comes from the file itself (fileno), so the request keeps its
    Content-Length."""

    def __init__(self, handle: IO[bytes], sent: Callable[[int], None] | None) -> None:
        self._handle = handle
        self._sent = sent

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        if self._sent and chunk:
            self._sent(len(chunk))
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        before = self._handle.tell()
        after = self._handle.seek(offset, whence)
        if self._sent and after != before:
            self._sent(after - before)
        return after

    def tell(self) -> int:
        return self._handle.tell()

    def fileno(self) -> int:
        return self._handle.fileno()


def form_value(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def allow_open_files(count: int) -> None:
    """Raise the soft open-file limit when a batch needs more: 1000 parts held open at once
    pass the common default of 1024."""
    try:
        import resource
    except ImportError:  # not on Windows, where the C runtime's limit applies
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 256
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
