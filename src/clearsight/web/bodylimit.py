"""A bound on every request body, so no route reads an unbounded JSON document or form into memory.

Plain ASGI, like `app.SecurityHeaders`: a request whose Content-Length is over its path's limit
gets 413 before any of it is read; a body sent without one (chunked) is counted as it streams
in and refused with 413 as soon as it passes the limit. Bodies are limited to the settings'
`max_json_bytes` everywhere but the upload routes (`web.uploads.is_upload_path`), which take files
up to `MAX_UPLOAD_BYTES`; they also check that limit themselves as they read.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _too_large(limit: int) -> str:
    return f"request bodies here are limited to {limit:,} bytes"


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, is_upload: Callable[[str], bool]) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.is_upload = is_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if self.is_upload(scope["path"]) else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI passes an HTTPException raised while it reads a body on, and the app's
                    # exception middleware answers it, whether the body is read for parameters or by the route
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": _too_large(limit), "message": _too_large(limit)}).encode()  # FastAPI's key and HMA's
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
