"""HMA's `/c` routes: banks, their content and signals, and the signal and content type settings.

Banks are Clearsight's banks (`store.banks`), a content id is a bank entry id. HMA's rules are
kept (bank names UPPER_WITH_UNDERSCORE on creation and rename, `enabled_ratio` a real ratio,
notes of at most 255 characters, `disable_until_ts` at most five years ahead) and Clearsight's
added: a token limited to banks sees only those (404 for any other) and may not create, rename or
delete banks; what an untrusted token adds is `unvetted` (`BankStore.add_signals`); every change
goes into the audit trail.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clearsight.banks.signal_types import CONTENT_TYPES, SIGNAL_TYPES
from clearsight.errors import ClearsightError
from clearsight.store.banks import BankInfo, EntryInfo
from clearsight.web.api import Client, may_use, visible_banks
from clearsight.web.hma.common import abort, audit_change, is_true, json_object, json_response
from clearsight.web.hma.hashing import hash_form, hash_url
from clearsight.web.tokens import ApiClient
from clearsight.web.uploads import is_multipart, uploaded_form

router = APIRouter(tags=["hma"])
BANK_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
MAX_NOTE = 255
METADATA_KEYS = {"content_id": str, "content_uri": str, "json": dict}
"""HMA's BankedContentMetadata: what a client may say of banked content, all optional."""
SIGNAL_TYPE_RATIOS = "hma.signal_type_ratios"
"""The app setting holding `PUT /c/signal_type/<name>` ratios (HMA keeps them; nothing reads them to match)."""


def _bank_json(bank: BankInfo) -> dict[str, Any]:
    return {"name": bank.name, "matching_enabled_ratio": bank.enabled_ratio}


def _bank(request: Request, client: ApiClient, name: str, message: str | None = None) -> BankInfo:
    """The bank `name` if this token may use it, else HMA's 404."""
    if not may_use(request, client, name):
        abort(404, message or f"bank '{name}' not found")
    bank: BankInfo = request.app.state.bank_store.get(name)
    return bank


def _may_manage_banks(client: ApiClient) -> None:
    if client[1] is not None:
        abort(403, "this token is limited to banks and may not create, rename or delete them")


def _checked_name(name: Any) -> str:
    if not isinstance(name, str) or not BANK_NAME.fullmatch(name):
        abort(400, "Bank names must be UPPER_WITH_UNDERSCORE")
    return name


def _ratio(value: Any) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        abort(400, f"Invalid float: '{value}'")
    if not 0.0 <= ratio <= 1.0:
        abort(400, f"Invalid enabled ratio {ratio}. Must be in the range 0.0-1.0 inclusive.")
    return ratio


def _flag(value: Any) -> bool:
    """A JSON boolean as HMA's request models (pydantic) read one: true, false, or their spellings."""
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in ("true", "1", "yes", "on", "t", "y"):
        return True
    if str(value).strip().lower() in ("false", "0", "no", "off", "f", "n"):
        return False
    abort(400, f"Invalid boolean: '{value}'")


JSON_OBJECT = "this endpoint expects a json object payload"


@router.get("/c/banks", summary="HMA: the banks this token may use")
def banks(request: Request, client: Client) -> Response:
    return json_response([_bank_json(bank) for bank in visible_banks(request, client, with_counts=False)])


@router.post("/c/banks", summary="HMA: create a bank (tokens not limited to banks)")
async def create_bank(request: Request, client: Client) -> Response:
    _may_manage_banks(client)
    body = await json_object(request, JSON_OBJECT)
    name = _checked_name(body.get("name"))
    # As HMA 1.1.7 reads it: `enabled_ratio` defaults to 1.0, so `enabled` counts only when the
    # ratio is given as null.
    if body.get("enabled_ratio", 1.0) is not None:
        ratio = _ratio(body.get("enabled_ratio", 1.0))
    elif body.get("enabled") is not None:
        ratio = 1.0 if _flag(body["enabled"]) else 0.0
    else:
        ratio = 1.0
    try:
        bank = request.app.state.bank_store.create(name, source=f"api:{client[0]}", enabled_ratio=ratio)
    except ClearsightError:
        abort(403, "Bank already exists")
    audit_change(request, client, "bank.create", name, {"enabled_ratio": ratio})
    return json_response(_bank_json(bank), 201)


@router.get("/c/bank/{bank_name}", summary="HMA: one bank")
def get_bank(request: Request, client: Client, bank_name: str) -> Response:
    return json_response(_bank_json(_bank(request, client, bank_name)))


