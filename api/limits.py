"""Refuse oversized uploads before the body is parsed or spooled to disk."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import refuse_before_the_app

# Multipart framing and the small form fields ride on top of the audio itself.
FORM_OVERHEAD_BYTES = 64 * 1024


class BodySizeLimit:
    """Answers 413 when a request body exceeds the limit, declared or streamed."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        max_file_mb: float,
        batch_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.message = (
            f"The upload is larger than the {max_file_mb:g} MB limit. "
            "Send a shorter recording or compress it (for example mp3 or ogg/opus)."
        )
        # A batch upload carries many recordings: it has a limit of its own.
        self.batch_bytes = batch_bytes
        self.batch_message = (
            f"The batch is larger than the {(batch_bytes or 0) / 1048576:g} MB limit of one "
            "request. Send the recordings as several batches, or as a manifest of URLs or keys."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        limit, message = self.max_body_bytes, self.message
        if self.batch_bytes is not None and scope["path"].rstrip("/") == "/v1/batches":
            limit, message = self.batch_bytes, self.batch_message
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, send, message)
            return
        received = 0
        over = False

        async def counting_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Looks like a client hang-up to the app, which stops reading; the
                    # response it then tries to send is replaced by ours.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not over:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over:
            await self._reject(scope, send, message)

    async def _reject(self, scope: Scope, send: Send, message: str) -> None:
        await refuse_before_the_app(scope, send, 413, "too_large", message)
