"""Clearsight's own `file` exchange: a hash list in any format `bank import` reads (CSV, VICS,
NCMEC XML, HMA CSV, lines), at a local path or at a URL the operator allowed
(`$CLEARSIGHT_URL_FETCH_ALLOW`, the same policy as the API's `?url=`), read again on every fetch
and applied as a diff: entries added, changed and removed since the last fetch, by their `ref`
(or, without one, by their hashes). A row the format refuses is skipped, never the whole list.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threatexchange.exchanges.collab_config import CollaborationConfigBase

from clearsight.banks.formats import FORMATS, decode, detect, open_list, text_stream
from clearsight.banks.formats.base import HEAD_CHARS, ReadOptions
from clearsight.config import Settings
from clearsight.errors import ClearsightError
from clearsight.exchanges.source import Page
from clearsight.intake.url_fetch import FetchPolicy
from clearsight.store.exchanges import SourceItem
from clearsight.store.records import BankRecord, RowError

MAX_LIST_BYTES = 1 << 30
"""Largest list fetched from a URL (held in memory while it is read)."""


@dataclass
class _Required:
    location: str = field(metadata={"help": "a local file path, or an http(s) URL of a host in CLEARSIGHT_URL_FETCH_ALLOW"})


@dataclass
class FileExchangeConfig(CollaborationConfigBase, _Required):
    format: str = field(default="auto", metadata={"help": f"the list's format: auto, {', '.join(sorted(FORMATS))}"})


def _key(record: BankRecord) -> str:
    return record.ref or "|".join(f"{signal}:{value}" for signal, value in sorted(record.hashes.items()))


@dataclass(frozen=True)
class FileExchange:
    @property
    def name(self) -> str:
        return "file"

    @property
    def snapshot(self) -> bool:
        return True

    def config_cls(self) -> type[Any]:
        return FileExchangeConfig

    def credentials_cls(self) -> type[Any] | None:
        return None

    def _text(self, location: str, settings: Settings) -> str:
        if location.startswith(("http://", "https://")):
            policy = FetchPolicy.parse(settings.url_fetch_allow, MAX_LIST_BYTES)
            if not policy.enabled:
                raise ClearsightError("the file exchange's URL needs its host in CLEARSIGHT_URL_FETCH_ALLOW")
            try:
                return decode(asyncio.run(policy.fetch(location)).content)
            except ValueError as exc:
                raise ClearsightError(f"cannot fetch {location}: {exc}") from None
        path = Path(location)
        if not path.is_file():
            raise ClearsightError(f"the list {location} is not a file")
        with open_list(path) as stream:
            return stream.read()

    def pages(self, config: dict[str, Any], credentials: dict[str, Any] | None, checkpoint: dict[str, Any] | None,
              settings: Settings) -> Iterator[Page]:
        text = self._text(str(config["location"]), settings)
        reader = detect(text[:HEAD_CHARS]) if config.get("format", "auto") == "auto" else FORMATS[str(config["format"])]
        changes: dict[str, SourceItem | None] = {}
        for record in reader.read(text_stream(text), ReadOptions()):
            if isinstance(record, RowError):
                continue
            changes[_key(record)] = SourceItem(record.hashes, record.classification, record.ref, record.first_seen, record.attributes)
        yield Page(changes, {"sha256": hashlib.sha256(text.encode()).hexdigest(), "entries": len(changes)})
