"""Endpoints shaped like Meta's Hasher-Matcher-Actioner (HMA) API, for platforms already calling it.

Paths, parameters and response shapes follow HMA's OpenMediaMatch blueprints (`/m` matching,
`/h` hashing, `/c` curation); a content id is a bank entry id. Unlike HMA, every call needs a
bearer token, a token sees only its banks, only unscoped tokens create banks, and
`include_distance=true` adds the distance to `/m/lookup` too. Signal types are Clearsight's:
md5, sha1, sha256, pdq.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from starlette.routing import Route

from clearsight.banks.matcher import Match, MatchQuery
from clearsight.banks.records import HEX_LENGTHS, normalize_hash
from clearsight.errors import ClearsightError
from clearsight.web.api import Client, may_use, visible_banks
from clearsight.web.decoding import decode_upload
from clearsight.web.security import api_client
from clearsight.web.tokens import ApiClient
from clearsight.web.uploads import uploaded_file

router = APIRouter(tags=["hma"])


def _signal(signal_type: str, signal: str) -> dict[str, str]:
    if signal_type not in HEX_LENGTHS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"No such SignalType '{signal_type}'")
    try:
        return {signal_type: normalize_hash(signal_type, signal)}
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"invalid signal type: {exc}") from None


async def _matches(request: Request, client: ApiClient, signals: list[dict[str, str]]) -> list[list[Match]]:
    """The matches of each of these signals (one lookup for all of them)."""
    reports = await request.app.state.api_matcher.match([MatchQuery(hashes) for hashes in signals], client[1])
    return [list(report.matches) for report in reports]


def _banks_of(matches: list[Match], with_distance: bool) -> list[Any]:
    best: dict[str, int] = {}
    for match in matches:
        best[match.bank] = min(match.distance, best.get(match.bank, match.distance))
    return [{"bank": bank, "distance": distance} for bank, distance in best.items()] if with_distance else list(best)


async def _hashes_of_upload(request: Request, name: str, data: bytes) -> dict[str, str]:
    result = (await decode_upload(name, data, request.app.state.settings))[0]
    return {signal: value for signal, value in result.hashes.items() if signal in HEX_LENGTHS}


SIGNAL_QUERY: dict[str, Any] = {"parameters": [
    {"name": "signal_type", "in": "query", "required": True, "schema": {"type": "string", "enum": list(HEX_LENGTHS)}},
    {"name": "signal", "in": "query", "required": True, "schema": {"type": "string"}, "description": "The hash, in hex."},
    {"name": "include_distance", "in": "query", "required": False, "schema": {"type": "boolean", "default": False}},
]}
"""The single-signal lookups, the API's hottest calls, are plain `Request -> Response` handlers
that read their query by hand (declared here for the OpenAPI spec) and answer with ready-made
JSON. `fast_routes` serves them as Starlette routes ahead of FastAPI's: FastAPI's per-request
machinery (dependency solving, validation, exit stacks) would cost more than the index query
(see benchmarks/api_load.py); their FastAPI twins below only document them."""


def _signal_query(request: Request) -> tuple[dict[str, str], bool]:
    """The signal of a lookup's query string, and whether distances were asked for."""
    query = request.query_params
    missing = [name for name in ("signal_type", "signal") if not query.get(name)]
    if missing:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"missing query parameter: {', '.join(missing)}")
    return _signal(query["signal_type"], query["signal"]), query.get("include_distance", "").lower() in ("1", "true", "yes", "on")


def _json(content: Any) -> Response:
    return Response(json.dumps(content, separators=(",", ":")), media_type="application/json")


@router.get("/m/raw_lookup", summary="HMA: content ids matching a signal", openapi_extra=SIGNAL_QUERY)
async def raw_lookup(request: Request) -> Response:
    client = await api_client(request)
    hashes, include_distance = _signal_query(request)
    matches = [match for match in (await _matches(request, client, [hashes]))[0] if match.entry_id is not None]
    if include_distance:
        return _json({"matches": [{"content_id": match.entry_id, "distance": str(match.distance)} for match in matches]})
    return _json({"matches": [match.entry_id for match in matches]})


@router.get("/m/lookup", summary="HMA: banks with content matching a signal", openapi_extra=SIGNAL_QUERY)
async def lookup(request: Request) -> Response:
    client = await api_client(request)
    hashes, include_distance = _signal_query(request)
    return _json(_banks_of((await _matches(request, client, [hashes]))[0], include_distance))


def fast_routes() -> list[Route]:
    """The lookups as Starlette routes, to be put before every other route of the app."""
    return [Route("/m/lookup", lookup, methods=["GET"]), Route("/m/raw_lookup", raw_lookup, methods=["GET"])]


@router.post("/m/lookup", summary="HMA: hash an uploaded file in memory and list the banks matching each signal")
async def lookup_upload(request: Request, client: Client, include_distance: bool = False) -> dict[str, Any]:
    name, data = await uploaded_file(request)
    hashes = await _hashes_of_upload(request, name, data)
    found = await _matches(request, client, [{signal_type: value} for signal_type, value in hashes.items()])
    return {signal_type: _banks_of(matches, include_distance) for signal_type, matches in zip(hashes, found, strict=True)}


@router.post("/h/hash", summary="HMA: the signals of an uploaded file, hashed in memory")
async def hash_upload(request: Request, client: Client) -> dict[str, str]:
    name, data = await uploaded_file(request)
    return await _hashes_of_upload(request, name, data)


def _bank_json(bank: Any) -> dict[str, Any]:
    return {"name": bank.name, "matching_enabled_ratio": 1.0 if bank.enabled else 0.0}


@router.get("/c/banks", summary="HMA: the banks this token may use")
def banks(request: Request, client: Client) -> list[dict[str, Any]]:
    return [_bank_json(bank) for bank in visible_banks(request, client, with_counts=False)]


@router.post("/c/banks", summary="HMA: create a bank (tokens not limited to banks only)")
def create_bank(request: Request, client: Client, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    if client[1] is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token may not create banks")
    name = str(body.get("name") or "").strip()
    if not name:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "name is required")
    store = request.app.state.bank_store
    if store.banks([name], with_counts=False):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Bank already exists")
    try:
        bank = store.create(name, source=f"api:{client[0]}")
        if body.get("enabled") is False or body.get("enabled_ratio") == 0:
            bank = store.update(name, enabled=False)
    except ClearsightError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    request.app.state.accounts.audit.append(f"token:{client[0]}", "bank.create", name)
    return JSONResponse(_bank_json(bank), status.HTTP_201_CREATED)


@router.post("/c/bank/{bank_name}/signal", summary="HMA: add signals to a bank as one content item")
def add_signal(request: Request, client: Client, bank_name: str, body: Annotated[dict[str, str], Body()]) -> dict[str, Any]:
    store = request.app.state.bank_store
    if not may_use(request, client, bank_name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"bank '{bank_name}' not found")
    if not body:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "No signals given")
    signals: dict[str, str] = {}
    for signal_type, value in body.items():
        signals |= _signal(signal_type, str(value))
    try:
        content_id = store.add_signals(bank_name, signals, token=client[0])
    except ClearsightError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    request.app.state.accounts.audit.append(f"token:{client[0]}", "bank.add_signal", bank_name, {"content_id": content_id, "signals": sorted(signals)})
    return {"id": content_id, "signals": signals}
