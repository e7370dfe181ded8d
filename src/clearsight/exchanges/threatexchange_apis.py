"""python-threatexchange's exchange implementations (`SignalExchangeAPI`: NCMEC's hash sharing,
StopNCII, Meta's ThreatExchange, the static sample) as Clearsight exchange types, so their HTTP
clients, paging and checkpoints are the library's, as in HMA.

Each fetched update is converted by the API's own `naive_convert_to_signal_type` into PDQ and
video MD5 signals (the library's types; a video MD5 is kept as the bank's `md5`), and what the
source says of it (its id, its opinions and tags) is kept as the entry's `exchange` attributes,
which matches carry. APIs that never checkpoint (`NoCheckpointing`) return their whole state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from threatexchange.exchanges import auth
from threatexchange.exchanges.fetch_state import FetchedSignalMetadata, NoCheckpointing
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.signal_base import SignalType
from threatexchange.utils import dataclass_json

from clearsight.config import Settings
from clearsight.exchanges.source import Page
from clearsight.store.exchanges import SourceItem

SIGNAL_TYPES: tuple[type[SignalType], ...] = (PdqSignal, VideoMD5Signal)
BANK_SIGNALS: dict[type[SignalType], str] = {PdqSignal: "pdq", VideoMD5Signal: "md5"}
"""Bank signal type of each library signal type (a video's MD5 is an MD5 digest of its file)."""


def plain(value: Any) -> dict[str, Any]:
    """A dataclass as plain JSON values, enums and sets as python-threatexchange writes them."""
    found: dict[str, Any] = json.loads(dataclass_json.dataclass_dumps(value))
    return found


def _key(key: Any) -> str:
    """A source key as text: SimpleUpdates APIs key by (signal type, value)."""
    return ":".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _opinions(metadata: FetchedSignalMetadata) -> list[dict[str, Any]]:
    return [{"is_mine": opinion.is_mine, "category": opinion.category.name.lower(), "tags": sorted(opinion.tags)} for opinion in metadata.get_as_opinions()]


@dataclass(frozen=True)
class ThreatExchangeApi:
    """One python-threatexchange SignalExchangeAPI class as an exchange type."""

    api_cls: type[SignalExchangeAPI[Any, Any, Any, Any, Any]]

    @property
    def name(self) -> str:
        return self.api_cls.get_name()

    @property
    def snapshot(self) -> bool:
        return issubclass(self.api_cls.get_checkpoint_cls(), NoCheckpointing)

    def config_cls(self) -> type[Any]:
        return self.api_cls.get_config_cls()

    def credentials_cls(self) -> type[Any] | None:
        return self.api_cls.get_credential_cls() if issubclass(self.api_cls, auth.SignalExchangeWithAuth) else None

    def collab(self, config: dict[str, Any]) -> Any:
        """The exchange's settings as the library's collaboration config."""
        return dataclass_json.dataclass_load_dict(config, self.config_cls())

    def client(self, collab: Any, credentials: dict[str, Any] | None) -> SignalExchangeAPI[Any, Any, Any, Any, Any]:
        """The library's API object for one exchange, with its type's credentials where it takes them."""
        credentials_cls = self.credentials_cls()
        if credentials_cls is None:
            return self.api_cls.for_collab(collab)
        if not credentials:
            raise auth.SignalExchangeAPIMissingAuthException(self.api_cls)
        return self.api_cls.for_collab(collab, dataclass_json.dataclass_load_dict(credentials, credentials_cls))  # type: ignore[call-arg]

    def pages(self, config: dict[str, Any], credentials: dict[str, Any] | None, checkpoint: dict[str, Any] | None,
              settings: Settings) -> Iterator[Page]:
        collab = self.collab(config)
        client = self.client(collab, credentials)
        resume = dataclass_json.dataclass_load_dict(checkpoint, self.api_cls.get_checkpoint_cls()) if checkpoint else None
        for delta in client.fetch_iter(SIGNAL_TYPES, resume):
            changes: dict[str, SourceItem | None] = {}
            for key, update in delta.updates.items():
                merged = self.api_cls.fetch_value_merge(None, update) if update is not None else None
                changes[_key(key)] = self._item(collab, key, merged) if merged is not None else None
            yield Page(changes, plain(delta.checkpoint), delta.checkpoint.get_progress_timestamp())

    def _item(self, collab: Any, key: Any, record: Any) -> SourceItem | None:
        """The bank item of one fetched record, None when it converts to no signal Clearsight banks."""
        hashes: dict[str, str] = {}
        opinions: list[dict[str, Any]] = []
        for signal_type, values in self.api_cls.naive_convert_to_signal_type(SIGNAL_TYPES, collab, {key: record}).items():
            for value, metadata in values.items():
                hashes[BANK_SIGNALS[signal_type]] = value
                opinions += _opinions(metadata)
        if not hashes:
            return None
        return SourceItem(hashes, ref=_key(key), attributes={"exchange": {"api": self.name, "source_id": _key(key), "opinions": opinions}})
