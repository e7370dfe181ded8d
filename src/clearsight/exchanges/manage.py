"""The exchanges service behind `clearsight exchange` and HMA's `/c/exchange*` routes: one place
that checks an exchange's settings and credentials against its type's dataclasses (as HMA does,
with python-threatexchange's `dataclass_json`) and describes them for forms."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing as t
from typing import Any

from dacite.exceptions import DaciteError
from threatexchange.utils import dataclass_json

from clearsight.errors import ClearsightError
from clearsight.exchanges.registry import exchange_type
from clearsight.exchanges.source import ExchangeType
from clearsight.exchanges.threatexchange_apis import plain
from clearsight.store.exchanges import DEFAULT_INTERVAL_SECONDS, ExchangeRow, ExchangeStore

FETCH_STATUS = ("checkpoint_ts", "running_fetch_start_ts", "last_fetch_complete_ts", "last_fetch_succeeded", "up_to_date", "fetched_items")
"""python-threatexchange's FetchStatus, the fields HMA's status route answers with."""
LOAD_ERRORS = (DaciteError, TypeError, ValueError, KeyError, AttributeError)
"""What python-threatexchange's dataclass_json (dacite) raises for JSON that is not the dataclass."""
SET_BY_CLEARSIGHT = frozenset({"name", "api", "enabled"})
"""Settings every exchange has, set from the exchange itself rather than its type's form."""


def checked_config(kind: ExchangeType, name: str, enabled: bool, api_json: dict[str, Any]) -> dict[str, Any]:
    """The exchange's settings as its type's dataclass takes them (JSON), or why not."""
    raw = dict(api_json) | {"name": name, "api": kind.name, "enabled": enabled}
    try:
        return plain(dataclass_json.dataclass_load_dict(raw, kind.config_cls()))
    except LOAD_ERRORS as exc:
        raise ClearsightError(f"settings for a {kind.name} exchange: {type(exc).__name__}: {exc}") from None


def create(store: ExchangeStore, name: str, api: str, api_json: dict[str, Any], enabled: bool = True,
           interval_seconds: int = DEFAULT_INTERVAL_SECONDS) -> ExchangeRow:
    kind = exchange_type(api)
    return store.create(name, kind.name, checked_config(kind, name, enabled, api_json), enabled, interval_seconds)


def set_credentials(store: ExchangeStore, api: str, credentials: dict[str, Any] | None) -> None:
    """Set (or, with None or {}, unset) an exchange type's credentials, checked against its dataclass."""
    kind = exchange_type(api)
    cls = kind.credentials_cls()
    if cls is None:
        raise ClearsightError(f"exchange type {api!r} takes no credentials")
    if credentials:
        try:
            credentials = plain(dataclass_json.dataclass_load_dict(credentials, cls))
        except LOAD_ERRORS as exc:
            raise ClearsightError(f"credentials for {api}: {type(exc).__name__}: {exc}") from None
    store.set_credentials(kind.name, credentials or None)


def shown_config(row: ExchangeRow) -> dict[str, Any]:
    """The settings as HMA shows a collaboration config, `enabled` as it is now."""
    return row.config | {"enabled": row.enabled}


def _kind_of(annotation: Any) -> tuple[str, list[Any] | None]:
    origin, args = t.get_origin(annotation), t.get_args(annotation)
    if origin in (t.Union, types.UnionType):
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return _kind_of(rest[0])
    if origin in (set, frozenset, list) and args:
        inner, _ = _kind_of(args[0])
        return f"{'list' if origin is list else 'set'}_of_{inner}", None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "enum", [member.value for member in annotation]
    if annotation in (int, float):
        return "number", None
    if annotation is bool:
        return "boolean", None
    return "string", None


def _default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset, list, tuple)):
        return [_default(item) for item in value]
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def fields(cls: type[Any], ignore: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """A dataclass's fields as HMA's schema route describes them: name, type, required, default, help, choices."""
    hints = t.get_type_hints(cls)
    out = []
    for field in dataclasses.fields(cls):
        if not field.init or field.name in ignore:
            continue
        kind, choices = _kind_of(hints.get(field.name, str))
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        default = None if required else _default(field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default)
        out.append({"name": field.name, "type": kind, "required": required, "default": default, "help": field.metadata.get("help", ""), "choices": choices})
    return out


def schema(kind: ExchangeType) -> dict[str, Any]:
    """HMA's `/c/exchanges/api/<api>/schema`: the type's own settings, and its credentials if any."""
    credentials = kind.credentials_cls()
    return {"config_schema": {"fields": fields(kind.config_cls(), SET_BY_CLEARSIGHT)},
            "credentials_schema": {"fields": fields(credentials)} if credentials is not None else None}
