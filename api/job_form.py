"""The multipart form of ``POST /v1/jobs``, read once and checked as one model.

The route used to declare its 12 option fields and the file as separate FastAPI form
parameters. FastAPI then validated each field on its own against the parsed form, which cost
more CPU per upload than probing the audio (``make bench ONLY=intake``). Here the form is
parsed once by Starlette's parser (with the file kept in memory: api.form_in_memory), the
options are validated in one call of ``OptionFields`` (the model batches use too), and the
OpenAPI document still describes every field with its limits, so clients and schemathesis see
the same contract as before.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from api.errors import ApiError
from api.form_in_memory import read_form
from api.options import OptionFields
from api.upload_memory import UploadSlots

FILE_DESCRIPTION = "The recording (mp3, wav, ogg/opus, webm, flac, m4a/aac, amr/3gp)."
TEXT_DESCRIPTION = (
    "Typed input instead of a recording: the job starts at the reply stage (send `file` or "
    "`text`, not both)."
)
_KNOWN = {"file", "text", *OptionFields.model_fields}


def _schema() -> dict[str, Any]:
    options = OptionFields.model_json_schema()
    return {
        "title": "JobForm",
        "type": "object",
        "properties": {
            "file": {
                "type": "string",
                "contentMediaType": "application/octet-stream",
                "title": "File",
                "description": FILE_DESCRIPTION,
            },
            "text": {
                "type": "string",
                "minLength": 1,
                "pattern": r"\S",
                "title": "Text",
                "description": TEXT_DESCRIPTION,
            },
            **options["properties"],
        },
        # A field not listed is a 400 naming it, unless empty (_refuse_unknown_fields).
        "additionalProperties": {"type": "string", "maxLength": 0},
        # Exactly one input; a form with both or neither is a 400 that says so.
        "oneOf": [{"required": ["file"]}, {"required": ["text"]}],
    }


OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": _schema()}},
    }
}


@dataclass(frozen=True)
class JobForm:
    filename: str | None
    data: bytes
    fields: OptionFields
    # Set for a text job (then ``data`` is empty and ``filename`` None).
    text: str | None = None


@asynccontextmanager
async def job_form_of(request: Request, uploads: UploadSlots) -> AsyncIterator[JobForm]:
    """The uploaded file and the options sent with it, or the 4xx that says what is wrong,
    for the block to submit them: a large file is held in memory only while the block runs,
    and waits for one of ``uploads``' slots first (api.upload_memory)."""
    form = await read_form(request)
    try:
        fields, upload, text = _job_form(form)
        if upload is None:
            yield JobForm(None, b"", fields, text=text)
            return
        async with uploads.read_whole(upload) as data:
            yield JobForm(upload.filename, data, fields)
    finally:
        # The form's spooled files, if any, are closed once it has been read.
        await form.close()


def _job_form(form: FormData) -> tuple[OptionFields, UploadFile | None, str | None]:
    """The options, and the file or the typed text (exactly one of the two)."""
    _refuse_unknown_fields(form)
    _refuse_repeated_fields(form)
    # As for every field, an empty `text` is no text (the default).
    upload, text = form.get("file"), form.get("text") or None
    if upload is not None and text is not None:
        raise ApiError(
            400,
            "file_and_text",
            "Send either a recording as 'file' or typed input as 'text', not both: "
            "one job answers one message.",
        )
    if text is not None:
        if not isinstance(text, str):
            raise _invalid("text", "Expected a text field, not a file part")
        return _options(form), None, text
    if upload is None:
        raise ApiError(
            400,
            "missing_file",
            "No input was sent: upload the recording as the multipart form field "
            "'file', or send typed input as the field 'text'.",
        )
    if isinstance(upload, str):
        raise _invalid("file", "Expected a file part (with a filename), not a text field")
    return _options(form), upload, None


def _options(form: FormData) -> OptionFields:
    # As FastAPI did for form fields: an empty value is the default.
    values = {
        name: value
        for name, value in form.multi_items()
        if name in OptionFields.model_fields and value != ""
    }
    try:
        return OptionFields.model_validate(values)
    except ValidationError as exc:
        # Raised as FastAPI would have, so the answer is the same 422 as for any field.
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None


def _refuse_unknown_fields(form: FormData) -> None:
    # Dropped, a misspelt option ("stage=stt", "callback=") or one a later version adds
    # ("redact" sent to a server without it) ran the job other than asked, without a word.
    # An empty one asks for nothing, as an empty option means its default: a client may send
    # one to have its form sent as multipart (httpx's files={"_": (None, "")}).
    unknown = sorted({name for name, value in form.multi_items() if name not in _KNOWN and value})
    if unknown:
        raise unknown_field(
            "POST /v1/jobs", unknown, "the recording as 'file' or typed input as 'text'"
        )


def unknown_field(route: str, unknown: list[str], inputs: str) -> ApiError:
    """The 400 for form fields ``route`` does not take, naming the nearest real one."""
    close = difflib.get_close_matches(unknown[0], sorted(_KNOWN), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ApiError(
        400,
        "unknown_field",
        f"{route} takes no form field {', '.join(map(repr, unknown))}{hint}. Send {inputs}, "
        f"and options among: {', '.join(OptionFields.model_fields)}.",
    )


def _refuse_repeated_fields(form: FormData) -> None:
    # A form may repeat a name; silently keeping one of two `file` parts (or of two `stages`)
    # would process something the client did not mean: say so.
    counts = Counter(name for name, _ in form.multi_items() if name in _KNOWN)
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise ApiError(
            400,
            "duplicate_field",
            f"Each form field may be sent once, but {', '.join(map(repr, repeated))} came "
            "more than once. Send one message per request: a recording in 'file', or typed "
            "input in 'text', and each option once.",
        )


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message}])
