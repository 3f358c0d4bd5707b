"""The inbox's pages, all under /inbox and none in the OpenAPI document (they are HTML)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.routing import Match

from api.web.access import PageError
from api.web.routes import batches, inbox, sign_in, voicemail

PAGES = (sign_in.router, inbox.router, voicemail.router, batches.router)
router = APIRouter()
for pages in PAGES:
    router.include_router(pages)

# Every method a browser or a tool may send: a page asked for with one it does not take is
# an HTML 405 naming the ones it does, not the JSON API's bare "Method Not Allowed".
# (HEAD is answered as GET: api/web/head.py.)
_ANY = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _methods_of(request: Request) -> list[str]:
    """The methods the inbox's own routes take at this path (none: no such page)."""
    methods: set[str] = set()
    # The page routers' own routes (their paths carry the prefix): once included, FastAPI
    # matches a router as a whole, without saying which route matched.
    for route in (route for pages in PAGES for route in pages.routes):
        match, _ = route.matches(request.scope)
        if match == Match.PARTIAL:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods - {"HEAD"})


def _missing(request: Request) -> PageError:
    allowed = _methods_of(request)
    path = request.url.path
    if not allowed:
        return PageError(404, "Page not found", f"There is no page {path}.")
    if allowed == ["POST"]:
        how = "it is where a page's form is sent: use the button on that page"
    else:
        how = "open it as a link, in a browser"
    return PageError(
        405,
        "Not answered this way",
        f"{path} does not answer {request.method}: {how} ({', '.join(allowed)}).",
        headers={"Allow": ", ".join(allowed)},
    )


@router.api_route("/inbox", methods=[m for m in _ANY if m != "GET"])
async def inbox_other_methods(request: Request) -> Response:
    raise _missing(request)


# Last: any other /inbox path is an HTML 404 (with the security headers), not the API's JSON.
@router.api_route("/inbox/{rest:path}", methods=_ANY)
async def not_found(rest: str, request: Request) -> Response:
    if not rest and request.method == "GET":
        return RedirectResponse("/inbox", status_code=307)
    raise _missing(request)
