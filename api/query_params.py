"""Listings and usage reports refuse a query parameter they do not have, rather than answer
as if it were not sent: ``GET /v1/jobs?thread_id=…`` gave every job of the tenant, which a
client reads as the thread's, and ``GET /v1/usage?start=…`` the last 30 days."""

from __future__ import annotations

from collections.abc import Sequence
from types import UnionType
from typing import Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant

from api.errors import ApiError


def _query_names(dependant: Dependant) -> list[str]:
    names = [field.alias for field in dependant.query_params]
    for sub in dependant.dependencies:
        names += [name for name in _query_names(sub) if name not in names]
    return names


async def known_query(request: Request) -> None:
    """A dependency of a listing: 422 naming a query parameter the route does not declare,
    and those it does. async: it only reads the request (no thread-pool hop)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if not isinstance(dependant, Dependant):
        return
    takes = _query_names(dependant)
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in takes]
    if not unknown:
        return
    named = ", ".join(repr(name) for name in unknown)
    raise ApiError(
        422,
        "invalid_request",
        f"{request.method} {request.url.path} has no query parameter {named}; it takes "
        f"{', '.join(takes)}. Leave the others out: this route does not read them.",
    )


def _many_valued(annotation: object) -> bool:
    """Whether a query parameter's type holds several values (``list[str] | None``)."""
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        return any(_many_valued(arg) for arg in get_args(annotation))
    return isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str


def _scalar_query_names(dependant: Dependant) -> set[str]:
    names = {
        field.alias
        for field in dependant.query_params
        if not _many_valued(field.field_info.annotation)
    }
    for sub in dependant.dependencies:
        names |= _scalar_query_names(sub)
    return names


async def single_query(request: Request) -> None:
    """A dependency of every route: 422 naming a single-valued query parameter sent more
    than once. FastAPI reads the last of ``?format=json&format=srt``; which one the client
    meant is not ours to guess."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if not isinstance(dependant, Dependant) or not request.query_params:
        return
    scalar = _scalar_query_names(dependant)
    for name in dict.fromkeys(request.query_params):
        values = request.query_params.getlist(name)
        if len(values) > 1 and name in scalar:
            raise ApiError(
                422,
                "invalid_request",
                f"The query parameter {name!r} was sent {len(values)} times "
                f"({', '.join(repr(v) for v in values)}); it takes one value. Send it once.",
            )


# Every route's (the app's ``dependencies=``).
SINGLE_QUERY = [Depends(single_query)]

# A route's ``dependencies=``: the listings' (GET /v1/jobs, /v1/batches, …/jobs, /v1/inbox)
# and the usage reports' (GET /v1/usage, /v1/usage/latency).
KNOWN_QUERY = [Depends(known_query)]
