"""The machine API under `/api/v1/`: batch hash lookups against the banks a token may use,
hash-and-lookup and provenance of uploaded files, the banks and their entries, and health.
Bearer tokens only (`clearsight tokens add`); each token sees only its banks and is rate limited.
Nothing a client sends is stored: uploads are hashed in memory (hash-only mode, `web.uploads`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field

from clearsight.banks.matcher import MatchQuery
from clearsight.banks.records import HEX_LENGTHS, normalize_hash
from clearsight.provenance.stage import public
from clearsight.web.decoding import decode_upload
from clearsight.web.ids import QueryId
from clearsight.web.security import api_client
from clearsight.web.tokens import ApiClient
from clearsight.web.uploads import uploaded_file

router = APIRouter(prefix="/api/v1", tags=["api"])
Client = Annotated[ApiClient, Depends(api_client)]
MAX_BATCH = 1000
PAGE_LIMIT = 1000


class LookupItem(BaseModel):
    id: str | None = Field(None, description="The client's own id, echoed back.")
    hashes: dict[str, str] = Field(description="Hashes by signal type: md5, sha1, sha256, pdq.")


class LookupRequest(BaseModel):
    items: list[LookupItem] = Field(max_length=MAX_BATCH)


def visible_banks(request: Request, client: ApiClient, with_counts: bool = True) -> list[Any]:
    """The banks a token may use (all of them for a token not limited to banks)."""
    banks = request.app.state.bank_store.banks(with_counts=with_counts)
    return [bank for bank in banks if client[1] is None or bank.name in client[1]]


def may_use(request: Request, client: ApiClient, name: str) -> bool:
    """Whether the bank `name` exists and this token may use it."""
    return name in {bank.name for bank in visible_banks(request, client, with_counts=False)}


@router.get("/status/live", summary="Liveness: the process answers (no token needed)")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/whoami", summary="The token's name and the banks it may use")
async def whoami(client: Client) -> dict[str, Any]:
    return {"token": client[0], "banks": client[1]}


@router.get("/status", summary="Readiness: banks this token sees and the PDQ index size")
def ready(request: Request, client: Client) -> dict[str, Any]:
    return {"status": "ok", "banks": len(visible_banks(request, client, with_counts=False)), "pdq_index_size": request.app.state.api_matcher.size()}


@router.post("/lookup", summary="Match a batch of items' hashes against the banks this token may use")
async def lookup(request: Request, body: LookupRequest, client: Client) -> dict[str, Any]:
    queries = []
    for index, item in enumerate(body.items):
        try:
            hashes = {signal: normalize_hash(signal, value) for signal, value in item.hashes.items()}
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"items[{index}]: {exc}") from None
        if not hashes:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"items[{index}]: no hashes (known: {', '.join(HEX_LENGTHS)})")
        queries.append(MatchQuery(hashes))
    reports = await request.app.state.api_matcher.match(queries, client[1])
    return {"results": [{"id": item.id, **report.record()} for item, report in zip(body.items, reports, strict=True)]}


@router.post("/files", summary="Hash an uploaded file in memory (raw body or multipart `file`) and match it; nothing is kept")
async def hash_and_lookup(request: Request, client: Client) -> dict[str, Any]:
    name, data = await uploaded_file(request)
    results = await decode_upload(name, data, request.app.state.settings)
    queries = [MatchQuery(result.hashes, result.qualities, {}, (result.vpdq or {}).get("hashes")) for result in results]
    reports = await request.app.state.api_matcher.match(queries, client[1])
    return {"items": [{"path": result.path, "media_type": result.media_type, "mime": result.mime, "size": result.size, "hashes": result.hashes,
                       "errors": [message for _, message in result.errors], **report.record()} for result, report in zip(results, reports, strict=True)]}


@router.post("/files/provenance", summary="How an uploaded file was made (prompts hidden); nothing is kept")
async def provenance(request: Request, client: Client) -> dict[str, Any]:
    name, data = await uploaded_file(request)
    result = (await decode_upload(name, data, request.app.state.settings))[0]
    return {"media_type": result.media_type, "provenance": public(result.provenance) if result.provenance else None,
            "errors": [message for _, message in result.errors]}


@router.get("/banks", summary="The banks this token may use")
def banks(request: Request, client: Client) -> dict[str, Any]:
    return {"banks": [bank.as_dict() for bank in visible_banks(request, client)]}


@router.get("/banks/{name}/entries", summary="A bank's entries, a page at a time (after the last id seen)")
def entries(request: Request, client: Client, name: str, after: QueryId = 0, limit: QueryId = 100) -> dict[str, Any]:
    if not may_use(request, client, name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no bank named {name} for this token")
    page = request.app.state.bank_store.entries_page(name, after, max(1, min(limit, PAGE_LIMIT)))
    return {"entries": page, "next_after": page[-1]["id"] if page else None}
