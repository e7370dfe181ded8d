"""HMA's exchange routes (`/c/exchanges*`, `/c/exchange/<name>*`), as HMA's curation blueprint
answers them: the installed exchange types and their credentials, each type's form schema, and
the exchanges themselves with their fetch status. An exchange feeds the bank of its name, which
HMA asks to be UPPER_WITH_UNDERSCORE. Tokens limited to banks may read but not change any of it;
changes go into the audit trail, credentials never (only that they were set). A `file` exchange
made through these routes must name a URL (fetched only from operator-allowed hosts): a token
may not have the server read its local files.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clearsight.errors import ClearsightError
from clearsight.exchanges import manage
from clearsight.exchanges.registry import EXCHANGE_TYPES
from clearsight.store.exchanges import ExchangeRow, ExchangeStore
from clearsight.web.api import Client
from clearsight.web.hma.common import abort, audit_change, json_object, json_response
from clearsight.web.tokens import ApiClient

router = APIRouter(tags=["hma"])
EXCHANGE_BANK = re.compile(r"[A-Z0-9_]+")
JSON_OBJECT = "this endpoint expects a json object payload"


def _store(request: Request) -> ExchangeStore:
    store: ExchangeStore = request.app.state.exchange_store
    return store


def _may_manage(client: ApiClient) -> None:
    if client[1] is not None:
        abort(403, "this token is limited to banks and may not configure exchanges")


def _exchange(request: Request, name: str) -> ExchangeRow:
    row = _store(request).find(name)
    if row is None:
        abort(404, f"Exchange '{name}' not found")
    return row


def _auth_state(request: Request, api: str) -> dict[str, bool]:
    return {"supports_authentification": EXCHANGE_TYPES[api].credentials_cls() is not None,
            "has_set_authentification": _store(request).credentials(api) is not None}


@router.get("/c/exchanges/apis", summary="HMA: the exchange types that can be configured")
def exchange_apis(client: Client) -> Response:
    return json_response(list(EXCHANGE_TYPES))


@router.get("/c/exchanges/api/{api_name}", summary="HMA: whether an exchange type takes credentials and has them")
def exchange_api(request: Request, client: Client, api_name: str) -> Response:
    if api_name not in EXCHANGE_TYPES:
        abort(400, f"no such Exchange API '{api_name}'")
    return json_response(_auth_state(request, api_name))


@router.post("/c/exchanges/api/{api_name}", summary="HMA: set (or with {} unset) an exchange type's credentials (`credential_json`)")
async def set_exchange_api(request: Request, client: Client, api_name: str) -> Response:
    if api_name not in EXCHANGE_TYPES:
        abort(400, f"no such Exchange API '{api_name}'")
    _may_manage(client)
    body = await json_object(request, JSON_OBJECT)
    credentials = body.get("credential_json")
    if credentials is not None:
        if not isinstance(credentials, dict):
            abort(400, "credential_json must be an object")
        try:
            manage.set_credentials(_store(request), api_name, credentials)
        except ClearsightError as exc:
            abort(400, str(exc))
        audit_change(request, client, "exchange.credentials", api_name, {"set": bool(credentials)})
    return json_response(_auth_state(request, api_name))


@router.get("/c/exchanges/api/{api_name}/schema", summary="HMA: the fields of an exchange type's settings and credentials")
def exchange_api_schema(client: Client, api_name: str) -> Response:
    kind = EXCHANGE_TYPES.get(api_name)
    if kind is None:
        abort(404, f"Exchange API '{api_name}' not found")
    return json_response(manage.schema(kind))


@router.post("/c/exchanges", summary="HMA: create an exchange (`bank`, `api`, `api_json`) feeding a new bank of that name")
async def create_exchange(request: Request, client: Client) -> Response:
    _may_manage(client)
    body = await json_object(request, JSON_OBJECT)
    bank = body.get("bank")
    if bank is None:
        abort(400, "Field `bank` is required")
    api_json = body.get("api_json", {})
    api = body.get("api")
    if not isinstance(bank, str) or not EXCHANGE_BANK.fullmatch(bank):
        abort(400, "Field `bank` must match /^[A-Z0-9_]+$/")
    if not isinstance(api_json, dict):
        abort(400, "Field `api_json` must be object")
    if api is None:
        abort(400, "Field `api_type` is required")
    if api not in EXCHANGE_TYPES:
        abort(400, f"No such exchange type '{api}'")
    if api == "file" and not str(api_json.get("location", "")).startswith(("http://", "https://")):
        abort(400, "a file exchange made through the API takes a URL (CLEARSIGHT_URL_FETCH_ALLOW); local paths only from `clearsight exchange add`")
    enabled = bool(api_json.get("enabled", True))
    try:
        config = manage.checked_config(EXCHANGE_TYPES[api], bank, enabled, api_json)
    except ClearsightError as exc:
        abort(400, f"Failed to parse `api_json` - {exc}")
    try:
        _store(request).create(bank, api, config, enabled)
    except ClearsightError as exc:
        abort(400, str(exc))
    audit_change(request, client, "exchange.create", bank, {"api": api})
    return json_response({"message": "Created successfully"}, 201)


@router.get("/c/exchanges", summary="HMA: the names of the exchanges")
def exchanges(request: Request, client: Client) -> Response:
    return json_response([row.name for row in _store(request).rows()])


@router.get("/c/exchange/{exchange_name}", summary="HMA: one exchange's settings")
def exchange(request: Request, client: Client, exchange_name: str) -> Response:
    return json_response(manage.shown_config(_exchange(request, exchange_name)))


@router.get("/c/exchange/{exchange_name}/status", summary="HMA: an exchange's fetch status")
def exchange_status(request: Request, client: Client, exchange_name: str) -> Response:
    status = _exchange(request, exchange_name).status()
    return json_response({key: status[key] for key in manage.FETCH_STATUS})


@router.put("/c/exchange/{exchange_name}", summary="HMA: enable or disable an exchange (`enabled`)")
async def update_exchange(request: Request, client: Client, exchange_name: str) -> Response:
    row = _exchange(request, exchange_name)
    _may_manage(client)
    body = await json_object(request, JSON_OBJECT)
    enabled = body.get("enabled")
    if enabled is not None:
        if not isinstance(enabled, bool):
            abort(400, "Field `enabled` must be a boolean")
        _store(request).set_enabled(exchange_name, enabled)
        audit_change(request, client, "exchange.enable" if enabled else "exchange.disable", exchange_name)
    return json_response(manage.shown_config(_exchange(request, row.name)))


@router.delete("/c/exchange/{exchange_name}", summary="HMA: delete an exchange and its bank")
def delete_exchange(request: Request, client: Client, exchange_name: str) -> Response:
    _may_manage(client)
    if _store(request).delete(exchange_name):
        audit_change(request, client, "exchange.delete", exchange_name)
    return json_response({"message": "Exchange deleted"})
