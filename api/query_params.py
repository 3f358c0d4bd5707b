"""Listings and usage reports refuse a query parameter they do not have, rather than answer
as if it were not sent: ``GET /v1/jobs?thread_id=…`` gave every job of the tenant, which a
client reads as the thread's, and ``GET /v1/usage?start=…`` the last 30 days."""

from __future__ import annotations

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


# A route's ``dependencies=``: the listings' (GET /v1/jobs, /v1/batches, …/jobs, /v1/inbox)
# and the usage reports' (GET /v1/usage, /v1/usage/latency).
KNOWN_QUERY = [Depends(known_query)]