@router.put("/c/bank/{bank_name}", summary="HMA: rename a bank or change its enabled ratio")
async def update_bank(request: Request, client: Client, bank_name: str) -> Response:
    _bank(request, client, bank_name, "Bank not found")
    body = await json_object(request, JSON_OBJECT)
    changes: dict[str, Any] = {}
    if body.get("name") is not None and body["name"] != bank_name:
        _may_manage_banks(client)
        changes["name"] = _checked_name(body["name"])
    if body.get("enabled") is not None:
        changes["enabled_ratio"] = 1.0 if _flag(body["enabled"]) else 0.0
    if body.get("enabled_ratio") is not None:
        changes["enabled_ratio"] = _ratio(body["enabled_ratio"])
    try:
        bank = request.app.state.bank_store.update(bank_name, **changes) if changes else request.app.state.bank_store.get(bank_name)
    except ClearsightError:
        abort(403, "Bank name already exists")
    audit_change(request, client, "bank.update", bank_name, changes)
    return json_response(_bank_json(bank))


@router.delete("/c/bank/{bank_name}", summary="HMA: delete a bank and its content (tokens not limited to banks)")
def delete_bank(request: Request, client: Client, bank_name: str) -> Response:
    _may_manage_banks(client)
    if may_use(request, client, bank_name):
        request.app.state.bank_store.delete(bank_name)
        audit_change(request, client, "bank.delete", bank_name)
    return json_response({"message": "Done"})


def _note(value: Any) -> str | None:
    if not value:
        return None
    if not isinstance(value, str):
        abort(400, "note should be a string")
    if len(value) > MAX_NOTE:
        abort(400, f"note must be at most {MAX_NOTE} characters")
    return value


def _metadata(raw: Any) -> dict[str, Any] | None:
    """HMA's checks of a content's metadata: a JSON object of known keys of the right types."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        abort(400, "metadata should be a json object")
    raw = {key: value for key, value in raw.items() if key != "collab"}
    for key, value in raw.items():
        if key not in METADATA_KEYS:
            abort(400, f"Invalid metadata: unexpected field '{key}'")
        if value is not None and not isinstance(value, METADATA_KEYS[key]):
            abort(400, f"Invalid metadata: '{key}' should be a {METADATA_KEYS[key].__name__}")
    return {key: value for key, value in raw.items() if value is not None} or None


def _add(request: Request, client: ApiClient, bank: BankInfo, signals: dict[str, Any], note: str | None, metadata: dict[str, Any] | None) -> Response:
    """Bank one content with these signals: HMA's `{"id", "signals"}`."""
    if not signals:
        abort(400, "No signals given")
    checked: dict[str, str] = {}
    for name, value in signals.items():
        kind = SIGNAL_TYPES.get(name)
        if kind is None:
            abort(400, f"No such signal type {name}")
        try:
            checked[name] = kind.normalize(str(value))
        except ValueError as exc:
            abort(400, f"Invalid {name} signal: {exc}")
    try:
        content_id = request.app.state.bank_store.add_signals(bank.name, checked, token=client[0], note=note, metadata=metadata)
    except ClearsightError as exc:
        abort(403, str(exc))
    audit_change(request, client, "bank.add_signal", bank.name, {"content_id": content_id, "signals": sorted(checked)})
    return json_response({"id": content_id, "signals": checked})


@router.post("/c/bank/{bank_name}/content", summary="HMA: bank the media at `url` or an upload (multipart), with `metadata` and `note`")
async def add_content(request: Request, client: Client, bank_name: str) -> Response:
    bank = _bank(request, client, bank_name)
    if is_multipart(request):
        fields = (await uploaded_form(request)).fields
        try:
            metadata_raw = json.loads(fields["metadata"]) if "metadata" in fields else None
        except ValueError:
            abort(400, "metadata form field must be valid JSON")
        note_raw: Any = fields.get("note")
    else:
        body = await request.json() if request.headers.get("content-type", "").startswith("application/json") else None
        metadata_raw, note_raw = (body.get("metadata"), body.get("note")) if isinstance(body, dict) else (None, None)
    metadata, note = _metadata(metadata_raw), _note(note_raw)
    url = request.query_params.get("url")
    if url:
        hashes = await hash_url(request, url)
    elif is_multipart(request) and (await uploaded_form(request)).files:
        hashes = await hash_form(request)
    else:
        abort(400, "Neither `url` nor multipart file upload was received")
    return _add(request, client, bank, hashes, note, metadata)


@router.post("/c/bank/{bank_name}/signal", summary="HMA: bank one content by its signals (`{signal_type: hash}`, and `note`)")
async def add_signal(request: Request, client: Client, bank_name: str) -> Response:
    bank = _bank(request, client, bank_name)
    body = await json_object(request, JSON_OBJECT)
    note = _note(body.pop("note", None))
    return _add(request, client, bank, body, note, None)


def _entry(request: Request, client: ApiClient, bank_name: str, content_id: int) -> EntryInfo:
    _bank(request, client, bank_name)
    entry: EntryInfo | None = request.app.state.bank_store.entry(content_id)
    if entry is None or entry.bank.name != bank_name:
        abort(404, f"content '{content_id}' not found")
    return entry


