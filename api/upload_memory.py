"""How many large uploads an API process holds in memory at once.

Intake needs a recording whole in memory to probe, hash and store it, so an upload the form
parser spooled to disk (anything over ``IN_MEMORY_MAX_BYTES``) was read back into memory as
soon as its body had arrived, and every one that arrived together was held together: 40
uploads of 25 MB sent at once took one API process from 440 MB to 1,147 MB resident (a pod's
limit is 512Mi), and an OpenAI-compatible transcription kept its upload for the whole wait
for its transcript. Here a spooled upload waits on disk for one of a few slots before it is
read, and gives the slot back once it is stored: the probes run one at a time per process
anyway (api.intake), so the wait costs a large upload nothing, while a small one, already in
memory, never waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.datastructures import UploadFile

from api.form_in_memory import IN_MEMORY_MAX_BYTES


class UploadSlots:
    """At most ``slots`` spooled uploads of one API process in memory at a time."""

    def __init__(self, slots: int) -> None:
        self._slots = asyncio.Semaphore(slots)

    @asynccontextmanager
    async def read_whole(self, upload: UploadFile) -> AsyncIterator[bytes]:
        """The upload's bytes, for the block to store them; a spooled upload waits for a
        slot first and holds it until the block ends (keep no reference past it)."""
        if (upload.size or 0) <= IN_MEMORY_MAX_BYTES:
            yield await upload.read()
            return
        async with self._slots:
            yield await upload.read()
