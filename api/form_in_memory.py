"""A small multipart upload read into memory as it arrives.

Starlette's form parser writes each file part into a ``SpooledTemporaryFile`` (a growing
``BytesIO`` up to 1 MB) and the route reads it back out: the upload copied twice more after
parsing, about 0.1 ms of CPU per 480 KB upload, 4 % of intake's (``make bench
ONLY=intake``). Intake needs the whole recording in memory to probe and hash it, so here a
file part keeps the chunks the parser hands over and joins them once when read. The parsing
itself (python-multipart), its limits, charsets and errors stay Starlette's.

Only bodies that declare a length within what Starlette would keep in memory anyway are kept
so; a larger or unannounced one goes to Starlette's own parser class, which rolls it to disk.
Either way the body must end with its closing boundary (``read_form``): every multipart form
of the API (jobs, batches, OpenAI transcriptions) is read here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

# Starlette's spool threshold: below it, its parser would also have kept the file in memory.
IN_MEMORY_MAX_BYTES = MultiPartParser.spool_max_size


async def read_form(request: Request, *, max_files: int = 1000, max_fields: int = 1000) -> FormData:
    """The request's form, as ``request.form()`` gives it (the caller closes it), refused
    (400) where a multipart body ends before its closing boundary."""
    content_type, _ = parse_options_header(request.headers.get("Content-Type"))
    if content_type != b"multipart/form-data":
        return await request.form(max_files=max_files, max_fields=max_fields)
    declared = request.headers.get("Content-Length", "")
    in_memory = declared.isdigit() and int(declared) <= IN_MEMORY_MAX_BYTES
    parser_class = _InMemoryMultiPartParser if in_memory else _EndingMultiPartParser
    parser = parser_class(
        request.headers, request.stream(), max_files=max_files, max_fields=max_fields
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        # As request.form() answers a malformed body.
        raise HTTPException(status_code=400, detail=exc.message) from None
    if not parser.ended:
        await form.close()
        raise HTTPException(status_code=400, detail=CUT_OFF)
    return form


@asynccontextmanager
async def form_of(request: Request) -> AsyncIterator[FormData]:
    """``read_form`` as ``async with request.form()`` reads: closed on leaving."""
    form = await read_form(request)
    try:
        yield form
    finally:
        await form.close()


# python-multipart stops where the body stops, closing delimiter or not: a body cut off
# after a whole part parsed as a form without its later fields (a "stages=stt" lost made a
# three-stage job, and a batch's last file went missing, both answered 202).
CUT_OFF = (
    "The form ends before its closing boundary: the upload was cut off, or the client did "
    "not finish the multipart body. Nothing was stored; send it again"
)


class _EndingMultiPartParser(MultiPartParser):
    """Starlette's parser, noting whether the body's close delimiter ("--" boundary "--")
    was parsed: python-multipart calls ``on_end`` there and nowhere else (not when the
    body merely stops), having found the delimiter in its own scan of the bytes. A scan of
    our own over every chunk cost 0.07 ms of a 480 KB upload's ~1.9 ms (`make bench
    ONLY=intake`), and counted the delimiter's bytes inside a file's data as the end."""

    ended = False

    def on_end(self) -> None:
        self.ended = True


class _ChunkedUpload(UploadFile):
    """A file part as the chunks it arrived in, joined once when read."""

    def __init__(self, spooled: UploadFile) -> None:
        # The parser's own spooled file stays attached, so closing the form closes it.
        super().__init__(spooled.file, size=0, filename=spooled.filename, headers=spooled.headers)
        self._chunks: list[bytes] = []

    async def write(self, data: bytes) -> None:
        self._chunks.append(data)
        self.size = (self.size or 0) + len(data)

    async def seek(self, offset: int) -> None:
        # The parser rewinds each finished part before handing it over; reads start at 0.
        if offset:
            raise ValueError("an in-memory upload part is only read whole")

    async def read(self, size: int = -1) -> bytes:
        whole = b"".join(self._chunks)
        self._chunks = [whole]
        return whole if size < 0 else whole[:size]


class _InMemoryMultiPartParser(_EndingMultiPartParser):
    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        spooled = self._current_part.file
        if spooled is not None:
            self._current_part.file = _ChunkedUpload(spooled)