@router.get("/c/bank/{bank_name}/content/{content_id}", summary="HMA: one banked content (`include_signals`, `include_metadata`)")
def get_content(request: Request, client: Client, bank_name: str, content_id: int) -> Response:
    entry = _entry(request, client, bank_name, content_id)
    out: dict[str, Any] = {"id": entry.id, "disable_until_ts": entry.disable_until_ts, "original_media_uri": None, "bank": _bank_json(entry.bank)}
    if is_true(request.query_params.get("include_signals")):
        out["signals"] = entry.signals
    if is_true(request.query_params.get("include_metadata"), default=True) and entry.metadata:
        out["metadata"] = {"content_id": None, "content_uri": None, "json": None, **entry.metadata, "collab": None}
    if entry.note is not None:
        out["note"] = entry.note
    return json_response(out)


def _five_years_from_now() -> int:
    return int(time.mktime((datetime.now() + timedelta(days=365 * 5)).timetuple()))


def _timestamp(value: Any) -> int:
    try:
        stamp = int(value)
    except (TypeError, ValueError):
        abort(400, f"Invalid int: '{value}'")
    if stamp < 0:
        abort(400, "disable_until_ts must be a non-negative integer")
    if stamp > _five_years_from_now():
        abort(400, "disable_until_ts must be less than 5 years in the future")
    return stamp


@router.put("/c/bank/{bank_name}/content/{content_id}", summary="HMA: disable a banked content until a time (`disable_until_ts`), or change its `note`")
async def update_content(request: Request, client: Client, bank_name: str, content_id: int) -> Response:
    entry = _entry(request, client, bank_name, content_id)
    body = await json_object(request, JSON_OBJECT)
    changes: dict[str, Any] = {}
    if "disable_until_ts" in body:
        changes["disable_until_ts"] = _timestamp(body["disable_until_ts"])
    if "note" in body:
        changes["note"] = _note(body["note"])
    if changes:
        request.app.state.bank_store.update_entry(content_id, **changes)
        audit_change(request, client, "bank.update_content", bank_name, {"content_id": content_id, **{key: changes[key] for key in changes if key != "note"}})
    updated = {"disable_until_ts": entry.disable_until_ts, "note": entry.note, **changes}
    return json_response({"id": entry.id, "disable_until_ts": updated["disable_until_ts"], "collab_metadata": {}, "original_media_uri": None,
                          "bank": _bank_json(entry.bank), "user_metadata": entry.metadata, "note": updated["note"]})


@router.delete("/c/bank/{bank_name}/content/{content_id}", summary="HMA: remove a banked content")
def delete_content(request: Request, client: Client, bank_name: str, content_id: int) -> Response:
    _bank(request, client, bank_name)
    deleted = request.app.state.bank_store.remove_entry(bank_name, content_id)
    if deleted:
        audit_change(request, client, "bank.remove_content", bank_name, {"content_id": content_id})
    return json_response({"deleted": deleted})


def _signal_type_ratios(request: Request) -> dict[str, float]:
    stored = request.app.state.app_settings.get(SIGNAL_TYPE_RATIOS, {})
    return {name: float(stored.get(name, 1.0)) for name in SIGNAL_TYPES}


@router.get("/c/signal_type", summary="HMA: the signal types and their enabled ratios")
def get_signal_types(request: Request, client: Client) -> Response:
    return json_response([{"name": name, "enabled_ratio": ratio} for name, ratio in _signal_type_ratios(request).items()])


@router.put("/c/signal_type/{signal_type_name}", summary="HMA: set a signal type's enabled ratio (tokens not limited to banks)")
async def update_signal_type(request: Request, client: Client, signal_type_name: str) -> Response:
    _may_manage_banks(client)
    body = await json_object(request, JSON_OBJECT)
    if body.get("enabled_ratio") is None:
        abort(400, "enabled_ratio is required")
    ratio = _ratio(body["enabled_ratio"])
    if signal_type_name not in SIGNAL_TYPES:
        abort(400, f"Unknown signal type {signal_type_name}")
    request.app.state.app_settings.set(SIGNAL_TYPE_RATIOS, _signal_type_ratios(request) | {signal_type_name: ratio})
    audit_change(request, client, "hma.signal_type", signal_type_name, {"enabled_ratio": ratio})
    return Response(status_code=204)


@router.get("/c/signal_type/index", summary="HMA: how far each signal type's index is built")
async def signal_type_index(request: Request, client: Client) -> Response:
    only = request.query_params.get("signal_type")
    if only is not None and only not in SIGNAL_TYPES:
        abort(400, f"No such signal type '{only}'")
    status = await request.app.state.api_matcher.index_status()
    return json_response({name: {"db_size": status[name]["size"], "index_size": status[name]["size"], "index_out_of_date": False,
                                 "newest_db_item": status[name]["built_to"], "index_built_to": status[name]["built_to"]}
                          for name in ([only] if only else SIGNAL_TYPES)})


@router.get("/c/content_type", summary="HMA: the content types")
def get_content_types(request: Request, client: Client) -> Response:
    return json_response([{"name": name, "enabled": True} for name in CONTENT_TYPES])
