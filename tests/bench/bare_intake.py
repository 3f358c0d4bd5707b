"""The bare endpoints the intake bench compares ours with: FastAPI accepting the same
multipart upload (one recording, or a batch of them) and writing it to the same storage,
and nothing else (no validation, no job or batch record, no queue). Served by uvicorn with
the same flags as ours."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import FastAPI, File, UploadFile
from starlette.concurrency import run_in_threadpool

from shared.settings import get_settings
from shared.storage import storage_from_settings


def create_app() -> FastAPI:
    storage = storage_from_settings(get_settings())
    app = FastAPI()

    @app.post("/v1/jobs", status_code=202)
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, str]:
        data = await file.read()
        key = f"bare/{secrets.token_hex(8)}/input.mp3"
        await run_in_threadpool(storage.put, key, data, "audio/mpeg")
        return {"id": key}

    @app.post("/v1/batches", status_code=202)
    async def batch(file: Annotated[list[UploadFile], File()]) -> dict[str, str]:
        batch_id = secrets.token_hex(8)
        for index, part in enumerate(file):
            key = f"bare/{batch_id}/uploads/{index:06d}"
            await run_in_threadpool(storage.put, key, await part.read(), "audio/mpeg")
        return {"id": batch_id}

    return app
