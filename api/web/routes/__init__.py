"""The inbox's pages, all under /inbox and none in the OpenAPI document (they are HTML)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.web.access import PageError
from api.web.routes import batches, inbox, sign_in, voicemail

router = APIRouter()
router.include_router(sign_in.router)
router.include_router(inbox.router)
router.include_router(voicemail.router)
router.include_router(batches.router)


# Last: any other /inbox path is an HTML 404 (with the security headers), not the API's JSON.
@router.api_route("/inbox/{rest:path}", methods=["GET", "POST"])
async def not_found(rest: str, request: Request) -> Response:
    if not rest:
        return RedirectResponse("/inbox", status_code=307)
    raise PageError(404, "Page not found", f"There is no page {request.url.path}.")
