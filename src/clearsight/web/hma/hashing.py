"""HMA's `/h` routes: the signals of a file, uploaded (multipart, one file, its field named for its
content type) or fetched from an allowed URL; and the hashing the matching and curation routes
share. Everything is hashed in memory: the file digests in the request, PDQ in the API's
decoding workers (`web.decoding`)."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clearsight.banks.signal_types import CONTENT_TYPES, EXTRA_TYPES
from clearsight.intake.url_fetch import REFUSED, FetchFailed, FetchPolicy, FetchRefused, FetchTooLarge
from clearsight.web.api import Client
from clearsight.web.decoding import decode_upload
from clearsight.web.hma.common import abort, json_response
from clearsight.web.uploads import is_multipart, uploaded_form

router = APIRouter(tags=["hma"])
DIGESTS = {"md5": hashlib.md5, "video_md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256}


def content_type(name: str) -> str:
    if name not in CONTENT_TYPES:
        abort(400, f"no such content_type: '{name}'")
    return name


def signal_types(content: str, asked: str | None) -> list[str]:
    """The signal types to hash `content` into: its defaults, or those of `types=` (comma-separated),
    which may also name Clearsight's file digests."""
    if asked is None:
        return list(CONTENT_TYPES[content])
    chosen = []
    for name in (part.strip() for part in asked.split(",")):
        if not name:
            continue
        if name not in CONTENT_TYPES[content] and name not in EXTRA_TYPES:
            abort(400, f"signal type '{name}' doesn't exist or is disabled")
        chosen.append(name)
    if not chosen:
        abort(400, "empty signal type selection")
    return chosen


async def hash_bytes(request: Request, name: str, data: bytes, types: list[str]) -> dict[str, str]:
    """The signals `types` of one file's bytes."""
    hashes = {signal: DIGESTS[signal](data).hexdigest() for signal in types if signal in DIGESTS}
    if "pdq" in types:
        result = (await decode_upload(name, data, request.app.state.settings))[0]
        if "pdq" not in result.hashes:
            abort(400, "; ".join(message for _, message in result.errors) or "not an image PDQ can hash")
        hashes["pdq"] = result.hashes["pdq"]
    return {signal: hashes[signal] for signal in types}


def _content_type_of(header: str, hint: str | None) -> str:
    if hint:
        return content_type(hint)
    if header.lower().startswith("image"):
        return "photo"
    if header.lower().startswith("video"):
        return "video"
    abort(400, f"unsupported url ContentType: '{header}', if you know the expected type, provide it with the content_type query param")


async def hash_url(request: Request, url: str) -> dict[str, str]:
    """The signals of the media at `url` (`content_type=` and `types=` as HMA reads them), if the
    operator's fetch policy allows that URL."""
    policy: FetchPolicy = request.app.state.url_fetch
    try:
        fetched = await policy.fetch(url)
    except FetchRefused:
        abort(400, REFUSED)
    except FetchTooLarge:
        abort(413, "Content too large")
    except FetchFailed as exc:
        abort(400, f"Failed to fetch URL: {exc}")
    content = _content_type_of(fetched.content_type, request.query_params.get("content_type"))
    return await hash_bytes(request, "url", fetched.content, signal_types(content, request.query_params.get("types")))


async def hash_form(request: Request) -> dict[str, str]:
    """The signals of a multipart upload's one file, its field named for its content type."""
    form = await uploaded_form(request) if is_multipart(request) else None
    if form is None or not form.files:
        abort(400, "Missing multipart/form-data file upload")
    if len(form.files) > 1:
        abort(400, "Only one file allowed per request")
    part = form.files[0]
    return await hash_bytes(request, part.filename, part.data, signal_types(content_type(part.field), request.query_params.get("types")))


@router.get("/h/hash", summary="HMA: the signals of the media at `url` (an allowed host), fetched and hashed in memory")
async def hash_media(request: Request, client: Client) -> Response:
    url = request.query_params.get("url")
    if url is None:
        abort(422, "url is required")
    return json_response(await hash_url(request, url))


@router.post("/h/hash", summary="HMA: the signals of an uploaded file (multipart, the field named `photo` or `video`), hashed in memory")
async def hash_media_post(request: Request, client: Client) -> Response:
    return json_response(await hash_form(request))
