"""HMA's `/m` routes: lookups of a signal, a URL or an upload, the raw lookup, index status and
hash comparison. They are a face of the API's one matcher (`web.lookups.SharedMatcher`), the
same one `/api/v1/lookup` uses.

HMA's matching rules, kept here: a lookup answers from the banks whose `enabled_ratio` is at
least a coin flip (seeded by `seed=`, skipped with `bypass_coinflip=true`, which also reaches
disabled banks), only from content whose `disable_until_ts` lets it match, and from `banks=`
only when given; the raw lookup ignores every enabled setting. Tokens limited to banks see
only those, whatever `banks=` says.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.routing import Route

from clearsight.banks.matcher import Match, MatchQuery, Reach
from clearsight.banks.signal_types import SIGNAL_TYPES
from clearsight.web.api import Client
from clearsight.web.hma.common import abort, is_true, json_object, json_response, requested_banks, signal_type
from clearsight.web.hma.hashing import hash_form, hash_url
from clearsight.web.lookups import SharedMatcher
from clearsight.web.security import api_client
from clearsight.web.tokens import ApiClient

router = APIRouter(tags=["hma"])
NO_DISTANCE = "-"
"""How HMA prints the distance of an exact match (python-threatexchange's NO_DISTANCE_STR)."""


def _distance(match: Match) -> str:
    return str(match.distance) if match.signal == "pdq" else NO_DISTANCE


def _by_bank(matches: Sequence[Match]) -> dict[str, list[dict[str, Any]]]:
    """HMA's `{bank: [{"bank_content_id", "distance"}]}`, one row per content, in content id order."""
    out: dict[str, list[dict[str, Any]]] = {}
    seen: set[int] = set()
    for match in sorted(matches, key=lambda match: (match.entry_id or 0, match.distance)):
        if match.entry_id is None or match.entry_id in seen:
            continue
        seen.add(match.entry_id)
        out.setdefault(match.bank, []).append({"bank_content_id": match.entry_id, "distance": _distance(match)})
    return out


def _query(name: str, value: str) -> MatchQuery:
    try:
        return MatchQuery({name: signal_type(name).normalize(value)})
    except ValueError as exc:
        abort(400, f"invalid signal: {exc}")


async def _lookup(request: Request, client: ApiClient, signals: dict[str, str], bypass_coinflip: bool) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """HMA's lookup of each signal: `{signal_type: {bank: [...]}}`."""
    shared: SharedMatcher = request.app.state.api_matcher
    coinflip = 0.0 if bypass_coinflip else random.Random(request.query_params.get("seed")).random()
    asked = requested_banks(request, client)
    banks = [name for name, ratio in (await shared.bank_ratios()).items() if ratio >= coinflip and (asked is None or name in asked)]
    queries = [_query(name, value) for name, value in signals.items()]
    reports = await shared.match(queries, banks, Reach.EVERY_BANK)
    return {name: _by_bank(report.matches) for name, report in zip(signals, reports, strict=True)}


async def lookup(request: Request) -> Response:
    """GET /m/lookup: a signal (`signal_type`, `signal`), or the media at `url`."""
    client = await api_client(request)
    query = request.query_params
    bypass = is_true(query.get("bypass_coinflip"))
    if query.get("url"):
        found = await _lookup(request, client, await hash_url(request, query["url"]), bypass)
        chosen = query.get("signal_type")
        return json_response(found.get(chosen, {}) if chosen else found)
    if not query.get("signal") or not query.get("signal_type"):
        abort(400, "Either url or both signal and signal_type are required")
    return json_response((await _lookup(request, client, {query["signal_type"]: query["signal"]}, bypass))[query["signal_type"]])


async def raw_lookup(request: Request) -> Response:
    """GET /m/raw_lookup: the content ids with a signal like this one, enabled or not."""
    client = await api_client(request)
    query = request.query_params
    for name in ("signal", "signal_type"):
        if not query.get(name):
            abort(400, f"{name} is required")
    found = (await request.app.state.api_matcher.match([_query(query["signal_type"], query["signal"])], requested_banks(request, client),
                                                       Reach.EVERYTHING))[0]
    rows = [row for bank in _by_bank([*found.matches, *found.suppressed, *found.allowlisted]).values() for row in bank]
    if is_true(query.get("include_distance")):
        return json_response({"matches": sorted(rows, key=lambda row: row["bank_content_id"])})
    return json_response({"matches": sorted(row["bank_content_id"] for row in rows)})


SIGNAL_QUERY: dict[str, Any] = {"parameters": [
    {"name": "signal_type", "in": "query", "required": False, "schema": {"type": "string", "enum": list(SIGNAL_TYPES)}},
    {"name": "signal", "in": "query", "required": False, "schema": {"type": "string"}, "description": "The hash, in hex."},
    {"name": "url", "in": "query", "required": False, "schema": {"type": "string"}, "description": "Media to fetch and hash (hosts the operator allows)."},
    {"name": "banks", "in": "query", "required": False, "schema": {"type": "string"}, "description": "Comma-separated banks to match against."},
    {"name": "seed", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "bypass_coinflip", "in": "query", "required": False, "schema": {"type": "boolean", "default": False}},
    {"name": "include_distance", "in": "query", "required": False, "schema": {"type": "boolean", "default": False}},
]}
"""The GET lookups, the API's hottest calls, are plain `Request -> Response` handlers that read
their query by hand and answer with ready-made JSON; `fast_routes` serves them as Starlette
routes ahead of FastAPI's, whose per-request machinery (dependency solving, validation, exit
stacks) would cost more than the index query (benchmarks/api_load.py). Their FastAPI twins
below only document them."""

router.add_api_route("/m/lookup", lookup, methods=["GET"], summary="HMA: banks with content like a signal or the media at `url`",
                     openapi_extra=SIGNAL_QUERY)
router.add_api_route("/m/raw_lookup", raw_lookup, methods=["GET"], summary="HMA: content ids like a signal, enabled or not", openapi_extra=SIGNAL_QUERY)


def fast_routes() -> list[Route]:
    """The lookups as Starlette routes, to be put before every other route of the app."""
    return [Route("/m/lookup", lookup, methods=["GET"]), Route("/m/raw_lookup", raw_lookup, methods=["GET"])]


@router.post("/m/lookup", summary="HMA: hash an upload in memory (multipart, field `photo` or `video`) and match each signal")
async def lookup_upload(request: Request, client: Client) -> Response:
    hashes = await hash_form(request)
    return json_response(await _lookup(request, client, hashes, is_true(request.query_params.get("bypass_coinflip"))))


@router.get("/m/index/status", summary="HMA: whether each signal type's index is loaded, its size and how current")
async def index_status(request: Request, client: Client) -> Response:
    only = request.query_params.get("signal_type")
    if only is not None and only not in SIGNAL_TYPES:
        abort(400, f"No such signal type '{only}'")
    shared: SharedMatcher = request.app.state.api_matcher
    status = await shared.index_status()
    return json_response({name: status[name] for name in ([only] if only else SIGNAL_TYPES)})


@router.post("/m/compare", summary="HMA: compare pairs of hashes, by signal type")
async def compare(request: Request, client: Client) -> Response:
    body = await json_object(request, "Request input was not a dict")
    results = {}
    for name, pair in body.items():
        if not isinstance(pair, list):
            abort(400, f"Comparison hashes for {name} was not a list")
        if len(pair) != 2:
            abort(400, "Comparison hash list length must be exactly 2")
        kind = signal_type(name)
        try:
            results[name] = kind.compare(str(pair[0]), str(pair[1]))
        except ValueError as exc:
            abort(400, f"Invalid {name} hash: {exc}")
    return json_response(results)
