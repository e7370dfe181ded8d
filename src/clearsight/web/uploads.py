"""Reading an uploaded file in hash-only mode: into memory, bounded, never onto disk.

Starlette's form parser spools file parts over 1 MiB to a temporary file, which would put a
platform user's content on the API host's disk; so uploads are read here instead: the raw body
(any content type) or, for `multipart/form-data` (what HMA clients send), its first file part,
parsed in memory with the standard library's MIME parser.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from fastapi import HTTPException, Request, status

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""The largest upload taken; larger requests get 413 before their body is read past this."""
UPLOAD_PATHS = frozenset({"/api/v1/files", "/api/v1/files/provenance", "/m/lookup", "/h/hash", "/reports/import"})
"""The routes that take a file: their bodies may be up to MAX_UPLOAD_BYTES, every other body only
up to the settings' `max_json_bytes` (`web.bodylimit`)."""


async def read_body(request: Request) -> bytes:
    limit = MAX_UPLOAD_BYTES
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"uploads are limited to {limit:,} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"uploads are limited to {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def uploaded_file(request: Request) -> tuple[str, bytes]:
    """(file name, bytes) of the upload: the first file part of a multipart form, else the whole body."""
    body = await read_body(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        if not body:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "no file in the request body")
        return "upload", body
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    for part in message.iter_parts():
        if part.get_filename() is not None or part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return part.get_filename() or "upload", payload
    raise HTTPException(status.HTTP_400_BAD_REQUEST, "no file part in the multipart form")
