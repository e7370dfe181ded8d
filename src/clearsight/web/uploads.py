"""Reading an uploaded file in hash-only mode: into memory, bounded, never onto disk.

Starlette's form parser spools file parts over 1 MiB to a temporary file, which would put a
platform user's content on the API host's disk; so uploads are read here instead: the raw body
(any content type) or, for `multipart/form-data` (what HMA clients send), its first file part,
parsed in memory with the standard library's MIME parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

from fastapi import HTTPException, Request, status

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""The largest upload taken; larger requests get 413 before their body is read past this."""
UPLOAD_PATHS = frozenset({"/api/v1/files", "/api/v1/files/provenance", "/m/lookup", "/h/hash", "/reports/import"})
_BANK_CONTENT = re.compile(r"/c/bank/[^/]+/content")


def is_upload_path(path: str) -> bool:
    """Whether a route takes a file: its body may be up to MAX_UPLOAD_BYTES, every other body only
    up to the settings' `max_json_bytes` (`web.bodylimit`)."""
    return path in UPLOAD_PATHS or _BANK_CONTENT.fullmatch(path) is not None


@dataclass(frozen=True)
class FilePart:
    field: str
    """The form field's name (HMA clients name it for the content type: `photo`, `video`)."""
    filename: str
    data: bytes


@dataclass(frozen=True)
class UploadedForm:
    files: list[FilePart]
    fields: dict[str, str]


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


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def _parts(content_type: str, body: bytes) -> list[EmailMessage]:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    return [part for part in message.iter_parts() if isinstance(part, EmailMessage)]


async def uploaded_form(request: Request) -> UploadedForm:
    """The file parts and the other fields of a multipart form, read in memory (once per request:
    a route may look at its fields before it hashes its file)."""
    cached: UploadedForm | None = getattr(request.state, "uploaded_form", None)
    if cached is not None:
        return cached
    body = await read_body(request)
    files: list[FilePart] = []
    fields: dict[str, str] = {}
    for part in _parts(request.headers.get("content-type", ""), body):
        name = str(part.get_param("name", "", header="content-disposition"))
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            files.append(FilePart(name, part.get_filename() or "upload", data))
        else:
            fields[name] = data.decode("utf-8", "replace")
    form = request.state.uploaded_form = UploadedForm(files, fields)
    return form


async def uploaded_file(request: Request) -> tuple[str, bytes]:
    """(file name, bytes) of the upload: the first file part of a multipart form, else the whole body."""
    if not is_multipart(request):
        body = await read_body(request)
        if not body:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "no file in the request body")
        return "upload", body
    form = await uploaded_form(request)
    for part in form.files:
        return part.filename, part.data
    if "file" in form.fields:
        return "upload", form.fields["file"].encode("utf-8", "surrogateescape")
    raise HTTPException(status.HTTP_400_BAD_REQUEST, "no file part in the multipart form")
