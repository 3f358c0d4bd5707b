"""OpenAI's calls this API does not answer, refused in OpenAI's shape saying which it does.

A client pointed here for audio often makes other OpenAI calls with the same base URL (chat,
embeddings, ...); Starlette's bare "Not Found" left it to guess whether the URL, the key or
the deployment was wrong.
"""

from __future__ import annotations

# The first segment after /v1 of OpenAI's other APIs; /v1/batches is ours (POST /v1/batches).
OPENAI_ONLY_PATHS = tuple(
    f"/v1/{name}"
    for name in (
        "chat",
        "completions",
        "embeddings",
        "responses",
        "images",
        "files",
        "moderations",
        "assistants",
        "threads",
        "fine_tuning",
        "vector_stores",
        "realtime",
        "uploads",
        "conversations",
        "videos",
        "evals",
        "containers",
    )
)

_OFFERED = "POST /v1/audio/transcriptions, POST /v1/audio/speech and GET /v1/models"
# A path is the caller's: shown, but not at any length.
_MAX_SHOWN = 200


def not_offered(method: str, path: str) -> str | None:
    """What a 404 for ``path`` says when it is an OpenAI call not offered here, else None."""
    if not (path.startswith(OPENAI_ONLY_PATHS) or path.startswith("/v1/audio/")):
        return None
    shown = path if len(path) <= _MAX_SHOWN else path[:_MAX_SHOWN] + "…"
    return (
        f"{method} {shown} is not offered here: of OpenAI's API, VoicePipe answers {_OFFERED} "
        "(its own calls, under /v1/jobs and beside it, are listed at /docs)."
    )
