from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message

from api.form_in_memory import IN_MEMORY_MAX_BYTES, read_form

pytestmark = pytest.mark.anyio

BOUNDARY = "vp-form-boundary"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def request(body: bytes, chunk: int = 1000, declared: int | None = None) -> Request:
    """A request whose body arrives in chunks, as uvicorn hands it over."""
    length = len(body) if declared is None else declared
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/jobs",
        "query_string": b"",
        "app": object(),
        "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(length).encode()),
        ],
    }
    chunks: Iterator[bytes] = iter([body[i : i + chunk] for i in range(0, len(body), chunk)])

    async def receive() -> Message:
        piece = next(chunks, None)
        return {"type": "http.request", "body": piece or b"", "more_body": piece is not None}

    return Request(scope, receive)


async def test_a_small_upload_is_kept_as_it_arrived_not_copied_into_a_spooled_file() -> None:
    audio = os.urandom(300_000)
    body = multipart(("file", "vm.mp3", audio), ("stages", None, b"stt,llm"))

    form = await read_form(request(body, chunk=4096))

    upload = form["file"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == "vm.mp3"
    assert upload.size == len(audio)
    assert upload.file.read() == b""
    assert await upload.read() == audio
    assert await upload.read() == audio
    assert form["stages"] == "stt,llm"
    await form.close()


async def test_a_form_reads_the_same_as_starlettes_own_parser() -> None:
    audio = os.urandom(50_000)
    body = multipart(("file", "a b.wav", audio), ("callback_url", None, "café".encode()))

    ours = await read_form(request(body))
    theirs = await request(body).form()

    assert [name for name, _ in ours.multi_items()] == [name for name, _ in theirs.multi_items()]
    assert ours["callback_url"] == theirs["callback_url"] == "café"
    ours_file, theirs_file = ours["file"], theirs["file"]
    assert isinstance(ours_file, UploadFile)
    assert isinstance(theirs_file, UploadFile)
    assert ours_file.filename == theirs_file.filename
    assert ours_file.headers == theirs_file.headers
    assert await ours_file.read() == await theirs_file.read()


async def test_a_malformed_part_is_refused_as_starlette_refuses_it() -> None:
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; filename="x"\r\n\r\nx\r\n'.encode()
    body += f"--{BOUNDARY}--\r\n".encode()

    with pytest.raises(HTTPException) as ours:
        await read_form(request(body))
    with pytest.raises(HTTPException) as theirs:
        await request(body).form()

    assert ours.value.status_code == theirs.value.status_code == 400
    assert ours.value.detail == theirs.value.detail
    assert '"name" must be provided' in ours.value.detail


async def test_starlettes_limit_on_the_number_of_fields_still_holds() -> None:
    body = multipart(*[(f"f{i}", None, b"1") for i in range(1001)])
    assert len(body) <= IN_MEMORY_MAX_BYTES

    with pytest.raises(HTTPException, match="Too many fields"):
        await read_form(request(body))


async def test_a_body_larger_than_starlette_keeps_in_memory_is_spooled_by_starlette() -> None:
    audio = os.urandom(IN_MEMORY_MAX_BYTES + 1)
    body = multipart(("file", "big.wav", audio))

    form = await read_form(request(body, chunk=65536))

    upload = form["file"]
    assert type(upload) is UploadFile
    assert await upload.read() == audio
    await form.close()


async def test_a_body_without_a_declared_length_is_parsed_by_starlette() -> None:
    audio = os.urandom(1000)
    body = multipart(("file", "vm.wav", audio))
    unannounced = request(body)
    unannounced.scope["headers"] = unannounced.scope["headers"][:1]

    form = await read_form(unannounced)

    assert type(form["file"]) is UploadFile
    await form.close()


@pytest.mark.parametrize("size", [1000, IN_MEMORY_MAX_BYTES + 1])
async def test_a_body_cut_off_before_its_closing_boundary_is_refused(size: int) -> None:
    # Before, python-multipart stopped where the body stopped: the whole file part made a
    # form, and the "stages" field cut off with the rest was lost without a word.
    whole = multipart(("file", "vm.wav", os.urandom(size)), ("stages", None, b"stt"))
    cut = whole[: whole.index(b'name="stages"') + 30]

    with pytest.raises(HTTPException) as refused:
        await read_form(request(cut, chunk=4096))

    assert refused.value.status_code == 400
    assert "closing boundary" in refused.value.detail


@pytest.mark.parametrize("chunk", [1, 7, 4096])
async def test_a_closing_boundary_split_between_chunks_is_still_seen(chunk: int) -> None:
    body = multipart(("file", "vm.wav", os.urandom(3000)), ("stages", None, b"stt"))

    form = await read_form(request(body, chunk=chunk))

    assert form["stages"] == "stt"
    await form.close()


@pytest.mark.parametrize("size", [1000, IN_MEMORY_MAX_BYTES + 1])
async def test_the_closing_delimiters_bytes_inside_a_files_data_do_not_end_the_form(
    size: int,
) -> None:
    # A recording may hold any bytes, "--<boundary>--" among them: only the delimiter on a
    # line of its own closes the form. Before, finding those bytes anywhere in the body let
    # a body cut off after them through as a whole form.
    data = os.urandom(size // 2) + f"--{BOUNDARY}--".encode() + os.urandom(size // 2)
    whole = multipart(("file", "vm.wav", data), ("stages", None, b"stt"))
    cut = whole[: whole.index(f"--{BOUNDARY}--".encode()) + 200]

    with pytest.raises(HTTPException) as refused:
        await read_form(request(cut, chunk=4096))

    assert refused.value.status_code == 400
    assert "closing boundary" in refused.value.detail


async def test_a_file_holding_the_closing_delimiters_bytes_is_read_whole() -> None:
    data = b"x" * 100 + f"--{BOUNDARY}--".encode() + b"y" * 100
    body = multipart(("file", "vm.wav", data), ("stages", None, b"stt"))

    form = await read_form(request(body, chunk=64))

    upload = form["file"]
    assert isinstance(upload, UploadFile)
    assert await upload.read() == data
    assert form["stages"] == "stt"
    await form.close()
