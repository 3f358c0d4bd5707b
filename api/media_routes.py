"""The API's audio downloads (a job's recording, reply, redacted copy, listening copy),
answered as the inbox's players are (api.web.media): HEAD, and single byte ranges.

Players, download managers and ``curl -C -`` ask for ranges, and HTTP requires HEAD wherever
GET is served (RFC 9110 §9.1); FastAPI answers HEAD 405 and ignores ``Range``. The object is
read whole from storage, local or S3, and sliced (the storage interface has no ranged read):
a recording is at most the upload limit, a reply far less.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Request, Response

from api.errors import error_responses
from api.web.media import media_response

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

RangeHeader = Annotated[
    str | None,
    Header(
        alias="Range",
        description="One byte range, such as bytes=0-1023 or bytes=-500: answered 206 with "
        "Content-Range, or 416 when it starts beyond the end, is written backwards or is empty. "
        "Several ranges get the whole.",
    ),
]


def media_route(
    router: APIRouter, path: str, description: str, content: dict[str, Any], *errors: int
) -> Callable[[Endpoint], Endpoint]:
    """Register ``endpoint`` for GET and HEAD of ``path``."""
    responses: dict[int | str, dict[str, Any]] = {
        200: {"description": description, "content": content},
        206: {"description": "The byte range asked for, with Content-Range.", "content": content},
        416: {
            "description": "The range starts beyond the end, is backwards or is empty "
            "(Content-Range: bytes */size)."
        },
        **error_responses(*errors),
    }

    def register(endpoint: Endpoint) -> Endpoint:
        router.get(path, responses=responses)(endpoint)
        router.head(path, responses=responses, summary="Headers of the GET")(endpoint)
        return endpoint

    return register


def served(
    request: Request, data: bytes, media_type: str, range_header: str | None, disposition: str
) -> Response:
    """``data`` answered whole, in the range asked for, or (HEAD) as headers only."""
    return media_response(
        data,
        media_type,
        range_header,
        {"Content-Disposition": disposition},
        head=request.method == "HEAD",
    )
